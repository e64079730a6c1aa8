package main

// mistakes.go: the test of student mistakes. A spec next to a notebook source
// (notebooks/src/NAME.mistakes.json) lists plausible mistakes per exercise and runs
// of them; nbgen builds one notebook per run, in which each exercise cell is run once
// per attempt (a mistake, the blank, the solution), each followed by its check, and
// stores in every cell's metadata what its output must be. scripts/student-mistakes.sh
// executes them through the real kernel and `nbgen mistakes -verify` checks them:
// each mistake is reported in its own exercise's cells, in its terms, and no other cell
// fails or warns.

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// MistakeSpec is a NAME.mistakes.json file.
type MistakeSpec struct {
	// Mistakes by name.
	Mistakes map[string]Mistake `json:"mistakes"`
	// Passes: per exercise, what its check prints when the exercise is right.
	Passes map[string]string `json:"passes"`
	// Runs: one notebook execution each.
	Runs []MistakeRun `json:"runs"`
}

// Mistake is one plausible mistake in an exercise cell.
type Mistake struct {
	Exercise string `json:"exercise"` // as the cell's tutorial.Compiled names it
	What     string `json:"what"`     // in words, for the report
	// First is "blank" when the student ran the cell with its blanks before (the
	// mistake then follows a version that compiled).
	First string `json:"first,omitempty"`
	// Replace: [old, new] pairs applied to the solution; each old occurs once.
	Replace [][2]string `json:"replace"`
	// CompileError: the cell must not compile, and GoNB must name the cell's line
	// holding Line ("Cell[N]: Line M") with Message.
	CompileError *struct {
		Line    string `json:"line"`
		Message string `json:"message"`
	} `json:"compile_error,omitempty"`
	// Check: what the exercise's check cell must print (it must fail).
	Check []string `json:"check"`
}

// MistakeRun is one notebook execution: the attempts per exercise, in order (mistake
// names, "blank" or "solution"; the last one stays in effect for the cells below), and
// what other cells must print.
type MistakeRun struct {
	Name     string              `json:"name"`
	Attempts map[string][]string `json:"attempts"`
	Expect   []CellExpect        `json:"expect"`
}

// CellExpect names a cell by a piece of its source, and what it must print.
type CellExpect struct {
	Cell     string   `json:"cell"`
	Fails    bool     `json:"fails"`
	Contains []string `json:"contains"`
}

// expectation is stored in each generated cell's metadata (key "nmatools_mistakes").
type expectation struct {
	Label        string   `json:"label"`
	Fails        bool     `json:"fails"`
	Contains     []string `json:"contains,omitempty"`
	CompileLine  string   `json:"compile_line,omitempty"`
	CompileError string   `json:"compile_error,omitempty"`
}

const expectKey = "nmatools_mistakes"

var reCompiled = regexp.MustCompile(`tutorial\.Compiled\("([^"]+)"\)`)

// exerciseOf returns the exercise a cell declares itself compiled as ("" if none).
func exerciseOf(c Cell) string {
	if m := reCompiled.FindStringSubmatch(c.Code(Instructor)); m != nil {
		return m[1]
	}
	return ""
}

