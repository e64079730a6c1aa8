package study

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
)

// The layout of a study directory.
const (
	cellsDir  = "cells"  // one <Cell.Name>.json per finished cell
	shardsDir = "shards" // one <I>-of-<N>.json manifest per shard that ran
	// formatVersion is the version of the files' layout; files of another
	// version are not read as finished.
	formatVersion = 1
	// maxFileBytes bounds the files read back.
	maxFileBytes = 1 << 20
)

// Row is one line of the table: a cell and its measures. A measure is nil
// (null in JSON) when it could not be taken; Failed says why.
type Row struct {
	Cell
	ValMSE      *float64 `json:"val_mse"`
	InputError  *float64 `json:"input_error"`
	WeightError *float64 `json:"weight_error"`
	CCAMean     *float64 `json:"cca_mean"`
	JPCAR2Skew  *float64 `json:"jpca_r2_skew"`
	TanglingQ90 *float64 `json:"tangling_q90"`
	Failed      string   `json:"failed,omitempty"`
}

// Result is a finished cell's file: its Row and how it was made.
type Result struct {
	Row
	Version       int      `json:"version"`
	Epochs        int      `json:"epochs"`         // the grid's epoch limit
	EpochsTrained int      `json:"epochs_trained"` // epochs run (the recipe stops early below its target loss)
	Stopped       string   `json:"stopped"`
	Backend       string   `json:"backend"`
	Data          DataInfo `json:"data"`
	Settings      Settings `json:"settings"`
	Shard         string   `json:"shard"`
	// TrainSeconds and WallSeconds (training plus measurements) are this
	// cell's cost on the machine that ran it.
	TrainSeconds float64 `json:"train_seconds"`
	WallSeconds  float64 `json:"wall_seconds"`
}

// manifest is a shard's record of what it runs (dir/shards/<I>-of-<N>.json).
type manifest struct {
	Version  int      `json:"version"`
	Grid     Grid     `json:"grid"`
	Shard    string   `json:"shard"`
	From     string   `json:"from,omitempty"`
	Backend  string   `json:"backend"`
	Data     DataInfo `json:"data"`
	Settings Settings `json:"settings"`
	Host     string   `json:"host"`
	Started  string   `json:"started"`
	Finished string   `json:"finished,omitempty"`
	Cells    []string `json:"cells"`

	file string
}

func manifestName(s Shard) string { return fmt.Sprintf("%d-of-%d.json", s.Index, s.Count) }

func cellPath(dir string, c Cell) string { return filepath.Join(dir, cellsDir, c.Name()+".json") }

// MismatchError is Run's error when the directory holds a study that this
// run may not add to (another grid, other data or settings, another
// format version), and ReadTable's for another format version.
type MismatchError struct {
	Dir  string // the study directory
	File string // the file that differs
	// Why says what differs, without what to do about it (the command
	// and the notebook give different advice).
	Why string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("study: %s (%s): delete %s to run this study there from the start, or choose another --out",
		e.Why, e.File, e.Dir)
}

// compatible says whether a run of grid g with setup su may add cells to
// the directory m belongs to.
func (m *manifest) compatible(g Grid, su *Setup) error {
	dir := filepath.Dir(filepath.Dir(m.file))
	switch {
	case !m.Grid.Equal(g):
		return &MismatchError{Dir: dir, File: m.file, Why: fmt.Sprintf("%s holds a study of another grid", dir)}
	case m.Data != su.Data:
		return &MismatchError{Dir: dir, File: m.file, Why: fmt.Sprintf("%s was run on other data (%s, M1 %s) than this run (%s, M1 %s)",
			dir, m.Data.Label, m.Data.M1, su.Data.Label, su.Data.M1)}
	case m.Settings != su.Settings:
		return &MismatchError{Dir: dir, File: m.file, Why: fmt.Sprintf("%s was measured with other settings (%+v) than this version measures with (%+v)",
			dir, m.Settings, su.Settings)}
	}
	return nil
}

// shardCount is the shard count N of a manifest's file name <I>-of-<N>.json
// (0 if the name is not of that form).
func (m *manifest) shardCount() int {
	var i, n int
	if _, err := fmt.Sscanf(filepath.Base(m.file), "%d-of-%d.json", &i, &n); err != nil {
		return 0
	}
	return n
}

