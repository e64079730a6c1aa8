package tutorial

// study.go: the notebook's view of package study (the regularization × seed
// study): a small grid run in the notebook, and the study shipped in docs/study.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/study"
)

// StudyDir is where RunStudy keeps the cells of the study name:
// build/study/<name> in the repository. A rerun of the cell skips the cells
// already there; delete the directory to train them again.
func StudyDir(name string) string { return filepath.Join(repo.Dir(), "build", "study", name) }

// RunStudy runs grid g (study.Run: every cell trained with the regularized
// recipe and measured) on the notebook's backend, data and M1 PSTHs into
// StudyDir(name), with a progress bar, and returns its table.
func RunStudy(name string, g study.Grid) *study.Table {
	su, err := study.NewSetup(Backend(), Data(), M1())
	Check(err)
	_, err = study.Run(context.Background(), su, g, StudyDir(name), study.All,
		study.Options{OnProgress: Progress("study " + name), From: "notebook"})
	Check(err)
	t, err := study.ReadTable(StudyDir(name))
	Check(err)
	return t
}

// ShippedStudyDir is the study shipped with the repository (docs/study/run):
// its cells, the command that made them and where are in docs/study/README.md.
func ShippedStudyDir() string { return filepath.Join(repo.Dir(), "docs", "study", "run") }

// ShippedStudy returns the table of the study in ShippedStudyDir; ok is
// false, with why, when it is not there or unfinished.
func ShippedStudy() (t *study.Table, why string) {
	t, err := study.ReadTable(ShippedStudyDir())
	var miss *study.MissingError
	switch {
	case errors.As(err, &miss):
		return nil, fmt.Sprintf("the shipped study is unfinished (%d of %d cells missing)", len(miss.Missing), miss.Total)
	case err != nil:
		return nil, fmt.Sprintf("no shipped study (%v)", err)
	}
	return t, ""
}

// ShowStudy prints a study's table (backend and data first) and shows its
// figure.
func ShowStudy(t *study.Table) {
	if t == nil {
		Fail("ShowStudy: no table")
	}
	fmt.Printf("%d cells, epoch limit %d; backend %v; data %v\n", len(t.Rows), t.Grid.Epochs, t.Backends, t.Data)
	fmt.Print(t.Text())
	Show(t.Figure())
}
