// Command nbgen generates the tutorial notebooks from their one source and
// verifies executed notebooks (in the spirit of Neuromatch's nmaci).
//
// Generate (the default):
//
//	nbgen -src notebooks/src -out notebooks [-check]
//
// Every notebooks/src/NAME.md becomes notebooks/NAME.ipynb (instructor:
// solutions in place) and notebooks/student/NAME.ipynb (student: exercise
// cells keep their blanks, which stop the cell with a "Student exercise: …"
// message, followed by a "Click for solution" block). Every code cell of both
// variants must parse as Go. With -check nothing is written: nbgen fails when
// a generated notebook differs from the file on disk. With -typecheck DIR, both
// variants are also assembled into Go programs the way GoNB accumulates cells and
// type-checked with go vet (catches, e.g., a variable a student blank leaves unused).
//
// Verify executed notebooks (scripts/run-notebooks.sh calls this):
//
//	nbgen verify [-student] EXECUTED.ipynb... [PAGE.html...]
//
// Instructor notebooks must have no failed cell and a stored image for every
// cell that draws; in student notebooks every failure must be a "Student
// exercise" stop and every check cell must stop that way. HTML pages must not
// load scripts from the network.
//
// The test of student mistakes (scripts/student-mistakes.sh calls this):
//
//	nbgen mistakes [-src notebooks/src] [-out build/mistakes]
//	nbgen mistakes -verify EXECUTED.ipynb...
//
// builds, from each NAME.mistakes.json next to a source, one notebook per run of
// plausible mistakes (each exercise cell once per attempt, each followed by its check,
// with what every cell must print in its metadata), and verifies them once executed.
//
// Source format: Markdown. Each ```go fence is a code cell; its info string
// may add tags: exercise, check, hide-input, interactive. The text between
// fences is markdown ("<!-- cell -->" splits it). Inside an exercise cell,
// lines holding only //nb:solution, //nb:student and //nb:end delimit the
// instructor's and the student's code. An exercise cell starts with
// `%rm exerciseNNCompiled` and declares that variable again after its functions
// (var exerciseNNCompiled = tutorial.Compiled("Exercise N")), and an earlier cell
// declares a placeholder for every name it declares: GoNB keeps a cell's
// declarations only when it compiles, so the checks can tell a cell that did not
// compile from an older version of it (see checkExercises).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "verify" {
		return runVerify(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "mistakes" {
		return runMistakes(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("nbgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", "notebooks/src", "directory of notebook sources (NAME.md)")
	out := fs.String("out", "notebooks", "output directory (instructor notebooks; student ones go to OUT/student)")
	check := fs.Bool("check", false, "write nothing; fail if a generated notebook differs from the one on disk")
	typecheck := fs.String("typecheck", "", "also type-check both variants: assemble each as GoNB would into `DIR`/NAME/VARIANT/main.go (inside this module, e.g. build/nbcheck) and go vet it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	files, err := Generate(*src)
	if err != nil {
		fmt.Fprintln(stderr, "nbgen:", err)
		return 1
	}
	stale := 0
	for _, f := range files {
		path := filepath.Join(*out, f.Rel)
		if *check {
			old, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(old, f.Data) {
				fmt.Fprintf(stderr, "nbgen: %s is not up to date with its source (run: go run ./nmatools/cmd/nbgen -src %s -out %s)\n", path, *src, *out)
				stale++
			}
			continue
		}
		if err := writeAtomic(path, f.Data); err != nil {
			fmt.Fprintln(stderr, "nbgen:", err)
			return 1
		}
		fmt.Fprintln(stdout, "wrote", path)
	}
	if stale > 0 {
		return 1
	}
	if *typecheck != "" {
		if err := TypeCheck(*src, *typecheck); err != nil {
			fmt.Fprintln(stderr, "nbgen:", err)
			return 1
		}
		fmt.Fprintln(stdout, "nbgen: both variants type-check")
	}
	if *check {
		fmt.Fprintf(stdout, "nbgen: %d notebooks up to date\n", len(files))
	}
	return 0
}

// File is one generated notebook, with its path relative to the output dir.
type File struct {
	Rel  string
	Data []byte
}

// Generate reads every *.md in srcDir and returns the notebooks to write.
func Generate(srcDir string) ([]File, error) {
	matches, err := filepath.Glob(filepath.Join(srcDir, "*.md"))
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no notebook sources (*.md) in %s", srcDir)
	}
	sort.Strings(matches)
	var files []File
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(m), ".md")
		fs, err := GenerateOne(name, string(b))
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	return files, nil
}

// GenerateOne builds both variants of one source.
func GenerateOne(name, src string) ([]File, error) {
	cells, err := Parse(name+".md", src)
	if err != nil {
		return nil, err
	}
	for _, v := range []Variant{Instructor, Student} {
		for _, c := range cells {
			if err := CheckSyntax(name+".md", c, v); err != nil {
				return nil, err
			}
		}
	}
	if err := checkExercises(name+".md", cells); err != nil {
		return nil, err
	}
	var files []File
	for _, v := range []Variant{Instructor, Student} {
		data, err := Build(name, cells, v).Encode()
		if err != nil {
			return nil, err
		}
		rel := name + ".ipynb"
		if v == Student {
			rel = filepath.Join("student", rel)
		}
		files = append(files, File{Rel: rel, Data: data})
	}
	return files, nil
}

// writeAtomic writes data to path (0644) through a temporary file, creating its directory.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nbgen verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	student := fs.Bool("student", false, "the notebooks are student notebooks (exercise stops allowed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: nbgen verify [-student] EXECUTED.ipynb... [PAGE.html...]")
		return 2
	}
	v := Instructor
	if *student {
		v = Student
	}
	failed := false
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(stderr, "nbgen verify:", err)
			failed = true
			continue
		}
		var probs []string
		summary := ""
		if strings.HasSuffix(path, ".html") {
			probs = VerifyHTML(string(b))
			summary = fmt.Sprintf("%d bytes, no external scripts", len(b))
		} else {
			nb, err := Decode(b)
			if err != nil {
				fmt.Fprintf(stderr, "nbgen verify: %s: not a notebook: %v\n", path, err)
				failed = true
				continue
			}
			probs = Verify(nb, v)
			summary = Summary(nb)
		}
		if len(probs) > 0 {
			failed = true
			for _, p := range probs {
				fmt.Fprintf(stderr, "nbgen verify: %s: %s\n", path, p)
			}
			continue
		}
		fmt.Fprintf(stdout, "ok  %s (%s)\n", path, summary)
	}
	if failed {
		return 1
	}
	return 0
}