// checkDir says whether shard s of grid g with setup su may run into dir:
// every manifest there must be compatible (same grid, data and settings),
// and no run in another number of shards may be unfinished (the cells are
// dealt by the shard count, so runs with different counts would train the
// same cells at once). It returns the manifests.
func checkDir(dir string, g Grid, su *Setup, s Shard) ([]*manifest, error) {
	mans, err := readManifests(dir)
	if err != nil {
		return nil, err
	}
	for _, m := range mans {
		if err := m.compatible(g, su); err != nil {
			return nil, err
		}
		if n := m.shardCount(); n != s.Count && m.Finished == "" {
			return nil, fmt.Errorf("study: %s is the manifest of an unfinished run in %d shards (shard %s started %s on %q), and this run is in %d: "+
				"runs with different shard counts would train the same cells at once. Wait for it to finish, rerun with %d shards, "+
				"or, if that run was stopped for good, delete %s (the cells it finished are kept) and run again",
				m.file, n, m.Shard, m.Started, m.Host, s.Count, n, m.file)
		}
	}
	return mans, nil
}

// matches says whether r is the finished result of cell c of grid g, with
// setup su's data and settings.
func (r *Result) matches(c Cell, g Grid, su *Setup) bool {
	return r.Version == formatVersion && r.Cell == c && r.Epochs == g.Epochs && r.Data == su.Data && r.Settings == su.Settings
}

