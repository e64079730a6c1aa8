package notice

import (
	"fmt"
	"io"
	"os"
	"sync"
)

var (
	mu  sync.Mutex
	out io.Writer = os.Stderr
)

// SetOutput sends the notices to w (io.Discard: nowhere; nil counts as io.Discard) and
// returns where they went before, so that a test can put it back:
//
//	defer notice.SetOutput(notice.SetOutput(&buf))
func SetOutput(w io.Writer) (previous io.Writer) {
	if w == nil {
		w = io.Discard
	}
	mu.Lock()
	defer mu.Unlock()
	previous, out = out, w
	return previous
}

// Printf writes one notice, a line ending in a newline (added when format has none).
// Notices from concurrent calls do not interleave.
func Printf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if len(msg) == 0 || msg[len(msg)-1] != '\n' {
		msg += "\n"
	}
	mu.Lock()
	defer mu.Unlock()
	_, _ = io.WriteString(out, msg)
}
