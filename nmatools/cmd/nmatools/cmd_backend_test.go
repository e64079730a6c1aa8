package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestBackendCommand(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"backend"}, &out, &errw); code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	for _, want := range []string{"Backend:", "GOMLX_BACKEND", "search directories"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := run([]string{"backend", "extra"}, &out, &errw); code == 0 {
		t.Error("backend with an extra argument succeeded")
	}
}
