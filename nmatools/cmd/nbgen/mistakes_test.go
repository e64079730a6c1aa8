package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const mistakesSource = "# T\n\n```go\n%goflags -ldflags=-s\n```\n\n```go\nimport \"fmt\"\n```\n\n" +
	"```go hide-input\nvar exercise1Compiled = false\n\nfunc double(x int) int { return 0 }\n\nfunc helper() int { return 1 }\n\nfunc unused() int { return 2 }\n```\n\n" +
	"## Exercise 1\n\n```go exercise\n%rm exercise1Compiled\nfunc double(x int) int {\n\t//nb:solution\n\treturn 2 * x\n\t//nb:student\n\treturn todo[int](\"Exercise 1\", \"2x\")\n\t//nb:end\n}\n\n" +
	"var exercise1Compiled = tutorial.Compiled(\"Exercise 1\")\n```\n\n" +
	"```go check\n%%\ntutorial.CheckDouble(double)\n```\n\n" +
	"## Activity\n\n```go\n%%\nfmt.Println(double(helper()))\n```\n\n" +
	"## Elsewhere\n\n```go\n%%\nfmt.Println(unused())\n```\n\n```go interactive\n%%\nfmt.Println(double(3))\n```\n"

func mistakesSpec() *MistakeSpec {
	return &MistakeSpec{
		Mistakes: map[string]Mistake{
			"triple": {Exercise: "Exercise 1", Replace: [][2]string{{"return 2 * x", "return 3 * x"}}, Check: []string{"error: Exercise 1: triples"}},
			"typo": {Exercise: "Exercise 1", First: "blank", Replace: [][2]string{{"return 2 * x", "return 2 * y"}},
				CompileError: &struct {
					Line    string `json:"line"`
					Message string `json:"message"`
				}{"return 2 * y", "undefined: y"},
				Check: []string{"did not compile"}},
		},
		Passes: map[string]string{"Exercise 1": "double matches"},
		Runs: []MistakeRun{{Name: "r", Attempts: map[string][]string{"Exercise 1": {"triple", "typo"}},
			Expect: []CellExpect{{Cell: "double(helper())", Fails: true, Contains: []string{"did not compile"}}}}},
	}
}

func labels(nb *Notebook) []string {
	var ls []string
	for _, c := range nb.Cells {
		ls = append(ls, c.Metadata[expectKey].(*expectation).Label)
	}
	return ls
}

