package tutorial

// study.go: the notebook's view of package study (the regularization × seed
// study): a small grid run in the notebook, and the study shipped in docs/study.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/study"
)

// StudyGrid is a study's grid (study.Grid): rate penalties, weight
// penalties, seeds and the epoch limit.
type StudyGrid = study.Grid

// studyDir is where RunStudy keeps the cells of grid g run with setup su
// under the name name: build/study/<name>-<12 hex digits of a hash> in the
// repository, the hash of the grid, the data (su.Data: its label and
// fingerprints) and the measurement settings, so that a change of any of
// them starts a directory of its own instead of failing on the old one. A
// rerun of the cell skips the cells already there; delete the directory to
// train them again.
func studyDir(name string, g StudyGrid, su *study.Setup) string {
	b, err := json.Marshal(struct {
		Grid     StudyGrid      `json:"grid"`
		Data     study.DataInfo `json:"data"`
		Settings study.Settings `json:"settings"`
	}{g, su.Data, su.Settings})
	Check(err)
	h := sha256.Sum256(b)
	return filepath.Join(repo.Dir(), "build", "study", name+"-"+hex.EncodeToString(h[:6]))
}

// RunStudy runs grid g (study.Run: every cell trained with the regularized
// recipe and measured) on the notebook's backend, data and M1 PSTHs into
// build/study/<name>-<hash of the grid, data and settings>, with a progress
// bar, and returns its table. When that directory holds a study it cannot
// add to (e.g. one written by another nmatools version), the cell stops
// naming the directory to delete.
func RunStudy(name string, g StudyGrid) *study.Table {
	Check(g.Validate())
	b, err := getBackend()
	Check(err)
	su, err := study.NewSetup(b, Data(), M1())
	Check(err)
	dir := studyDir(name, g, su)
	_, err = study.Run(context.Background(), su, g, dir, study.All,
		study.Options{OnProgress: progress("study " + name), From: "notebook"})
	Check(notebookStudyError(err))
	t, err := study.ReadTable(dir)
	Check(notebookStudyError(err))
	return t
}

// notebookStudyError rewrites the advice of a study's mismatch error for
// the notebook, which has no --out to choose: delete the directory.
func notebookStudyError(err error) error {
	var mm *study.MismatchError
	if errors.As(err, &mm) {
		return fmt.Errorf("study: %s: delete %s and run this cell again", mm.Why, mm.Dir)
	}
	return err
}

// shippedStudyDir is the study shipped with the repository (docs/study/run):
// its cells, the command that made them and where are in docs/study/README.md.
func shippedStudyDir() string { return filepath.Join(repo.Dir(), "docs", "study", "run") }

// ShippedStudy returns the table of the study shipped in docs/study/run; ok is
// false, with why, when it is not there or unfinished.
func ShippedStudy() (t *study.Table, why string) {
	t, err := study.ReadTable(shippedStudyDir())
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
	fmt.Printf("%d cells, epoch limit %d; backend %s; data %s\n", len(t.Rows), t.Grid.Epochs,
		strings.Join(t.Backends, ", "), strings.Join(t.Data, ", "))
	fmt.Print(t.Text())
	Show(t.Figure())
}
