package tutorial

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/study"
)

// TestNotebookStudyError: in the notebook a study's mismatch says which
// directory to delete, not to choose another --out (a cell has no flags);
// other errors pass unchanged.
func TestNotebookStudyError(t *testing.T) {
	mm := &study.MismatchError{Dir: "build/study/small-0123", File: "build/study/small-0123/shards/0-of-1.json",
		Why: "build/study/small-0123 holds a study in format version 0"}
	msg := notebookStudyError(fmt.Errorf("wrapped: %w", mm)).Error()
	if !strings.Contains(msg, "format version 0") || !strings.Contains(msg, "delete build/study/small-0123 and run this cell again") ||
		strings.Contains(msg, "--out") {
		t.Errorf("notebook's mismatch error: %q", msg)
	}
	other := errors.New("x")
	if notebookStudyError(other) != other || notebookStudyError(nil) != nil {
		t.Error("other errors are changed")
	}
}
