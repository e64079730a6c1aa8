package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = "# Title\n\nSome *text*.\n\n```go hide-input\nimport \"fmt\"\n\nfunc todo[T any](what string) T { var z T; return z }\n\n" +
	"var exercise1Compiled = false\n\nfunc double(x int) int { return todo[int](\"Exercise 1: run its cell\") }\n```\n\n" +
	"<!-- cell -->\n## Exercise\n\n```go exercise\n%rm exercise1Compiled\nfunc double(x int) int {\n\t//nb:solution\n\treturn 2 * x\n\t//nb:student\n\treturn todo[int](\"Exercise 1: 2x\")\n\t//nb:end\n}\n\nvar exercise1Compiled = true\n```\n\n" +
	"```go check\n%%\nif double(2) != 4 {\n\tpanic(\"wrong\")\n}\nfmt.Println(\"ok\")\n```\n"

func TestParseAndVariants(t *testing.T) {
	cells, err := Parse("s.md", sample)
	if err != nil {
		t.Fatal(err)
	}
	kinds := ""
	for _, c := range cells {
		kinds += c.Kind[:1]
	}
	if kinds != "mcmcc" {
		t.Fatalf("cell kinds = %q, want mcmcc (markdown, code, markdown, code, code)", kinds)
	}
	ex := cells[3]
	if !ex.Has("exercise") {
		t.Fatalf("cell 3 tags = %v, want exercise", ex.Tags)
	}
	ins, stu := ex.Code(Instructor), ex.Code(Student)
	if !strings.Contains(ins, "return 2 * x") || strings.Contains(ins, "todo[int]") || strings.Contains(ins, "//nb:") {
		t.Errorf("instructor code wrong:\n%s", ins)
	}
	if strings.Contains(stu, "return 2 * x") || !strings.Contains(stu, "todo[int]") || strings.Contains(stu, "//nb:") {
		t.Errorf("student code wrong:\n%s", stu)
	}
	for _, v := range []Variant{Instructor, Student} {
		for _, c := range cells {
			if err := CheckSyntax("s.md", c, v); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestBuildStudentHasSolutionBlock(t *testing.T) {
	cells, err := Parse("s.md", sample)
	if err != nil {
		t.Fatal(err)
	}
	ins, stu := Build("s", cells, Instructor), Build("s", cells, Student)
	if len(stu.Cells) != len(ins.Cells)+1 {
		t.Fatalf("student has %d cells, instructor %d: want one more (the solution block)", len(stu.Cells), len(ins.Cells))
	}
	sol := stu.Cells[4]
	if sol.CellType != "markdown" || !strings.Contains(string(sol.Source), "Click for solution") || !strings.Contains(string(sol.Source), "return 2 * x") ||
		!strings.Contains(string(sol.Source), "<pre><code") || strings.Contains(string(sol.Source), "```") {
		t.Errorf("cell after the exercise is not the solution block: %+v", sol)
	}
	if hidden := ins.Cells[1].Metadata["jupyter"]; hidden == nil {
		t.Errorf("hide-input cell has no jupyter.source_hidden metadata: %v", ins.Cells[1].Metadata)
	}
	// Round trip through JSON: tags survive and the code cell has outputs [] and execution_count null.
	b, err := stu.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"execution_count": null`)) || !bytes.Contains(b, []byte(`"outputs": []`)) {
		t.Errorf("code cells lack execution_count null / outputs []:\n%s", b)
	}
	back, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Cells[5].Tags(); len(got) != 1 || got[0] != "check" {
		t.Errorf("check cell tags after round trip = %v", got)
	}
	if string(back.Cells[3].Source) != string(stu.Cells[3].Source) {
		t.Errorf("source changed in round trip:\n%q\n%q", back.Cells[3].Source, stu.Cells[3].Source)
	}
}

func TestParseErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unclosed fence":   "```go\nx := 1\n",
		"unknown tag":      "```go frobnicate\n%%\nx := 1\n```\n",
		"marker no tag":    "```go\n//nb:solution\nx\n//nb:end\n```\n",
		"unclosed region":  "```go exercise\n//nb:solution\nx\n//nb:student\ny\n```\n",
		"no student":       "```go exercise\n//nb:solution\nx\n//nb:end\n```\n",
		"end without open": "```go exercise\n//nb:end\n```\n",
		"empty":            "\n\n",
	} {
		if _, err := Parse("e.md", src); err == nil {
			t.Errorf("%s: Parse accepted %q", name, src)
		}
	}
}

func TestSyntaxErrorReported(t *testing.T) {
	src := "```go exercise\nfunc f() int {\n//nb:solution\nreturn 1\n//nb:student\nreturn (\n//nb:end\n}\n```\n"
	if _, err := GenerateOne("bad", src); err == nil || !strings.Contains(err.Error(), "student variant") {
		t.Fatalf("want a syntax error in the student variant, got %v", err)
	}
	// GoNB special commands and %% are not Go but must be accepted.
	ok := "```go\n!*go mod edit -require=x@v0.0.0\n```\n\n```go\nimport \"fmt\"\n%%\nfmt.Println(1)\n```\n"
	if _, err := GenerateOne("ok", ok); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, err := GenerateOne("s", sample)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateOne("s", sample)
	if len(a) != 2 || a[0].Rel != "s.ipynb" || a[1].Rel != filepath.Join("student", "s.ipynb") {
		t.Fatalf("files = %v", a)
	}
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two generations", a[i].Rel)
		}
	}
}

