package tutorial

import "io"

// SetHooks replaces, for a test, how failures end the program, where
// failures and one-time notices are written, and whether the program counts
// as a notebook cell. restore puts the originals back.
func SetHooks(exitFn func(int), errW, outW io.Writer, notebook bool) (restore func()) {
	oldExit, oldErr, oldOut, oldNB := exit, stderr, stdout, inNotebook
	exit, stderr, stdout, inNotebook = exitFn, errW, outW, func() bool { return notebook }
	return func() { exit, stderr, stdout, inNotebook = oldExit, oldErr, oldOut, oldNB }
}

// Once is once, for tests.
func Once(msg string) { once(msg) }
