package model

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
	"github.com/neuromatch/nmatools/nmatools/notice"
	"github.com/nlpodyssey/gopickle/pytorch"
)

// pk writes pickle opcodes (protocol 2, as torch.save) for crafted .pth files.
type pk struct{ bytes.Buffer }

func (p *pk) op(b ...byte) *pk { p.Write(b); return p }
func (p *pk) str(s string) *pk {
	p.op('X')
	binary.Write(&p.Buffer, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
	return p
}
func (p *pk) int(v int) *pk {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		p.op('J')
		binary.Write(&p.Buffer, binary.LittleEndian, int32(v))
		return p
	}
	p.op(0x8a, 8)
	binary.Write(&p.Buffer, binary.LittleEndian, int64(v))
	return p
}
func (p *pk) global(mod, name string) *pk { p.WriteString("c" + mod + "\n" + name + "\n"); return p }
func (p *pk) ints(v []int) *pk {
	p.op('(')
	for _, x := range v {
		p.int(x)
	}
	return p.op('t')
}

// pthTensor is one state_dict entry: a view (size, stride, offset) of a storage.
type pthTensor struct {
	key, class, storage string
	numel, offset       int
	size, stride        []int
}

// statePickle is the pickle of an OrderedDict of tensors, as torch.save writes it.
func statePickle(ts []pthTensor) []byte {
	p := &pk{}
	p.op(0x80, 2).global("collections", "OrderedDict").op(')', 'R')
	for _, t := range ts {
		p.str(t.key).global("torch._utils", "_rebuild_tensor_v2").op('(')
		p.op('(').str("storage").global("torch", t.class).str(t.storage).str("cpu").int(t.numel).op('t', 'Q')
		p.int(t.offset).ints(t.size).ints(t.stride).op(0x89)
		p.global("collections", "OrderedDict").op(')', 'R')
		p.op('t', 'R', 's')
	}
	p.op('.')
	return p.Bytes()
}

