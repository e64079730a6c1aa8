package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
)

// checkExercises enforces what keeps an old version of an exercise from answering
// after the exercise cell fails to compile. GoNB keeps a cell's declarations only when
// the cell compiles, so:
//
//   - an exercise cell starts with `%rm NAME…`, each NAME a variable the cell declares
//     again (exerciseNNCompiled = tutorial.Compiled(…)): a program without it holds an
//     older version of the cell, and the checks say that the cell did not compile;
//   - every name an exercise cell declares is declared by an earlier cell too (a
//     placeholder): the %rm then finds its variable on the first run, and a cell that
//     calls an exercise's function compiles (and says so) before the exercise cell has.
func checkExercises(name string, cells []Cell) error {
	before := map[string]bool{}
	for _, c := range cells {
		if c.Kind != "code" {
			continue
		}
		code := c.Code(Instructor)
		f, err := parser.ParseFile(token.NewFileSet(), "cell.go", GoSource(code), 0)
		if err != nil {
			return nil // CheckSyntax reports it
		}
		var names []string
		vars := map[string]bool{}
		for _, d := range f.Decls {
			names = append(names, declNames(d)...)
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, n := range declNames(g) {
					vars[n] = true
				}
			}
		}
		if c.Has("exercise") {
			first := strings.Fields(strings.TrimSpace(strings.SplitN(strings.TrimSpace(code), "\n", 2)[0]))
			if len(first) < 2 || first[0] != "%rm" {
				return fmt.Errorf("%s:%d: an exercise cell starts with `%%rm exerciseNNCompiled` (GoNB forgets that variable before compiling the cell), then declares `var exerciseNNCompiled = tutorial.Compiled(\"Exercise N\")`: without it, after a compile error an older version of the cell would answer", name, c.Line)
			}
			for _, v := range first[1:] {
				if !vars[v] {
					return fmt.Errorf("%s:%d: the exercise cell removes %s (%%rm) but does not declare it again as a variable (var %s = tutorial.Compiled(\"Exercise N\"))", name, c.Line, v, v)
				}
			}
			for _, n := range names {
				if !before[n] {
					return fmt.Errorf("%s:%d: the exercise cell declares %s, which no earlier cell declares: declare a placeholder for it before the exercise (a variable, or a function whose body is tutorial.NotCompiled), so that %%rm finds it on the first run and cells calling it compile before the exercise cell has", name, c.Line, n)
				}
			}
		}
		for _, n := range names {
			before[n] = true
		}
	}
	return nil
}