// readManifests reads dir/shards/*.json, in name order.
func readManifests(dir string) ([]*manifest, error) {
	files, err := filepath.Glob(filepath.Join(dir, shardsDir, "*-of-*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*manifest
	for _, f := range files {
		m := &manifest{}
		if err := readJSON(f, m); err != nil {
			return nil, fmt.Errorf("study: %w: remove it if it is not a shard's manifest", err)
		}
		if m.Version != formatVersion {
			return nil, &MismatchError{Dir: dir, File: f, Why: fmt.Sprintf("%s holds a study in format version %d; this nmatools reads and writes version %d (read it with the nmatools that wrote it)",
				dir, m.Version, formatVersion)}
		}
		if err := m.Grid.Validate(); err != nil {
			return nil, fmt.Errorf("%w (in %s)", err, f)
		}
		m.file = f
		out = append(out, m)
	}
	return out, nil
}

// readResult reads a cell's file.
func readResult(path string) (*Result, error) {
	r := &Result{}
	if err := readJSON(path, r); err != nil {
		return nil, err
	}
	return r, nil
}

func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxFileBytes+1)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if buf.Len() > maxFileBytes {
		return fmt.Errorf("%s is over %d bytes", path, maxFileBytes)
	}
	if err := json.Unmarshal(buf.Bytes(), v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON writes v, indented, to path atomically (a temporary file in the
// same directory renamed over path: atomic on NFS too).
func writeJSON(path string, v any) error {
	if err := atomicfile.WriteJSON(path, v); err != nil {
		return fmt.Errorf("study: %w", err)
	}
	return nil
}

// MissingError is Table's error while cells are unfinished.
type MissingError struct {
	Dir     string
	Missing []Cell
	Total   int
}

// maxNamed is how many cells an error names before "and N more".
const maxNamed = 10

// cellNames is the names of cells, at most maxNamed, then "and N more".
func cellNames(cells []Cell) string {
	names := make([]string, 0, min(len(cells), maxNamed)+1)
	for _, c := range cells[:min(len(cells), maxNamed)] {
		names = append(names, c.Name())
	}
	if len(cells) > maxNamed {
		names = append(names, fmt.Sprintf("and %d more", len(cells)-maxNamed))
	}
	return strings.Join(names, ", ")
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("study: %d of %d cells of %s are unfinished (%s): run `nmatools study run` again with the same --grid and --out %s "+
		"(and the same shards: --shard I/N, or the same Slurm array or Indexed Job); it trains only the unfinished cells",
		len(e.Missing), e.Total, e.Dir, cellNames(e.Missing), e.Dir)
}

// Table is a study's results: its grid, and one row per cell in the grid's
// order (Grid.Cells).
type Table struct {
	Grid Grid
	Rows []Row
	// Results are the cells' files, in the same order (how each was made).
	Results []*Result
	// Backends and Data list the distinct backends and data labels the
	// cells were made with (one data label: ReadTable refuses a mix; a
	// backend each, unless shards ran on different backends).
	Backends, Data []string
}

// ReadTable reads the study in dir. Every shard's manifest must be of the
// same grid, data and settings, and so must every cell's file: a cell made
// with other data or settings is an error naming it (a table never mixes
// data). While a cell is unfinished (no file, or a file that is not a
// finished result of the grid's cell) it returns the rows it has and a
// *MissingError naming the others.
func ReadTable(dir string) (*Table, error) {
	mans, err := readManifests(dir)
	if err != nil {
		return nil, err
	}
	if len(mans) == 0 {
		return nil, fmt.Errorf("study: %s holds no study (no %s/*-of-*.json): run `nmatools study run --grid G.json --out %s` first", dir, shardsDir, dir)
	}
	g, data, set := mans[0].Grid, mans[0].Data, mans[0].Settings
	for _, m := range mans[1:] {
		switch {
		case !m.Grid.Equal(g):
			return nil, fmt.Errorf("study: %s and %s are shards of different grids: one of them does not belong in %s (delete it, with the cells its run made, and rerun that shard)",
				mans[0].file, m.file, dir)
		case m.Data != data || m.Settings != set:
			return nil, fmt.Errorf("study: %s and %s are shards run on different data or settings (%s, M1 %s; %s, M1 %s): a table mixes neither. "+
				"Delete the one run on the wrong data, with the cells its run made, and rerun that shard with the data of the other",
				mans[0].file, m.file, data.Label, data.M1, m.Data.Label, m.Data.M1)
		}
	}
	t := &Table{Grid: g}
	var missing, odd []Cell
	addOnce := func(list *[]string, v string) {
		for _, x := range *list {
			if x == v {
				return
			}
		}
		*list = append(*list, v)
	}
	for _, c := range g.Cells() {
		r, err := readResult(cellPath(dir, c))
		if err != nil || r.Version != formatVersion || r.Cell != c || r.Epochs != g.Epochs {
			missing = append(missing, c)
			continue
		}
		if r.Data != data || r.Settings != set {
			odd = append(odd, c)
			continue
		}
		t.Rows = append(t.Rows, r.Row)
		t.Results = append(t.Results, r)
		addOnce(&t.Backends, r.Backend)
		addOnce(&t.Data, r.Data.Label)
	}
	if len(odd) > 0 {
		return nil, fmt.Errorf("study: %d cells of %s were made with other data or settings than its shards' manifests (%s, M1 %s) and would mix into the table: %s. "+
			"Delete their files in %s and run `nmatools study run` again with the manifests' data",
			len(odd), dir, data.Label, data.M1, cellNames(odd), filepath.Join(dir, cellsDir))
	}
	if len(missing) > 0 {
		return t, &MissingError{Dir: dir, Missing: missing, Total: len(g.Cells())}
	}
	return t, nil
}

// JSON is the table as `nmatools study table --json` prints it:
// {"rows": [{"rate_penalty", "weight_penalty", "seed", "val_mse",
// "input_error", "weight_error", "cca_mean", "jpca_r2_skew",
// "tangling_q90"}, …]}, the rows in the grid's order.
func (t *Table) JSON() ([]byte, error) {
	rows := t.Rows
	if rows == nil {
		rows = []Row{}
	}
	b, err := json.Marshal(struct {
		Rows []Row `json:"rows"`
	}{rows})
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Text is the table for people: one line per cell, with the epochs each
// trained (the recipe stops early once its training loss, penalties
// included, is below its target).
func (t *Table) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %-11s %5s %6s %10s %9s %9s %8s %8s %9s\n", "rate pen.", "weight pen.", "seed", "epochs", "val MSE",
		"input %", "weight %", "CCA", "jPCA R²", "q90")
	f := func(v *float64, format string) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf(format, *v)
	}
	for i, r := range t.Rows {
		fmt.Fprintf(&b, "%-10g %-11g %5d %6d %10s %9s %9s %8s %8s %9s", r.RatePenalty, r.WeightPenalty, r.Seed,
			t.Results[i].EpochsTrained, f(r.ValMSE, "%.6f"), f(r.InputError, "%.2f"), f(r.WeightError, "%.2f"), f(r.CCAMean, "%.4f"),
			f(r.JPCAR2Skew, "%.4f"), f(r.TanglingQ90, "%.1f"))
		if r.Failed != "" {
			fmt.Fprintf(&b, "  (%s)", r.Failed)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