// pthZip is a .pth zip: archive/data.pkl and archive/data/<key> entries (stored
// uncompressed when method is zip.Store, else deflated).
func pthZip(pkl []byte, storages map[string][]byte, method uint16) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(n string, b []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "archive/" + n, Method: method})
		if err != nil {
			panic(err)
		}
		w.Write(b)
	}
	add("data.pkl", pkl)
	keys := make([]string, 0, len(storages))
	for k := range storages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add("data/"+k, storages[k])
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// writePth writes pthZip's file into a temporary directory.
func writePth(t *testing.T, name string, pkl []byte, storages map[string][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pthZip(pkl, storages, zip.Deflate), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func f32bytes(n int, seed float32) []byte {
	b := make([]byte, 4*n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(seed+float32(i)/100))
	}
	return b
}

// tinyStateDict is a valid state_dict of the tutorial's layout with hidden 4, input 3,
// output 2, plus extra entries.
func tinyStateDict(extra ...pthTensor) ([]pthTensor, map[string][]byte) {
	ts := []pthTensor{
		{"J", "FloatStorage", "0", 16, 0, []int{4, 4}, []int{4, 1}},
		{"B", "FloatStorage", "1", 12, 0, []int{4, 3}, []int{3, 1}},
		{"bx", "FloatStorage", "2", 4, 0, []int{4}, []int{1}},
		{"output_linear.weight", "FloatStorage", "3", 8, 0, []int{2, 4}, []int{4, 1}},
		{"output_linear.bias", "FloatStorage", "4", 2, 0, []int{2}, []int{1}},
	}
	st := map[string][]byte{"0": f32bytes(16, 0.1), "1": f32bytes(12, 0.2), "2": f32bytes(4, 0.3), "3": f32bytes(8, 0.4), "4": f32bytes(2, 0.5)}
	return append(ts, extra...), st
}

// loadHostile loads path with model.Load under the 1 GiB allocation cap.
func loadHostile(t *testing.T, path string) (p *Params, err error) {
	t.Helper()
	memcap.Check(t, 256<<20, func() { p, err = Load(path) })
	return p, err
}

func rawPickle(b ...[]byte) []byte { return bytes.Join(b, nil) }

func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// hostilePth are the crafted .pth files (each once crashed or exhausted
// the machine), as (name, pickle, storages, expected error fragment).
func hostilePth() []struct {
	name     string
	pkl      []byte
	storages map[string][]byte
	want     string
} {
	ts, st := tinyStateDict()
	huge := append([]pthTensor(nil), ts...)
	huge[0].numel = 1 << 40 // a storage declaring 2^40 elements with 64 bytes of data
	expand := append([]pthTensor(nil), ts...)
	expand[0] = pthTensor{"J", "FloatStorage", "0", 1, 0, []int{100000, 100000}, []int{0, 0}} // torch.zeros(1).expand(1e5, 1e5)
	stride0 := append([]pthTensor(nil), ts...)
	stride0[0] = pthTensor{"J", "FloatStorage", "0", 16, 0, []int{4, 4}, []int{0, 1}}
	outside := append([]pthTensor(nil), ts...)
	outside[0] = pthTensor{"J", "FloatStorage", "0", 16, 3, []int{4, 4}, []int{4, 1}}
	negSize := append([]pthTensor(nil), ts...)
	negSize[0] = pthTensor{"J", "FloatStorage", "0", 16, 0, []int{-4, -4}, []int{4, 1}}
	proto := []byte{0x80, 2}
	return []struct {
		name     string
		pkl      []byte
		storages map[string][]byte
		want     string
	}{
		{"storage_2e40.pth", statePickle(huge), st, "declares 1099511627776 float32 values"},
		{"binbytes8_2e40.pth", rawPickle(proto, []byte{0x8e}, le64(1<<40), []byte("abc.")), nil, "declares 1099511627776 bytes"},
		{"frame_5tb.pth", rawPickle([]byte{0x80, 4, 0x95}, le64(5e12), []byte("N.")), nil, "FRAME at byte 2 declares 5000000000000 bytes"},
		{"binbytes_1gb.pth", rawPickle(proto, []byte{'B'}, le32(1_090_000_000), []byte("abc.")), nil, "declares 1090000000 bytes"},
		{"expand_1e5x1e5.pth", statePickle(expand), st, "more than 16777216 elements"},
		{"stride0.pth", statePickle(stride0), st, "stride 0 on axis 0"},
		{"outside.pth", statePickle(outside), st, "does not fit its storage"},
		{"negative_size.pth", statePickle(negSize), st, "negative dimension"},
		{"no_stop.pth", bytes.TrimSuffix(statePickle(ts), []byte(".")), st, "without its STOP"},
		{"unknown_opcode.pth", []byte{0x80, 2, 0xff, '.'}, nil, "unknown opcode 0xff"},
		{"long1_empty.pth", []byte{0x80, 2, 0x8a, 0, '.'}, nil, "malformed"},
		{"missing_storage.pth", statePickle(ts), map[string][]byte{"0": st["0"]}, `storage "1" is not in the archive`},
	}
}

// TestPthHostile: every crafted .pth is refused with an error saying what is
// wrong, allocating little (it used to die with a fatal out-of-memory error or a panic).
func TestPthHostile(t *testing.T) {
	for _, c := range hostilePth() {
		t.Run(c.name, func(t *testing.T) {
			path := writePth(t, c.name, c.pkl, c.storages)
			memcap.Keep(t, path, c.name)
			_, err := loadHostile(t, path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load(%s) = %v, want an error containing %q", c.name, err, c.want)
			}
			t.Logf("%s: %v", c.name, err)
		})
	}
}

// TestPthHostileBeforeFix: the memory cap catches the unbounded reader this package used
// before (gopickle's pytorch.Load on a BINBYTES declaring ~1 GB allocates 1.09 GB before
// failing with EOF), so the cap in the tests and fuzz targets can fail.
func TestPthHostileBeforeFix(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 1 GB of untouched memory")
	}
	for _, c := range hostilePth() {
		if c.name != "binbytes_1gb.pth" {
			continue
		}
		path := writePth(t, c.name, c.pkl, c.storages)
		var err error
		n := memcap.Allocated(func() { _, err = pytorch.Load(path) })
		if err == nil || n < memcap.Limit {
			t.Fatalf("gopickle alone: err %v after allocating %d bytes; want an error after > 1 GiB", err, n)
		}
		t.Logf("gopickle's pytorch.Load alone allocates %d bytes on %s, then: %v", n, c.name, err)
	}
}

