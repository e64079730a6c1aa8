package notice

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

func TestSetOutputAndRestore(t *testing.T) {
	var a, b bytes.Buffer
	prev := SetOutput(&a)
	Printf("one %d", 1)
	if got := SetOutput(&b); got != &a {
		t.Fatalf("SetOutput returned %v, want the previous writer", got)
	}
	Printf("two\n")
	SetOutput(nil) // nowhere
	Printf("three")
	SetOutput(prev)
	if a.String() != "one 1\n" || b.String() != "two\n" {
		t.Errorf("a %q, b %q", a.String(), b.String())
	}
}

// Concurrent notices arrive as whole lines.
func TestConcurrentLinesDoNotInterleave(t *testing.T) {
	var buf bytes.Buffer
	defer SetOutput(SetOutput(&buf))
	line := strings.Repeat("x", 200)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				Printf("%s", line)
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	for _, l := range lines {
		if l != line {
			t.Fatalf("an interleaved line: %.60q", l)
		}
	}
}