func readNB(t *testing.T, name string) *Notebook {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

// gonb_failures.ipynb was executed by GoNB v0.11.3 with --allow-errors: a cell
// that prints "Student exercise: …" and exits 1, a panic, a compile error and
// a clean cell.
func TestInspectRealGoNBFailures(t *testing.T) {
	reps := Inspect(readNB(t, "gonb_failures.ipynb"))
	if len(reps) != 4 {
		t.Fatalf("%d code cells, want 4", len(reps))
	}
	if !strings.Contains(reps[0].Error, StudentMarker) {
		t.Errorf("cell 0 (os.Exit after the message): error %q", reps[0].Error)
	}
	if !strings.Contains(reps[1].Error, "panic: boom") {
		t.Errorf("cell 1 (panic): error %q", reps[1].Error)
	}
	if !strings.Contains(reps[2].Error, "compile error") || !strings.Contains(reps[2].Error, "declared and not used") {
		t.Errorf("cell 2 (compile error): error %q", reps[2].Error)
	}
	if reps[3].Error != "" {
		t.Errorf("cell 3 ran cleanly, got error %q", reps[3].Error)
	}
	nb := readNB(t, "gonb_failures.ipynb")
	if probs := Verify(nb, Instructor); len(probs) != 3 {
		t.Errorf("instructor verify: %d problems, want 3: %q", len(probs), probs)
	}
	// As a student notebook: the panic and the compile error are not exercise stops.
	probs := Verify(nb, Student)
	if len(probs) != 2 || !strings.Contains(probs[0], "cell 1") || !strings.Contains(probs[1], "cell 2") {
		t.Errorf("student verify: want problems for cells 1 and 2 only, got %q", probs)
	}
	// Only the exercise stop: passes as a student notebook, fails as an instructor one.
	nb.Cells = []NBCell{nb.Cells[0], nb.Cells[3]}
	if probs := Verify(nb, Student); len(probs) != 0 {
		t.Errorf("student verify of a notebook with only an exercise stop: %q", probs)
	}
	if probs := Verify(nb, Instructor); len(probs) != 1 {
		t.Errorf("instructor verify of a notebook with an exercise stop: %q", probs)
	}
}

// gonb_svg.ipynb: a cell that sends image/svg+xml through gonbui, executed by GoNB.
func TestVerifyFigures(t *testing.T) {
	nb := readNB(t, "gonb_svg.ipynb")
	if probs := Verify(nb, Instructor); len(probs) != 0 {
		t.Fatalf("clean notebook with a figure: %q", probs)
	}
	reps := Inspect(nb)
	if reps[1].Images != 1 || !reps[1].Displays {
		t.Fatalf("cell 1: %+v, want 1 image and Displays", reps[1])
	}
	// Drop the stored figure: the drawing cell must now be reported.
	nb.Cells[1].Outputs = nil
	probs := Verify(nb, Instructor)
	if len(probs) != 1 || !strings.Contains(probs[0], "no image") {
		t.Fatalf("want one 'no image' problem, got %q", probs)
	}
	// An unexecuted cell is a failure.
	nb.Cells[2].ExecutionCount = nil
	if probs := Verify(nb, Instructor); len(probs) != 2 {
		t.Fatalf("want 2 problems (no image, not executed), got %q", probs)
	}
}

// A drawing cell that says it skipped its figure ("skipped: why" on stdout: its real data is
// not at hand) stored no image and is not a problem; without that line it is.
func TestVerifySkippedFigure(t *testing.T) {
	nb := readNB(t, "gonb_svg.ipynb")
	nb.Cells[1].Outputs = []Output{{OutputType: "stream", Name: "stdout", Text: "skipped: no real M1 data (see data.FindReal)\n"}}
	if probs := Verify(nb, Instructor); len(probs) != 0 {
		t.Fatalf("a drawing cell that skipped its figure: %q", probs)
	}
	nb.Cells[1].Outputs = []Output{{OutputType: "stream", Name: "stdout", Text: "not skipped: the figure is below\n"}}
	if probs := Verify(nb, Instructor); len(probs) != 1 || !strings.Contains(probs[0], "no image") {
		t.Fatalf("want one 'no image' problem for a cell without the skipped line, got %q", probs)
	}
	nb.Cells[1].Outputs = []Output{{OutputType: "stream", Name: "stderr", Text: "skipped: on stderr\n"}}
	if probs := Verify(nb, Instructor); len(probs) != 1 {
		t.Fatalf("want one problem for a skipped line on stderr, got %q", probs)
	}
}

func TestVerifyStudentNeedsStops(t *testing.T) {
	nb := readNB(t, "gonb_svg.ipynb")
	probs := Verify(nb, Student)
	if len(probs) != 1 || !strings.Contains(probs[0], "no open exercise") {
		t.Fatalf("student notebook without any stop: %q", probs)
	}
	// A check cell that ran cleanly in a student notebook is a problem.
	nb.Cells[2].Metadata = map[string]any{"tags": []any{"check"}}
	probs = Verify(nb, Student)
	if len(probs) != 2 || !strings.Contains(probs[0], "tagged check") {
		t.Fatalf("want the clean check cell reported, got %q", probs)
	}
}

func TestVerifyHTML(t *testing.T) {
	if p := VerifyHTML(`<script src="file:///usr/share/javascript/requirejs/require.min.js"></script><svg></svg>`); len(p) != 0 {
		t.Errorf("local script reported: %q", p)
	}
	for _, page := range []string{
		`<script src="https://cdn.plot.ly/plotly-2.js"></script>`,
		`<SCRIPT type="text/javascript" src='http://x/y.js'></SCRIPT>`,
		`<script src="//cdnjs.cloudflare.com/a.js"></script>`,
	} {
		if p := VerifyHTML(page); len(p) != 1 {
			t.Errorf("%s: got %q, want one problem", page, p)
		}
	}
}

// The committed notebooks are what the source generates.
func TestCommittedNotebooksUpToDate(t *testing.T) {
	src := filepath.Join("..", "..", "..", "notebooks", "src")
	if _, err := os.Stat(src); err != nil {
		t.Skip("no notebooks/src in this checkout")
	}
	files, err := Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		path := filepath.Join("..", "..", "..", "notebooks", f.Rel)
		old, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(old, f.Data) {
			t.Errorf("%s is not up to date with its source: run make notebooks", path)
		}
	}
}