// TestPthExtraEntries: a state_dict with extra entries of any type (an int64
// num_batches_tracked, a float running mean, a non-tensor) loads; the extra entries are
// listed once as a notice.
func TestPthExtraEntries(t *testing.T) {
	ts, st := tinyStateDict(
		pthTensor{"bn.num_batches_tracked", "LongStorage", "5", 1, 0, []int{}, []int{}},
		pthTensor{"bn.running_mean", "FloatStorage", "6", 4, 0, []int{4}, []int{1}},
		pthTensor{"mask", "BoolStorage", "7", 4, 0, []int{4}, []int{1}},
	)
	st["5"] = le64(7)
	st["6"] = f32bytes(4, 1)
	st["7"] = []byte{1, 0, 1, 0}
	path := writePth(t, "extra.pth", statePickle(ts), st)
	memcap.Keep(t, path, "extra_entries.pth")
	var notes bytes.Buffer
	defer notice.SetOutput(notice.SetOutput(&notes))
	p, err := loadHostile(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.HiddenSize != 4 || p.Config.InputSize != 3 || p.Config.OutputSize != 2 || p.J.At(0, 1) != 0.11 {
		t.Fatalf("loaded %+v, J[0,1] = %v", p.Config, p.J.At(0, 1))
	}
	got := notes.String()
	for _, w := range []string{"ignored 3 state_dict entries", "bn.num_batches_tracked (int64 tensor [])", "bn.running_mean (float32 tensor [4])", "mask (bool tensor [4])"} {
		if !strings.Contains(got, w) {
			t.Errorf("notes %q lack %q", got, w)
		}
	}
	if strings.Count(got, "\n") != 1 {
		t.Errorf("want one line of notes, got %q", got)
	}
	// A needed key of a non-float type is an error naming it.
	ts[0].class = "LongStorage"
	st["0"] = make([]byte, 16*8)
	_, err = Load(writePth(t, "intJ.pth", statePickle(ts), st))
	if err == nil || !strings.Contains(err.Error(), `"J" is a int64 tensor`) {
		t.Fatalf("int64 J: %v", err)
	}
	// ReadStateDict keeps every float tensor and skips the others.
	ts2, st2 := tinyStateDict(pthTensor{"bn.num_batches_tracked", "LongStorage", "5", 1, 0, []int{}, []int{}})
	st2["5"] = le64(7)
	sd, order, err := ReadStateDict(writePth(t, "rsd.pth", statePickle(ts2), st2))
	if err != nil || len(sd) != 5 || len(order) != 5 {
		t.Fatalf("ReadStateDict: %d arrays, order %v, %v", len(sd), order, err)
	}
}

// TestPthNonFinite: NaN weights in a .pth are refused, naming the tensor and index.
func TestPthNonFinite(t *testing.T) {
	ts, st := tinyStateDict()
	binary.LittleEndian.PutUint32(st["1"][4*5:], math.Float32bits(float32(math.NaN())))
	_, err := Load(writePth(t, "nan.pth", statePickle(ts), st))
	if err == nil || !strings.Contains(err.Error(), "B: element [1 2] is NaN") {
		t.Fatalf("got %v", err)
	}
}

// TestPthHalfAndBFloat16: float16 and bfloat16 storages convert to float32, and a
// transposed (strided) view reads in row-major order.
func TestPthHalfAndBFloat16(t *testing.T) {
	ts, st := tinyStateDict()
	ts[0] = pthTensor{"J", "HalfStorage", "0", 16, 0, []int{4, 4}, []int{1, 4}} // J = Hᵀ
	h := make([]byte, 32)
	for i := 0; i < 16; i++ {
		binary.LittleEndian.PutUint16(h[2*i:], 0x3C00+uint16(i)<<10&0x7fff) // 1, 2, 4, ... (exponent steps)
	}
	binary.LittleEndian.PutUint16(h[2*1:], 0xC000) // H[1] = -2
	st["0"] = h
	ts[2] = pthTensor{"bx", "BFloat16Storage", "2", 4, 0, []int{4}, []int{1}}
	st["2"] = []byte{0x80, 0x3f, 0x00, 0x40, 0x40, 0x40, 0xc0, 0xbf} // 1, 2, 3, -1.5
	p, err := Load(writePth(t, "half.pth", statePickle(ts), st))
	if err != nil {
		t.Fatal(err)
	}
	// Storage element 1 (-2) sits at J[1,0] of the transposed view.
	if p.J.At(0, 0) != 1 || p.J.At(1, 0) != -2 || p.J.At(0, 1) != 16 {
		t.Errorf("J = %v", p.J.Data)
	}
	if got := p.Bx.Data; got[0] != 1 || got[1] != 2 || got[2] != 3 || got[3] != -1.5 {
		t.Errorf("bx = %v", got)
	}
}
