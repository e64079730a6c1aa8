package tutorial

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/janpfeifer/gonb/gonbui"
)

// exitCell ends the program; tests replace it.
var exitCell = os.Exit

// stopping is set when the cell stops with a message (see attributed).
var stopping atomic.Bool

// stopCell ends the cell program after its message.
func stopCell() {
	stopping.Store(true)
	exitCell(1)
}

// failOut and noticeOut are where failures and one-time notices go; tests replace them.
var (
	failOut   io.Writer = os.Stderr
	noticeOut io.Writer = os.Stdout
)

// cellMode reports whether the program is a GoNB cell; tests replace it.
var cellMode = func() bool { return gonbui.IsNotebook }

// Check stops the cell when err is not nil: in a notebook it prints
// "error: <err>" on one line and exits with status 1; elsewhere it panics
// with err. Use it for errors of the library packages a cell calls directly.
func Check(err error) {
	if err == nil {
		return
	}
	if prefix := currentFailContext(); prefix != "" {
		err = fmt.Errorf("%s%w", prefix, err)
	}
	if cellMode() {
		fmt.Fprintln(failOut, "error:", err)
		stopCell()
		return
	}
	panic(err)
}

// Fail is Check(fmt.Errorf(format, args...)).
func Fail(format string, args ...any) {
	Check(fmt.Errorf(format, args...))
}

// Todo marks a blank of a student exercise: it stops the cell with
// "Student exercise: <exercise>: fill in <what>, then run this cell again."
// (no stack trace). Solved exercises never call it. When the exercise's cell did not
// compile (see Compiled), the blank that answers is an older version of the cell: then
// it says that the cell did not compile.
func Todo[T any](exercise, what string) T {
	if msg := staleExercise(exercise); msg != "" {
		fmt.Fprintln(failOut, "error:", msg)
	} else {
		fmt.Fprintf(failOut, "Student exercise: %s: fill in %s, then run this cell again.\n", exercise, what)
	}
	stopCell()
	var zero T
	return zero
}

// once prints msg in a notebook, once per kernel: GoNB runs every cell as a
// new program, so the kernel's temporary directory ($GONB_TMP_DIR) remembers
// what was shown. Outside a notebook it prints nothing.
func showOnce(msg string) {
	if !cellMode() {
		return
	}
	if dir := os.Getenv("GONB_TMP_DIR"); dir != "" {
		sum := sha256.Sum256([]byte(msg))
		marker := filepath.Join(dir, "nmatools-shown-"+hex.EncodeToString(sum[:8]))
		if _, err := os.Stat(marker); err == nil {
			return
		}
		_ = os.WriteFile(marker, nil, 0o644) // at worst the message shows again
	}
	fmt.Fprintln(noticeOut, msg)
}
