package tutorial

import "io"

// SetHooks replaces, for a test, how failures end the program, where
// failures and one-time notices are written, and whether the program counts
// as a notebook cell. restore puts the originals back.
func SetHooks(exitFn func(int), errW, outW io.Writer, notebook bool) (restore func()) {
	oldExit, oldErr, oldOut, oldNB := exitCell, failOut, noticeOut, cellMode
	exitCell, failOut, noticeOut, cellMode = exitFn, errW, outW, func() bool { return notebook }
	return func() { exitCell, failOut, noticeOut, cellMode = oldExit, oldErr, oldOut, oldNB }
}

// Once is once, for tests.
func Once(msg string) { showOnce(msg) }

// StudyDir and ShippedStudyDir are studyDir and shippedStudyDir, for tests.
var (
	StudyDir        = studyDir
	ShippedStudyDir = shippedStudyDir
)