func TestRunCheckAndWrite(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "s.md"), []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if rc := run([]string{"-src", src, "-out", dir, "-check"}, &out, &errb); rc != 1 {
		t.Fatalf("-check before generating: rc %d, want 1 (%s)", rc, errb.String())
	}
	if rc := run([]string{"-src", src, "-out", dir}, &out, &errb); rc != 0 {
		t.Fatalf("generate: rc %d: %s", rc, errb.String())
	}
	if rc := run([]string{"-src", src, "-out", dir, "-check"}, &out, &errb); rc != 0 {
		t.Fatalf("-check after generating: rc %d: %s", rc, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "student", "s.ipynb")); err != nil {
		t.Fatal(err)
	}
	if rc := run([]string{"verify", filepath.Join("testdata", "gonb_svg.ipynb")}, &out, &errb); rc != 0 {
		t.Fatalf("verify: rc %d: %s", rc, errb.String())
	}
	if rc := run([]string{"verify", "-student", filepath.Join("testdata", "gonb_failures.ipynb")}, &out, &errb); rc != 1 {
		t.Fatalf("verify -student of a notebook with a panic: rc %d, want 1", rc)
	}
}

func TestDisplaysOnlyInMainBody(t *testing.T) {
	nb := &Notebook{Cells: []NBCell{
		{CellType: "code", Source: "func show(f *plot.Figure) {\n\tgonbui.SendData(nil)\n}", ExecutionCount: new(int)},
		{CellType: "code", Source: "func f() {}\n%%\nshow(fig)\ngonbui.Sync()", ExecutionCount: new(int)},
		{CellType: "code", Source: "%%\nfmt.Println(showing(1))", ExecutionCount: new(int)},
		{CellType: "code", Source: "%%\ntutorial.Show(plot.PSTH(times, rates, 10, \"t\"))", ExecutionCount: new(int)},
	}}
	reps := Inspect(nb)
	if reps[0].Displays || !reps[1].Displays || reps[2].Displays || !reps[3].Displays {
		t.Errorf("Displays = %v %v %v %v, want false true false true", reps[0].Displays, reps[1].Displays, reps[2].Displays, reps[3].Displays)
	}
}