// MistakeNotebooks builds one notebook per run of spec for the source cells.
func MistakeNotebooks(name string, cells []Cell, spec *MistakeSpec) (map[string]*Notebook, error) {
	exCell, checkCell := map[string]int{}, map[string]int{}
	for i, c := range cells {
		if c.Kind != "code" || !c.Has("exercise") {
			continue
		}
		ex := exerciseOf(c)
		if ex == "" {
			return nil, fmt.Errorf("%s.md:%d: exercise cell without tutorial.Compiled(\"…\")", name, c.Line)
		}
		exCell[ex] = i
		for j := i + 1; j < len(cells); j++ {
			if cells[j].Kind == "code" && cells[j].Has("check") {
				checkCell[ex] = j
				break
			}
		}
		if _, ok := checkCell[ex]; !ok {
			return nil, fmt.Errorf("%s.md:%d: %s has no check cell after it", name, c.Line, ex)
		}
	}
	for mn, m := range spec.Mistakes {
		i, ok := exCell[m.Exercise]
		if !ok {
			return nil, fmt.Errorf("mistake %s: no exercise cell declares %q", mn, m.Exercise)
		}
		if _, err := m.code(cells[i]); err != nil {
			return nil, fmt.Errorf("mistake %s: %v", mn, err)
		}
		if len(m.Check) == 0 {
			return nil, fmt.Errorf("mistake %s: no check text: say what its check must print", mn)
		}
	}
	include := mistakeCells(cells, exCell)
	out := map[string]*Notebook{}
	for _, run := range spec.Runs {
		nb := &Notebook{Metadata: Build(name, nil, Instructor).Metadata, NBFormat: 4, NBFormatMinor: 5}
		add := func(code string, e *expectation) {
			meta := map[string]any{}
			if e != nil {
				meta[expectKey] = e
			}
			nb.Cells = append(nb.Cells, NBCell{CellType: "code", ID: fmt.Sprintf("m%03d", len(nb.Cells)), Metadata: meta, Source: MultiLine(code)})
		}
		byIndex := map[int]CellExpect{}
		for _, ce := range run.Expect {
			found := -1
			for i, c := range cells {
				if include[i] && c.Kind == "code" && strings.Contains(c.Code(Instructor), ce.Cell) {
					if found >= 0 {
						return nil, fmt.Errorf("run %s: %q matches more than one cell", run.Name, ce.Cell)
					}
					found = i
				}
			}
			if found < 0 {
				return nil, fmt.Errorf("run %s: no cell of the run has %q", run.Name, ce.Cell)
			}
			byIndex[found] = ce
		}
		for ex := range run.Attempts {
			if _, ok := exCell[ex]; !ok {
				return nil, fmt.Errorf("run %s: no exercise %q", run.Name, ex)
			}
		}
		for i, c := range cells {
			if !include[i] {
				continue
			}
			if ex := exerciseOf(c); ex != "" && c.Has("exercise") {
				attempts := run.Attempts[ex]
				if len(attempts) == 0 {
					attempts = []string{"solution"}
				}
				check := cells[checkCell[ex]].Code(Instructor)
				for _, a := range attempts {
					label := fmt.Sprintf("%s · %s · %s", run.Name, ex, a)
					switch a {
					case "solution", "blank":
						v := Instructor
						if a == "blank" {
							v = Student
						}
						add(c.Code(v), &expectation{Label: label + " · exercise cell"})
						pass := &expectation{Label: label + " · check", Contains: []string{spec.Passes[ex]}}
						if a == "blank" {
							pass = &expectation{Label: label + " · check", Fails: true, Contains: []string{StudentMarker + ": " + ex}}
						}
						add(check, pass)
					default:
						m, ok := spec.Mistakes[a]
						if !ok || m.Exercise != ex {
							return nil, fmt.Errorf("run %s: %s has no mistake %q", run.Name, ex, a)
						}
						if m.First == "blank" {
							add(c.Code(Student), &expectation{Label: label + " · first run, with the blanks"})
						}
						code, _ := m.code(c)
						e := &expectation{Label: label + " · exercise cell"}
						if ce := m.CompileError; ce != nil {
							e.Fails, e.CompileLine, e.CompileError = true, ce.Line, ce.Message
						}
						add(code, e)
						add(check, &expectation{Label: label + " · check", Fails: true, Contains: m.Check})
					}
				}
				continue
			}
			if c.Has("check") {
				continue // run after each attempt above
			}
			e := &expectation{Label: fmt.Sprintf("%s · %s (%s.md:%d)", run.Name, heading(cells, i), name, c.Line)}
			if ce, ok := byIndex[i]; ok {
				e.Fails, e.Contains = ce.Fails, ce.Contains
			}
			add(c.Code(Instructor), e)
		}
		out[run.Name] = nb
	}
	return out, nil
}

// heading is the last Markdown heading before cell i ("" when none).
func heading(cells []Cell, i int) string {
	for j := i - 1; j >= 0; j-- {
		if cells[j].Kind != "markdown" {
			continue
		}
		lines := strings.Split(cells[j].Text, "\n")
		for k := len(lines) - 1; k >= 0; k-- {
			if strings.HasPrefix(lines[k], "#") {
				return strings.TrimSpace(strings.TrimLeft(lines[k], "#"))
			}
		}
	}
	return "Setup"
}

// code is the exercise cell's code with the mistake: the solution with each
// replacement made once.
func (m Mistake) code(c Cell) (string, error) {
	code := c.Code(Instructor)
	if len(m.Replace) == 0 {
		return "", fmt.Errorf("no replacement")
	}
	for _, r := range m.Replace {
		if n := strings.Count(code, r[0]); n != 1 {
			return "", fmt.Errorf("%q occurs %d times in the solution of %s, want once", r[0], n, m.Exercise)
		}
		code = strings.Replace(code, r[0], r[1], 1)
	}
	if m.CompileError != nil && !strings.Contains(code, m.CompileError.Line) {
		return "", fmt.Errorf("the compile error's line %q is not in the mistaken code", m.CompileError.Line)
	}
	return code, nil
}

