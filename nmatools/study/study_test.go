package study

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseGrid(t *testing.T) {
	g, err := ParseGrid([]byte(`{"rate_penalty": [0, 0.003], "weight_penalty": [1e-5], "seeds": [7, 8, 9], "epochs": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	cells := g.Cells()
	if len(cells) != 6 || cells[0] != (Cell{0, 1e-5, 7}) || cells[3] != (Cell{0.003, 1e-5, 7}) || cells[5] != (Cell{0.003, 1e-5, 9}) {
		t.Fatalf("cells in the wrong order: %v", cells)
	}
	if n := cells[3].Name(); n != "rate0.003_weight1e-05_seed7" {
		t.Errorf("name %q", n)
	}
	for _, c := range []struct{ json, want string }{
		{`{"rate_penalty": [0], "weight_penalty": [0], "seed": [1], "epochs": 1}`, `unknown field "seed"`},
		{`{"rate_penalty": [], "weight_penalty": [0], "seeds": [1], "epochs": 1}`, "rate_penalty is empty"},
		{`{"rate_penalty": [0], "weight_penalty": [-1], "seeds": [1], "epochs": 1}`, "finite numbers ≥ 0"},
		{`{"rate_penalty": [0, 0], "weight_penalty": [0], "seeds": [1], "epochs": 1}`, "lists 0 twice"},
		{`{"rate_penalty": [0], "weight_penalty": [0], "seeds": [], "epochs": 1}`, "seeds is empty"},
		{`{"rate_penalty": [0], "weight_penalty": [0], "seeds": [3, 3], "epochs": 1}`, "seeds lists 3 twice"},
		{`{"rate_penalty": [0], "weight_penalty": [0], "seeds": [1]}`, "epochs 0"},
		{`{"rate_penalty": [0], "weight_penalty": [0], "seeds": [1], "epochs": 1} {}`, "more than one JSON value"},
		{`[1, 2]`, "cannot unmarshal"},
	} {
		if _, err := ParseGrid([]byte(c.json)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.json, err, c.want)
		}
	}
	big := `{"rate_penalty": [0,1,2,3,4,5,6,7,8,9], "weight_penalty": [0,1,2,3,4,5,6,7,8,9], "seeds": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100], "epochs": 1}`
	if _, err := ParseGrid([]byte(big)); err == nil || !strings.Contains(err.Error(), "more than 10000") {
		t.Errorf("10100 cells: %v", err)
	}
	p := filepath.Join(t.TempDir(), "huge.json")
	os.WriteFile(p, make([]byte, maxGridBytes+10), 0o644)
	if _, err := ReadGrid(p); err == nil || !strings.Contains(err.Error(), "over") {
		t.Errorf("huge grid file: %v", err)
	}
}

func TestShards(t *testing.T) {
	g := Grid{RatePenalty: []float64{0, 1}, WeightPenalty: []float64{0}, Seeds: []int64{1, 2, 3}, Epochs: 1}
	all := g.Cells()
	seen := map[Cell]int{}
	for i := 0; i < 4; i++ {
		for _, c := range (Shard{i, 4}).Deal(all) {
			seen[c]++
		}
	}
	if len(seen) != len(all) {
		t.Fatalf("4 shards cover %d of %d cells", len(seen), len(all))
	}
	for c, n := range seen {
		if n != 1 {
			t.Errorf("cell %v dealt %d times", c, n)
		}
	}
	if d := (Shard{1, 4}).Deal(all); len(d) != 2 || d[0] != all[1] || d[1] != all[5] {
		t.Errorf("shard 1/4: %v, want cells 1 and 5", d)
	}
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
	for _, bad := range []string{"5/5", "-1/3", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

func TestShardFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		env  func(string) string
		want Shard
		err  string
	}{
		{env(), All, ""},
		{env("SLURM_ARRAY_TASK_ID", "12", "SLURM_ARRAY_TASK_MIN", "10", "SLURM_ARRAY_TASK_COUNT", "4"), Shard{2, 4}, ""},
		{env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_STEP", "1",
			"JOB_COMPLETION_INDEX", "0", "NMATOOLS_SHARDS", "2"), Shard{3, 4}, ""}, // Slurm first
		{env("JOB_COMPLETION_INDEX", "1", "NMATOOLS_SHARDS", "3"), Shard{1, 3}, ""},
		{env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "3", "SLURM_ARRAY_TASK_STEP", "2"), Shard{}, "step 2"},
		{env("SLURM_ARRAY_TASK_ID", "7", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{}, "contiguous array"},
		{env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{}, "SLURM_ARRAY_TASK_MIN is not set"},
		{env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{}, "not a whole number"},
		{env("JOB_COMPLETION_INDEX", "1"), Shard{}, "NMATOOLS_SHARDS is not set"},
		{env("JOB_COMPLETION_INDEX", "3", "NMATOOLS_SHARDS", "3"), Shard{}, "must equal the Job's completions"},
	} {
		s, from, err := ShardFromEnv(c.env)
		if c.err == "" {
			if err != nil || s != c.want || from == "" {
				t.Errorf("want %v: got %v (%q), %v", c.want, s, from, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("want an error mentioning %q: got %v, %v", c.err, s, err)
		}
	}
}

// TestTableFiles: ReadTable names unfinished cells (absent, corrupt, of
// another cell or another epoch limit), refuses directories without a
// study or with shards of different grids, and keeps the grid's order.
func TestTableFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadTable(dir); err == nil || !strings.Contains(err.Error(), "holds no study") {
		t.Fatalf("empty directory: %v", err)
	}
	g := Grid{RatePenalty: []float64{0.1, 0}, WeightPenalty: []float64{0}, Seeds: []int64{1, 2}, Epochs: 3}
	os.MkdirAll(filepath.Join(dir, cellsDir), 0o755)
	os.MkdirAll(filepath.Join(dir, shardsDir), 0o755)
	if err := writeJSON(filepath.Join(dir, shardsDir, manifestName(Shard{0, 2})), manifest{Version: formatVersion, Grid: g}); err != nil {
		t.Fatal(err)
	}
	cells := g.Cells()
	v := 0.5
	for i, c := range cells {
		r := Result{Row: Row{Cell: c, ValMSE: &v}, Version: formatVersion, Epochs: 3}
		switch i {
		case 1:
			continue // absent
		case 2:
			r.Epochs = 4 // another grid's
		}
		if err := writeJSON(cellPath(dir, c), r); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(cellPath(dir, cells[3]), []byte(`{"version": 1, "rate_pen`), 0o644) // corrupt
	tab, err := ReadTable(dir)
	var miss *MissingError
	if !errors.As(err, &miss) || len(miss.Missing) != 3 || miss.Total != 4 || len(tab.Rows) != 1 || tab.Rows[0].Cell != cells[0] {
		t.Fatalf("ReadTable: %v, rows %v", err, tab)
	}
	for _, c := range cells[1:] {
		if !strings.Contains(err.Error(), c.Name()) {
			t.Errorf("error %q does not name %s", err, c.Name())
		}
	}
	for _, c := range cells[1:] {
		if err := writeJSON(cellPath(dir, c), Result{Row: Row{Cell: c, ValMSE: &v}, Version: formatVersion, Epochs: 3}); err != nil {
			t.Fatal(err)
		}
	}
	tab, err = ReadTable(dir)
	if err != nil || len(tab.Rows) != 4 {
		t.Fatalf("complete: %v, %d rows", err, len(tab.Rows))
	}
	for i, r := range tab.Rows {
		if r.Cell != cells[i] {
			t.Errorf("row %d is %v, want the grid's order (%v)", i, r.Cell, cells[i])
		}
	}
	b, _ := tab.JSON()
	if !strings.HasPrefix(string(b), `{"rows":[{"rate_penalty":0.1,"weight_penalty":0,"seed":1,"val_mse":0.5,"input_error":null,`) {
		t.Errorf("JSON %s", b)
	}
	g2 := g
	g2.Epochs = 9
	writeJSON(filepath.Join(dir, shardsDir, manifestName(Shard{1, 2})), manifest{Version: formatVersion, Grid: g2})
	if _, err := ReadTable(dir); err == nil || !strings.Contains(err.Error(), "different grids") {
		t.Errorf("two grids: %v", err)
	}
}

// TestTableRefusesMixedData: a cell made with other data or settings than
// the manifests' (a shard that fell back to the synthetic data) is an error
// naming it, not a row; so is a manifest of other data.
func TestTableRefusesMixedData(t *testing.T) {
	dir := t.TempDir()
	g := Grid{RatePenalty: []float64{0}, WeightPenalty: []float64{0}, Seeds: []int64{1, 2, 3}, Epochs: 1}
	rec := DataInfo{Label: "recorded", M1: "m1"}
	os.MkdirAll(filepath.Join(dir, cellsDir), 0o755)
	os.MkdirAll(filepath.Join(dir, shardsDir), 0o755)
	writeJSON(filepath.Join(dir, shardsDir, manifestName(All)), manifest{Version: formatVersion, Grid: g, Data: rec})
	cells := g.Cells()
	for i, c := range cells {
		r := Result{Row: Row{Cell: c}, Version: formatVersion, Epochs: 1, Data: rec}
		switch i {
		case 1:
			r.Data = DataInfo{Label: "synthetic", M1: "m1"}
		case 2:
			r.Settings.Repeats = 3
		}
		writeJSON(cellPath(dir, c), r)
	}
	_, err := ReadTable(dir)
	if err == nil || !strings.Contains(err.Error(), "other data or settings") || !strings.Contains(err.Error(), cells[1].Name()) ||
		!strings.Contains(err.Error(), cells[2].Name()) || strings.Contains(err.Error(), cells[0].Name()) {
		t.Fatalf("ReadTable of mixed cells: %v", err)
	}
	var miss *MissingError
	if errors.As(err, &miss) {
		t.Errorf("mixed cells reported as unfinished: %v", err)
	}
	for _, c := range cells[1:] {
		writeJSON(cellPath(dir, c), Result{Row: Row{Cell: c}, Version: formatVersion, Epochs: 1, Data: rec})
	}
	if _, err := ReadTable(dir); err != nil {
		t.Fatalf("consistent cells: %v", err)
	}
	writeJSON(filepath.Join(dir, shardsDir, manifestName(Shard{1, 2})), manifest{Version: formatVersion, Grid: g})
	if _, err := ReadTable(dir); err == nil || !strings.Contains(err.Error(), "different data or settings") {
		t.Errorf("manifests of different data: %v", err)
	}
}

// TestMissingErrorNamesFewAndSaysWhatToDo: at most 10 cells are named,
// then "and N more", and the error says to rerun `nmatools study run`.
func TestMissingErrorNamesFewAndSaysWhatToDo(t *testing.T) {
	g := Grid{RatePenalty: []float64{0, 1, 2, 3, 4}, WeightPenalty: []float64{0}, Seeds: []int64{1, 2, 3, 4, 5}, Epochs: 1}
	cells := g.Cells()
	msg := (&MissingError{Dir: "d", Missing: cells, Total: len(cells)}).Error()
	if !strings.Contains(msg, cells[9].Name()+", and 15 more") || strings.Contains(msg, cells[10].Name()) ||
		!strings.Contains(msg, "run `nmatools study run` again with the same --grid and --out d") {
		t.Errorf("MissingError: %s", msg)
	}
}