// A run repeats the exercise cell per attempt, each followed by its check, keeps the
// cells that use the exercise and what they need, and drops the rest.
func TestMistakeNotebooks(t *testing.T) {
	cells, err := Parse("m.md", mistakesSource)
	if err != nil {
		t.Fatal(err)
	}
	nbs, err := MistakeNotebooks("m", cells, mistakesSpec())
	if err != nil {
		t.Fatal(err)
	}
	nb := nbs["r"]
	got := strings.Join(labels(nb), "\n")
	want := strings.Join([]string{
		"r · T (m.md:4)", "r · T (m.md:8)", "r · T (m.md:12)",
		"r · Exercise 1 · triple · exercise cell", "r · Exercise 1 · triple · check",
		"r · Exercise 1 · typo · first run, with the blanks", "r · Exercise 1 · typo · exercise cell", "r · Exercise 1 · typo · check",
		"r · Activity (m.md:44)",
	}, "\n")
	if got != want {
		t.Fatalf("cells:\n%s\nwant:\n%s", got, want)
	}
	if s := string(nb.Cells[3].Source); !strings.Contains(s, "return 3 * x") || strings.Contains(s, "//nb:") {
		t.Errorf("the mistaken cell:\n%s", s)
	}
	if s := string(nb.Cells[5].Source); !strings.Contains(s, "todo[int]") {
		t.Errorf("the first run has no blank:\n%s", s)
	}
	if e := nb.Cells[6].Metadata[expectKey].(*expectation); !e.Fails || e.CompileLine != "return 2 * y" {
		t.Errorf("compile error expectation %+v", e)
	}
	if e := nb.Cells[8].Metadata[expectKey].(*expectation); !e.Fails || e.Contains[0] != "did not compile" {
		t.Errorf("activity expectation %+v", e)
	}
	// Mistakes in the spec itself are errors.
	for name, edit := range map[string]func(*MistakeSpec){
		"replacement not in the solution": func(s *MistakeSpec) {
			m := s.Mistakes["triple"]
			m.Replace = [][2]string{{"return 4 * x", "x"}}
			s.Mistakes["triple"] = m
		},
		"unknown mistake":     func(s *MistakeSpec) { s.Runs[0].Attempts["Exercise 1"] = []string{"nope"} },
		"unknown exercise":    func(s *MistakeSpec) { s.Runs[0].Attempts["Exercise 9"] = []string{"triple"} },
		"cell not in the run": func(s *MistakeSpec) { s.Runs[0].Expect[0].Cell = "fmt.Println(unused())" },
		"no check text": func(s *MistakeSpec) {
			m := s.Mistakes["triple"]
			m.Check = nil
			s.Mistakes["triple"] = m
		},
	} {
		spec := mistakesSpec()
		edit(spec)
		if _, err := MistakeNotebooks("m", cells, spec); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func executedCell(label string, count int, src string, e expectation, outputs ...Output) NBCell {
	e.Label = label
	var meta map[string]any
	b, _ := json.Marshal(map[string]any{expectKey: e})
	_ = json.Unmarshal(b, &meta)
	return NBCell{CellType: "code", ExecutionCount: &count, Source: MultiLine(src), Metadata: meta, Outputs: outputs}
}

func stderr(s string) Output { return Output{OutputType: "stream", Name: "stderr", Text: MultiLine(s)} }

// Verify holds each executed cell to its expectation.
func TestVerifyMistakes(t *testing.T) {
	compileErr := Output{OutputType: "display_data", Data: map[string]MultiLine{"text/html": `<style>x</style><div><span class="gonb-cell-line-info">Cell[2]: Line 3</span> <span class="gonb-err-location">./main.go:9:9: </span>undefined: y</div>`}}
	failed := Output{OutputType: "error", EName: "ERROR", EValue: "failed to run go build"}
	good := &Notebook{Cells: []NBCell{
		executedCell("clean", 1, "%%\nfmt.Println(1)", expectation{}, Output{OutputType: "stream", Name: "stdout", Text: "1\n"}),
		executedCell("typo", 2, "%rm x\nfunc f() int {\n\treturn 2 * y\n}", expectation{Fails: true, CompileLine: "2 * y", CompileError: "undefined: y"}, compileErr, failed),
		executedCell("check", 3, "%%\ncheck()", expectation{Fails: true, Contains: []string{"did not compile"}}, stderr("error: Exercise 1's cell did not compile\nexit status 1\n")),
	}}
	if probs, report := VerifyMistakes(good); len(probs) != 0 || len(report) != 2 {
		t.Fatalf("good notebook: problems %q, report %q", probs, report)
	}
	for name, c := range map[string]struct {
		cell NBCell
		want string
	}{
		"a warning where nothing is wrong": {executedCell("clean", 1, "%%\nf()", expectation{}, stderr("warning: your rnnStep …\n")), `says "warning:"`},
		"a failure where nothing is wrong": {executedCell("clean", 1, "%%\nf()", expectation{}, stderr("panic: boom\nexit status 2\n")), "failed"},
		"the wrong line":                   {executedCell("typo", 2, "%rm x\nfunc f() int {\n\n\treturn 2 * y\n}", expectation{Fails: true, CompileLine: "2 * y", CompileError: "undefined: y"}, compileErr, failed), "must name Cell[2]: Line 4"},
		"another message":                  {executedCell("check", 3, "%%\ncheck()", expectation{Fails: true, Contains: []string{"did not compile"}}, stderr("Student exercise: fill in\nexit status 1\n")), `does not say "did not compile"`},
		"no failure":                       {executedCell("check", 3, "%%\ncheck()", expectation{Fails: true, Contains: []string{"ok"}}, Output{OutputType: "stream", Name: "stdout", Text: "ok\n"}), "want it to fail"},
	} {
		probs, _ := VerifyMistakes(&Notebook{Cells: []NBCell{c.cell}})
		if len(probs) == 0 || !strings.Contains(strings.Join(probs, "\n"), c.want) {
			t.Errorf("%s: problems %q, want %q", name, probs, c.want)
		}
	}
}