// mistakeCells selects the cells a run executes: the exercise and check cells, every
// cell whose main body uses an exercise's names (nothing else can change what a
// mistake does), and the declaration cells these need (their declarations, then the
// cells those use, and so on), plus cells of special commands only (the setup). Cells
// tagged interactive are left out.
func mistakeCells(cells []Cell, exCell map[string]int) map[int]bool {
	type info struct {
		declares, uses []string
		main           bool
	}
	infos := make([]info, len(cells))
	exNames := map[string]bool{}
	for i, c := range cells {
		if c.Kind != "code" {
			continue
		}
		code := c.Code(Instructor)
		f, err := parser.ParseFile(token.NewFileSet(), "cell.go", GoSource(code), 0)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			infos[i].declares = append(infos[i].declares, declNames(d)...)
		}
		for _, v := range []Variant{Instructor, Student} { // the blanks call todo
			if g, err := parser.ParseFile(token.NewFileSet(), "cell.go", GoSource(c.Code(v)), 0); err == nil {
				for _, id := range g.Unresolved {
					infos[i].uses = append(infos[i].uses, id.Name)
				}
			}
		}
		infos[i].main = reMainStart.MatchString(code)
		if len(f.Imports) > 0 || strings.TrimSpace(GoSource(code)) == "package main" {
			infos[i].declares = append(infos[i].declares, "\x00setup") // imports and special commands: always
		}
	}
	for _, i := range exCell {
		for _, n := range infos[i].declares {
			exNames[n] = true
		}
	}
	include := map[int]bool{}
	var queue []int
	for i, c := range cells {
		if c.Kind != "code" || c.Has("interactive") {
			continue
		}
		use := c.Has("exercise") || c.Has("check") || hasName(infos[i].declares, "\x00setup")
		for _, n := range infos[i].uses {
			use = use || exNames[n]
		}
		if use {
			include[i] = true
			queue = append(queue, i)
		}
	}
	// The placeholders: every earlier declaration of an exercise cell's names.
	for _, i := range exCell {
		for _, n := range infos[i].declares {
			for j := 0; j < i; j++ {
				if hasName(infos[j].declares, n) && !include[j] {
					include[j] = true
					queue = append(queue, j)
				}
			}
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, n := range infos[i].uses {
			for j := i - 1; j >= 0; j-- {
				if hasName(infos[j].declares, n) {
					if !include[j] {
						include[j] = true
						queue = append(queue, j)
					}
					break
				}
			}
		}
	}
	return include
}

func hasName(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

var reCellLine = regexp.MustCompile(`Cell\[(\d+)\]: Line (\d+)`)

// VerifyMistakes checks an executed mistakes notebook against the expectations in its
// cells' metadata. It returns the problems and, per cell with a label, what it printed
// first (for the report).
func VerifyMistakes(nb *Notebook) (probs, report []string) {
	reps := Inspect(nb)
	k := 0
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		r := reps[k]
		k++
		raw, _ := json.Marshal(c.Metadata[expectKey])
		var e expectation
		if err := json.Unmarshal(raw, &e); err != nil || e.Label == "" {
			probs = append(probs, fmt.Sprintf("cell %d: no expectation in its metadata", i))
			continue
		}
		text := cellText(c)
		at := e.Label
		failed := r.Error != ""
		switch {
		case e.Fails && !failed:
			probs = append(probs, at+": ran cleanly, want it to fail")
		case !e.Fails && failed:
			probs = append(probs, at+": failed: "+short(r.Error))
		}
		for _, w := range e.Contains {
			if !strings.Contains(text, w) {
				probs = append(probs, fmt.Sprintf("%s: does not say %q; it printed: %s", at, w, short(text)))
			}
		}
		if len(e.Contains) == 0 && e.CompileLine == "" {
			for _, bad := range []string{"error:", "warning:", StudentMarker} {
				if strings.Contains(text, bad) {
					probs = append(probs, fmt.Sprintf("%s: says %q where nothing is wrong: %s", at, bad, short(text)))
				}
			}
		}
		if e.CompileLine != "" {
			line := 0
			for n, l := range strings.Split(string(c.Source), "\n") {
				if strings.Contains(l, e.CompileLine) {
					line = n + 1
					break
				}
			}
			want := fmt.Sprintf("Cell[%d]: Line %d", execCount(c), line)
			m := reCellLine.FindString(text)
			if m != want || !strings.Contains(text, e.CompileError) {
				probs = append(probs, fmt.Sprintf("%s: the compile error must name %s (the line %q) and say %q; it printed: %s", at, want, e.CompileLine, e.CompileError, short(text)))
			}
		}
		if len(e.Contains) > 0 || e.CompileLine != "" || failed {
			msg := firstMessage(text)
			if i := strings.Index(text, "Cell["); e.CompileLine != "" && i >= 0 {
				if j := strings.Index(text[i:], e.CompileError); j >= 0 {
					msg = text[i : i+j+len(e.CompileError)] // GoNB's location and the compiler's message
				}
			}
			report = append(report, fmt.Sprintf("%s: %s", at, msg))
		}
	}
	return probs, report
}