func TestProgramAssemblesLikeGoNB(t *testing.T) {
	src := "```go\nimport \"fmt\"\n\nfunc f() int { return 1 }\n```\n\n```go\n%goflags -ldflags=-s\n%%\nfmt.Println(f())\n```\n\n" +
		"```go\nimport \"strings\"\n\n// f is redeclared: the later one wins.\nfunc f() int { return len(strings.Fields(\"a b\")) }\n%%\nfmt.Println(f())\n```\n"
	cells, err := Parse("p.md", src)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Program("p", cells, Instructor)
	if err != nil {
		t.Fatal(err)
	}
	s := string(prog)
	for _, want := range []string{`"fmt"`, `"strings"`, "func cell1() {", "func cell2() {", "func main() {}", "strings.Fields"} {
		if !strings.Contains(s, want) {
			t.Errorf("program lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "func f()") != 1 || strings.Contains(s, "return 1") {
		t.Errorf("f must appear once, the later declaration:\n%s", s)
	}
	if strings.Contains(s, "goflags") {
		t.Errorf("special command kept:\n%s", s)
	}
}

// TypeCheck catches what a syntax check cannot: here the student blank leaves
// a variable unused, which GoNB refuses to compile.
func TestTypeCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	dir := filepath.Join("testdata", "tmp-typecheck")
	t.Cleanup(func() { os.RemoveAll(dir) })
	src := filepath.Join(dir, "src")
	write := func(s string) {
		if err := os.MkdirAll(src, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "s.md"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(sample)
	if err := TypeCheck(src, filepath.Join(dir, "out")); err != nil {
		t.Fatalf("sample must type-check: %v", err)
	}
	bad := strings.Replace(sample, "\treturn todo[int](\"Exercise 1: 2x\")\n", "\ty := x\n\treturn todo[int](\"Exercise 1: 2x\")\n", 1)
	write(bad)
	err := TypeCheck(src, filepath.Join(dir, "out"))
	if err == nil || !strings.Contains(err.Error(), "declared and not used") || !strings.Contains(err.Error(), "student") {
		t.Fatalf("want the unused variable of the student variant reported, got %v", err)
	}
}

// A cell that uses a name only a later cell declares type-checks as one Go
// file, but fails in GoNB, which compiles the cells in order: Program must
// refuse it. A local variable of the same name is not such a use.
func TestProgramRefusesUseBeforeDeclaringCell(t *testing.T) {
	early := "```go\nfunc f() int { return repeats }\n```\n\n```go\nconst repeats = 30\n```\n"
	cells, err := Parse("p.md", early)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Program("p", cells, Instructor)
	if err == nil || !strings.Contains(err.Error(), "uses repeats") || !strings.Contains(err.Error(), "line 6") {
		t.Fatalf("want an error naming repeats and the declaring cell's line, got %v", err)
	}
	ok := "```go\nconst repeats = 30\n```\n\n```go\nfunc f() int { return repeats }\n```\n\n" +
		"```go\nfunc g() int { seed := 1; return seed }\n```\n\n```go\nconst seed = 2\n```\n"
	if cells, err = Parse("p.md", ok); err != nil {
		t.Fatal(err)
	}
	if _, err := Program("p", cells, Instructor); err != nil {
		t.Fatalf("declaration order is fine here, got %v", err)
	}
}

// An exercise cell must forget its marker first (%rm), declare it again, and have a
// placeholder for each of its declarations in an earlier cell.
func TestExerciseCellsForgetTheirMarker(t *testing.T) {
	for name, c := range map[string]struct{ src, want string }{
		"no %rm": {strings.Replace(sample, "%rm exercise1Compiled\n", "", 1), "starts with `%rm exerciseNNCompiled`"},
		"not redeclared": {strings.Replace(sample, "\nvar exercise1Compiled = true\n", "\n", 1),
			"removes exercise1Compiled (%rm) but does not declare it again"},
		"no placeholder": {strings.Replace(sample, "func double(x int) int { return todo[int](\"Exercise 1: run its cell\") }\n", "", 1),
			"declares double, which no earlier cell declares"},
	} {
		if _, err := GenerateOne("s", c.src); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
	if _, err := GenerateOne("s", sample); err != nil {
		t.Fatal(err)
	}
}

// GoNB v0.11.5 follows a failed program's own words (stderr, then "exit status 1") with an
// error output "ERROR: exit status 1": the program's words are the failure.
func TestInspectGoNB0115ExitError(t *testing.T) {
	n := 1
	nb := &Notebook{Cells: []NBCell{{CellType: "code", ExecutionCount: &n, Source: "%%\ntodo()", Outputs: []Output{
		{OutputType: "stream", Name: "stderr", Text: "Student exercise: Exercise 2.1: fill in r, then run this cell again.\n"},
		{OutputType: "stream", Name: "stderr", Text: "exit status 1\n"},
		{OutputType: "error", EName: "ERROR", EValue: "exit status 1"},
	}}}}
	if r := Inspect(nb)[0]; !strings.HasPrefix(r.Error, StudentMarker) {
		t.Fatalf("error %q, want the Student exercise message", r.Error)
	}
	if probs := Verify(nb, Student); len(probs) != 0 {
		t.Fatalf("student verify: %q", probs)
	}
}
