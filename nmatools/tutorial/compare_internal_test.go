package tutorial

import (
	"errors"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/data"
)

// Without the file, RealM1 downloads it only when NMATOOLS_DOWNLOAD=1, and
// says why it could not.
func TestRealM1Downloads(t *testing.T) {
	copyOf, haveCopy := data.FindReal(data.ChurchlandFile)
	empty := t.TempDir()
	t.Setenv("NMATOOLS_SHARED_DATA", empty)
	t.Setenv("NMATOOLS_DATA", empty)
	old := fetchReal
	defer func() { fetchReal = old }()
	var asked []string
	fetchReal = func(name string) (string, error) {
		asked = append(asked, name)
		return "", errors.New("offline")
	}

	t.Setenv("NMATOOLS_DOWNLOAD", "")
	if m, why := RealM1(); m != nil || len(asked) != 0 || !strings.Contains(why, "NMATOOLS_DOWNLOAD=1") {
		t.Errorf("without NMATOOLS_DOWNLOAD: %v, %q, fetched %v", m, why, asked)
	}
	t.Setenv("NMATOOLS_DOWNLOAD", "1")
	if m, why := RealM1(); m != nil || len(asked) != 1 || asked[0] != data.ChurchlandFile || !strings.Contains(why, "offline") {
		t.Errorf("with NMATOOLS_DOWNLOAD=1, offline: %v, %q, fetched %v", m, why, asked)
	}

	// A successful download is loaded (the team's copy stands in for the network).
	if !haveCopy {
		t.Skip("no copy of the real data to stand in for a download (set NMATOOLS_SHARED_DATA)")
	}
	fetchReal = func(name string) (string, error) { return copyOf, nil }
	if m, why := RealM1(); m == nil || !m.Real || m.NumConditions() != 10 {
		t.Errorf("after a download: %v, %q", m, why)
	}
}