func execCount(c NBCell) int {
	if c.ExecutionCount == nil {
		return -1
	}
	return *c.ExecutionCount
}

// cellText is everything a cell printed, as text: streams, errors, and GoNB's
// compile-error report without its markup.
func cellText(c NBCell) string {
	var b strings.Builder
	for _, o := range c.Outputs {
		switch o.OutputType {
		case "stream":
			b.WriteString(string(o.Text))
		case "error":
			b.WriteString(o.EName + ": " + o.EValue + "\n")
		case "display_data", "execute_result":
			if h, ok := o.Data["text/html"]; ok && strings.Contains(string(h), "gonb-err") {
				b.WriteString(htmlText(string(h)) + "\n")
			}
		}
	}
	return b.String()
}

// firstMessage is the first line that reports something: an error, a warning, an
// exercise stop, a compile error, or a check's confirmation.
func firstMessage(text string) string {
	for _, l := range strings.Split(text, "\n") {
		for _, k := range []string{"error:", "warning:", StudentMarker, "Cell[", "matches"} {
			if strings.Contains(l, k) {
				return strings.TrimSpace(l)
			}
		}
	}
	return "(nothing)"
}

func runMistakes(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nbgen mistakes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", "notebooks/src", "directory of notebook sources and their NAME.mistakes.json")
	out := fs.String("out", "build/mistakes", "where to write NAME.RUN.ipynb")
	verify := fs.Bool("verify", false, "verify executed notebooks (the arguments) instead of generating")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *verify {
		failed := false
		for _, path := range fs.Args() {
			b, err := os.ReadFile(path)
			if err != nil {
				fmt.Fprintln(stderr, "nbgen mistakes:", err)
				failed = true
				continue
			}
			nb, err := Decode(b)
			if err != nil {
				fmt.Fprintf(stderr, "nbgen mistakes: %s: %v\n", path, err)
				failed = true
				continue
			}
			probs, report := VerifyMistakes(nb)
			for _, r := range report {
				fmt.Fprintln(stdout, "  "+r)
			}
			for _, p := range probs {
				fmt.Fprintf(stderr, "nbgen mistakes: %s: %s\n", path, p)
			}
			if len(probs) > 0 {
				failed = true
			} else {
				fmt.Fprintf(stdout, "ok  %s (%d cells as expected)\n", path, len(nb.Cells))
			}
		}
		if failed {
			return 1
		}
		return 0
	}
	specs, err := filepath.Glob(filepath.Join(*src, "*.mistakes.json"))
	if err != nil || len(specs) == 0 {
		fmt.Fprintf(stderr, "nbgen mistakes: no *.mistakes.json in %s\n", *src)
		return 1
	}
	for _, sp := range specs {
		name := strings.TrimSuffix(filepath.Base(sp), ".mistakes.json")
		if err := writeMistakes(sp, filepath.Join(*src, name+".md"), name, *out, stdout); err != nil {
			fmt.Fprintln(stderr, "nbgen mistakes:", err)
			return 1
		}
	}
	return 0
}

func writeMistakes(specPath, srcPath, name, outDir string, stdout io.Writer) error {
	b, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var spec MistakeSpec
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return fmt.Errorf("%s: %v", specPath, err)
	}
	srcB, err := os.ReadFile(srcPath)
	if err != nil {
		return err
	}
	cells, err := Parse(name+".md", string(srcB))
	if err != nil {
		return err
	}
	nbs, err := MistakeNotebooks(name, cells, &spec)
	if err != nil {
		return fmt.Errorf("%s: %v", specPath, err)
	}
	runs := make([]string, 0, len(nbs))
	for r := range nbs {
		runs = append(runs, r)
	}
	sort.Strings(runs)
	for _, r := range runs {
		data, err := nbs[r].Encode()
		if err != nil {
			return err
		}
		path := filepath.Join(outDir, name+"."+r+".ipynb")
		if err := writeAtomic(path, data); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d cells)\n", path, len(nbs[r].Cells))
	}
	return nil
}
