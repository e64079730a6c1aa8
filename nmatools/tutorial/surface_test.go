package tutorial

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/repo"
)

// extras are the exported names of this package that no notebook cell, other package
// or command uses, kept for notebook authors; each says why. At most two.
var extras = map[string]string{
	"Load":       "a network from any checkpoint file (directory, weights .npz, .pth), for notebooks that bring their own",
	"FullRecipe": "the epoch budget of the full recipes, which the text of \"Train it yourself\" tells readers to set",
}

// TestSurfaceIsWhatCellsUse: every exported function, constant, variable and type of the
// package, and every exported method of its exported types, is used by a code cell of
// the notebook source, by another package or by a command (code, not comments or prose;
// types also count as used when a used name's signature or fields show them), except
// the documented extras. Run with -v to see the counts.
func TestSurfaceIsWhatCellsUse(t *testing.T) {
	root, err := repo.Root()
	if err != nil {
		t.Skip(err)
	}
	if len(extras) > 2 {
		t.Fatalf("%d extras; at most two exported names may serve no cell, package or command", len(extras))
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	type decl struct {
		kind, name string
		node       ast.Node // what a used name shows of other types (signature, fields)
		doc        *ast.CommentGroup
	}
	var top []decl
	methods := map[string]decl{} // "Type.Method"
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if !d.Name.IsExported() {
						continue
					}
					if d.Recv == nil {
						top = append(top, decl{"func", d.Name.Name, d.Type, d.Doc})
						continue
					}
					recv := d.Recv.List[0].Type
					if s, ok := recv.(*ast.StarExpr); ok {
						recv = s.X
					}
					if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
						methods[id.Name+"."+d.Name.Name] = decl{"method", d.Name.Name, d.Type, d.Doc}
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() {
									doc := s.Doc
									if doc == nil {
										doc = d.Doc
									}
									var typ ast.Node // nil when the value's type is inferred
									if s.Type != nil {
										typ = s.Type
									}
									top = append(top, decl{d.Tok.String(), n.Name, typ, doc})
								}
							}
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								doc := s.Doc
								if doc == nil {
									doc = d.Doc
								}
								top = append(top, decl{"type", s.Name.Name, s.Type, doc})
							}
						}
					}
				}
			}
		}
	}

	// What uses the package: the Go code of the notebook source's cells (comments
	// removed), and the selectors of every other package and command.
	var cells strings.Builder
	mds, _ := filepath.Glob(filepath.Join(root, "notebooks", "src", "*.md"))
	goBlock := regexp.MustCompile("(?s)```go[^\n]*\n(.*?)```")
	comment := regexp.MustCompile(`(?m)//.*$`)
	for _, md := range mds {
		b, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goBlock.FindAllStringSubmatch(string(b), -1) {
			cells.WriteString(comment.ReplaceAllString(m[1], "") + "\n")
		}
	}
	if cells.Len() == 0 {
		t.Fatal("no Go cells found in notebooks/src")
	}
	qualified := map[string]bool{} // tutorial.X in other packages
	selected := map[string]bool{}  // any .X in other packages
	err = filepath.WalkDir(filepath.Join(root, "nmatools"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == filepath.Join(root, "nmatools", "tutorial") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				selected[s.Sel.Name] = true
				if x, ok := s.X.(*ast.Ident); ok && x.Name == "tutorial" {
					qualified[s.Sel.Name] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	usedTop := func(name string) bool {
		return qualified[name] || regexp.MustCompile(`\btutorial\.`+name+`\b`).MatchString(cells.String())
	}
	usedMethod := func(name string) bool {
		return selected[name] || regexp.MustCompile(`\.`+name+`\b`).MatchString(cells.String())
	}

	used := map[string]bool{}
	var shown []ast.Node // signatures and fields of used names
	for _, d := range top {
		if d.kind != "type" && usedTop(d.name) {
			used[d.name] = true
			shown = append(shown, d.node)
		}
	}
	for _, d := range top {
		if d.kind == "type" && usedTop(d.name) {
			used[d.name] = true
			shown = append(shown, d.node)
		}
	}
	for k, m := range methods {
		typ := strings.SplitN(k, ".", 2)[0]
		// String and Error serve fmt, not callers by name.
		if m.name == "String" || m.name == "Error" || usedMethod(m.name) {
			used[k] = true
			if used[typ] {
				shown = append(shown, m.node)
			}
		}
	}
	// A type a used name shows (in a signature or a field) is used; repeat until nothing changes.
	for changed := true; changed; {
		changed = false
		for _, n := range shown {
			if n == nil {
				continue
			}
			ast.Inspect(n, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && !used[id.Name] {
					for _, d := range top {
						if d.kind == "type" && d.name == id.Name {
							used[id.Name] = true
							shown = append(shown, d.node)
							changed = true
						}
					}
				}
				return true
			})
		}
	}

	var unused, extraNames []string
	funcsAndConsts := 0
	for _, d := range top {
		if d.kind != "type" {
			funcsAndConsts++
		}
		if used[d.name] {
			continue
		}
		if why, ok := extras[d.name]; ok {
			if d.doc == nil || why == "" {
				t.Errorf("extra %s %s has no doc comment or reason", d.kind, d.name)
			}
			extraNames = append(extraNames, d.name)
			continue
		}
		unused = append(unused, d.kind+" "+d.name)
	}
	for k := range methods {
		if !used[k] {
			unused = append(unused, "method "+k)
		}
	}
	for name := range extras {
		if used[name] {
			t.Errorf("%s is listed as an extra but is used: take it off the list", name)
		}
	}
	sort.Strings(unused)
	sort.Strings(extraNames)
	t.Logf("%d exported names (%d functions, constants and variables, %d methods); extras %v; unused %v",
		len(top)+len(methods), funcsAndConsts, len(methods), extraNames, unused)
	if len(unused) > 0 {
		t.Errorf("exported but used by no cell, package or command: %s (unexport, remove, or document it as one of at most two extras)",
			strings.Join(unused, ", "))
	}
}
