package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
	"github.com/neuromatch/nmatools/nmatools/matfile"
)

// TestPrepareHostile: crafted condsForSim files. Element (1,1)'s plan with
// 20000 columns (a crafted file once had 200000) while the other elements have 15 used to make
// prepare allocate (27,8,250,20000) floats (4.3 GB) before looking at element (1,2);
// a NaN or Inf in a used muscle column or the plan went through to the targets.
func TestPrepareHostile(t *testing.T) {
	wide := goodSpec()
	wide.rows = 296
	wide.edit = func(i, j int, v map[string]matfile.Value) {
		if i == 0 && j == 0 {
			v["plan"] = matfile.NewDouble([]int{296, 20000}, make([]float64, 296*20000))
		}
	}
	nanMuscle := goodSpec()
	nanMuscle.edit = func(i, j int, v map[string]matfile.Value) {
		if i == 2 && j == 1 {
			v["muscle"].(*matfile.Numeric).Real[3*300+46] = math.NaN() // row 47, column 4 (1-based)
		}
	}
	infPlan := goodSpec()
	infPlan.edit = func(i, j int, v map[string]matfile.Value) {
		if i == 26 && j == 7 {
			v["plan"].(*matfile.Numeric).Real[0*300+295] = math.Inf(1) // row 296, column 1
		}
	}
	unusedNaN := goodSpec() // NaN outside the rows and columns the tutorial keeps: fine
	unusedNaN.edit = func(i, j int, v map[string]matfile.Value) {
		v["muscle"].(*matfile.Numeric).Real[0] = math.NaN()
		v["plan"].(*matfile.Numeric).Real[299] = math.NaN()
	}
	bigF32 := goodSpec()
	bigF32.edit = func(i, j int, v map[string]matfile.Value) {
		if i == 1 && j == 0 {
			v["goEnvelope"].(*matfile.Numeric).Real[100] = 1e300 // finite in float64, +Inf in float32
		}
	}
	for _, c := range []struct {
		name string
		spec condsSpec
		want string
	}{
		{"wide_first_plan", wide, "condsForSim(1,2).plan has 15 columns, need at least 20000"},
		{"nan_muscle", nanMuscle, "condsForSim(3,2).muscle(47,4) is NaN"},
		{"inf_plan", infPlan, "condsForSim(27,8).plan(296,1) is +Inf"},
		{"float32_overflow", bigF32, "condsForSim(2,1).goEnvelope(101,1) is 1e+300"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeConds(t, c.spec)
			memcap.Keep(t, path, "conds_"+c.name+".mat")
			var err error
			memcap.Check(t, 512<<20, func() { _, err = PrepareDataset(path) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("PrepareDataset = %v, want an error containing %q", err, c.want)
			}
			t.Logf("%v", err)
		})
	}
	if _, err := PrepareDataset(writeConds(t, unusedNaN)); err != nil {
		t.Fatalf("NaN outside the used rows/columns: %v", err)
	}
}

// TestPrepareHostileAnnouncedSize: a compressed condsForSim announcing a crafted file's
// 484865800 bytes (its 296×200000 plan) is refused from its tag, before decompressing.
func TestPrepareHostileAnnouncedSize(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	binary.Write(zw, binary.LittleEndian, [2]uint32{14, 484865800}) // miMATRIX, size
	zw.Write(make([]byte, 4096))
	zw.Close()
	var f bytes.Buffer
	head := make([]byte, 128)
	copy(head, "MATLAB 5.0 MAT-file, crafted")
	head[124], head[125], head[126], head[127] = 0, 1, 'I', 'M'
	f.Write(head)
	binary.Write(&f, binary.LittleEndian, [2]uint32{15, uint32(z.Len())}) // miCOMPRESSED
	f.Write(z.Bytes())
	path := filepath.Join(t.TempDir(), "announced.mat")
	os.WriteFile(path, f.Bytes(), 0o644)
	var err error
	memcap.Check(t, 16<<20, func() { _, err = PrepareDataset(path) })
	if !errors.Is(err, matfile.ErrTooLarge) || !strings.Contains(err.Error(), "announces 484865800 bytes") {
		t.Fatalf("PrepareDataset = %v", err)
	}
}

// TestPrepareHostileWideFile writes a crafted file (element (1,1)'s plan 296×200000,
// ~1 MB compressed, 473 MB decompressed) for measuring the commands on it; it allocates
// ~1 GB to write it, so only with NMATOOLS_HOSTILE_DIR set.
func TestPrepareHostileWideFile(t *testing.T) {
	if os.Getenv("NMATOOLS_HOSTILE_DIR") == "" {
		t.Skip("set NMATOOLS_HOSTILE_DIR to write the crafted 296×200000 file")
	}
	wide := goodSpec()
	wide.rows = 296
	wide.edit = func(i, j int, v map[string]matfile.Value) {
		if i == 0 && j == 0 {
			v["plan"] = matfile.NewDouble([]int{296, 200000}, make([]float64, 296*200000))
		}
	}
	path := writeConds(t, wide)
	memcap.Keep(t, path, "conds_plan_296x200000.mat")
	var err error
	memcap.Check(t, 64<<20, func() { _, err = PrepareDataset(path) })
	if !errors.Is(err, matfile.ErrTooLarge) || !strings.Contains(err.Error(), "not its layout") {
		t.Fatalf("PrepareDataset = %v", err)
	}
	t.Log(err)
}
