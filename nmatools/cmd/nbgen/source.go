package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// Cell is one notebook cell of a source, before it is split into the
// instructor and student variants.
type Cell struct {
	Kind string   // "markdown" or "code"
	Tags []string // from the fence's info string (code cells)
	Line int      // 1-based line of the cell's first source line
	// Text is the markdown text, or the code with its nb: region markers.
	Text string
}

// Has reports whether the cell carries tag t.
func (c Cell) Has(t string) bool {
	for _, x := range c.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// Region markers inside an exercise cell (a line holding only the marker,
// after trimming): code between //nb:solution and //nb:student (or
// //nb:end) is the instructor's; code between //nb:student and //nb:end
// is the student's; everything else is shared.
const (
	markSolution = "//nb:solution"
	markStudent  = "//nb:student"
	markEnd      = "//nb:end"
)

// Known tags of code cells.
var knownTags = map[string]string{
	"exercise":    "code with //nb:solution and //nb:student regions; the student notebook gets the student code and a \"Click for solution\" block",
	"check":       "a check of the exercise above: in the student notebook it must stop with \"Student exercise\"",
	"hide-input":  "the cell's source starts collapsed (\"Hide code cell source\")",
	"interactive": "a widget cell; headless it renders its default once",
}

// Parse splits a notebook source (Markdown with ```go fenced code cells) into
// cells. Markdown between code cells becomes markdown cells; a line
// "<!-- cell -->" splits a markdown cell. A fence's info string is "go"
// followed by tags (see knownTags).
func Parse(name, src string) ([]Cell, error) {
	var cells []Cell
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var md []string
	mdStart := 1
	flushMD := func() {
		text := strings.Trim(strings.Join(md, "\n"), "\n")
		if strings.TrimSpace(text) != "" {
			cells = append(cells, Cell{Kind: "markdown", Line: mdStart, Text: text})
		}
		md = nil
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		switch {
		case trimmed == "<!-- cell -->":
			flushMD()
			mdStart = i + 2
		case strings.HasPrefix(l, "```go"):
			flushMD()
			fields := strings.Fields(strings.TrimPrefix(l, "```"))
			if fields[0] != "go" {
				return nil, fmt.Errorf("%s:%d: a code fence must start with ```go, got %q", name, i+1, l)
			}
			tags := fields[1:]
			for _, t := range tags {
				if _, ok := knownTags[t]; !ok {
					return nil, fmt.Errorf("%s:%d: unknown cell tag %q (known: %s)", name, i+1, t, tagList())
				}
			}
			start := i + 1
			var code []string
			closed := false
			for i++; i < len(lines); i++ {
				if strings.TrimRight(lines[i], " \t") == "```" {
					closed = true
					break
				}
				code = append(code, lines[i])
			}
			if !closed {
				return nil, fmt.Errorf("%s:%d: code fence opened here is never closed with ```", name, start)
			}
			c := Cell{Kind: "code", Tags: tags, Line: start + 1, Text: strings.Join(code, "\n")}
			if strings.TrimSpace(c.Text) == "" {
				return nil, fmt.Errorf("%s:%d: empty code cell", name, start)
			}
			if err := checkRegions(name, c); err != nil {
				return nil, err
			}
			cells = append(cells, c)
			mdStart = i + 2
		case strings.HasPrefix(trimmed, "```"):
			// Any other fence is markdown (e.g. ```text): copy it verbatim.
			md = append(md, l)
			for i++; i < len(lines); i++ {
				md = append(md, lines[i])
				if strings.TrimSpace(lines[i]) == "```" {
					break
				}
			}
		default:
			if len(md) == 0 && trimmed == "" {
				mdStart = i + 2
				continue
			}
			md = append(md, l)
		}
	}
	flushMD()
	if len(cells) == 0 {
		return nil, fmt.Errorf("%s: no cells", name)
	}
	return cells, nil
}

func tagList() string {
	var ts []string
	for t := range knownTags {
		ts = append(ts, t)
	}
	sortStrings(ts)
	return strings.Join(ts, ", ")
}

// checkRegions validates the region markers of a code cell.
func checkRegions(name string, c Cell) error {
	exercise := c.Has("exercise")
	state := "" // "", "solution", "student"
	nSol, nStu := 0, 0
	for k, l := range strings.Split(c.Text, "\n") {
		at := fmt.Sprintf("%s:%d", name, c.Line+k)
		switch strings.TrimSpace(l) {
		case markSolution:
			if !exercise {
				return fmt.Errorf("%s: %s in a cell not tagged exercise (```go exercise)", at, markSolution)
			}
			if state != "" {
				return fmt.Errorf("%s: %s inside an open region (close it with %s)", at, markSolution, markEnd)
			}
			state = "solution"
			nSol++
		case markStudent:
			if !exercise {
				return fmt.Errorf("%s: %s in a cell not tagged exercise (```go exercise)", at, markStudent)
			}
			if state == "student" {
				return fmt.Errorf("%s: %s inside a student region", at, markStudent)
			}
			state = "student"
			nStu++
		case markEnd:
			if state == "" {
				return fmt.Errorf("%s: %s without an open region", at, markEnd)
			}
			state = ""
		}
	}
	if state != "" {
		return fmt.Errorf("%s:%d: %s region not closed with %s", name, c.Line, state, markEnd)
	}
	if exercise && (nSol == 0 || nStu == 0) {
		return fmt.Errorf("%s:%d: exercise cell needs at least one %s and one %s region", name, c.Line, markSolution, markStudent)
	}
	return nil
}

// Variant selects the instructor's or the student's code.
type Variant int

const (
	Instructor Variant = iota
	Student
)

func (v Variant) String() string {
	if v == Student {
		return "student"
	}
	return "instructor"
}

// Code returns the code of an exercise cell for variant v (other cells are
// returned unchanged).
func (c Cell) Code(v Variant) string {
	var out []string
	state := ""
	for _, l := range strings.Split(c.Text, "\n") {
		switch strings.TrimSpace(l) {
		case markSolution:
			state = "solution"
			continue
		case markStudent:
			state = "student"
			continue
		case markEnd:
			state = ""
			continue
		}
		if state == "solution" && v == Student || state == "student" && v == Instructor {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// GoSource turns a GoNB cell into a Go file for a syntax check: lines of
// special commands (!…, %…) are dropped, the code after "%%" becomes the
// body of main.
func GoSource(cell string) string {
	var top, body []string
	inMain := false
	for _, l := range strings.Split(cell, "\n") {
		t := strings.TrimSpace(l)
		if t == "%%" || strings.HasPrefix(t, "%% ") {
			inMain = true
			continue
		}
		if strings.HasPrefix(t, "!") || strings.HasPrefix(t, "%") {
			top = append(top, "")
			continue
		}
		if inMain {
			body = append(body, l)
		} else {
			top = append(top, l)
		}
	}
	src := "package main\n" + strings.Join(top, "\n") + "\n"
	if inMain {
		src += "func main() {\n" + strings.Join(body, "\n") + "\n}\n"
	}
	return src
}

// CheckSyntax parses a cell's Go code; the error names the source line.
func CheckSyntax(name string, c Cell, v Variant) error {
	if c.Kind != "code" {
		return nil
	}
	code := c.Code(v)
	if strings.TrimSpace(GoSource(code)) == "package main" {
		return nil // only special commands
	}
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "cell.go", GoSource(code), parser.AllErrors); err != nil {
		return fmt.Errorf("%s: cell at line %d (%s variant) does not parse as Go: %v", name, c.Line, v, err)
	}
	return nil
}
