package model

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/notice"
	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"
)

// PthKeys are the state_dict keys of the tutorial's models, in PyTorch's order.
var PthKeys = []string{"J", "B", "bx", "output_linear.weight", "output_linear.bias"}

// Limits on what a .pth may make the reader allocate. A .pth comes from anywhere,
// so every size it declares is checked against the bytes present and these caps
// before anything is allocated.
const (
	// MaxPthPickleBytes caps the pickle (data.pkl) of a .pth: a state_dict's is a few KB.
	MaxPthPickleBytes = 16 << 20
	// MaxPthTensorElems caps the elements of one tensor read from a .pth (and of
	// the storage it views): 2^24 (64 MiB of float32), e.g. a 4096×4096 J.
	MaxPthTensorElems = 1 << 24
)

// ReadStateDict reads a PyTorch .pth file holding a state_dict of tensors (the zip format
// PyTorch writes since 1.6; storages saved on any device, e.g. 'cuda:0', are read to the
// host) and returns its floating-point tensors as float32 arrays by key, in file order.
// Float64, float16 and bfloat16 tensors are converted to float32. Entries that are not
// floating-point tensors (e.g. batch norm's int64 num_batches_tracked) are skipped.
func ReadStateDict(path string) (map[string]*nd.Array, []string, error) {
	sd, order, _, err := readStateDict(path, nil)
	return sd, order, err
}

// pthStorage is a storage of a .pth not read yet: PersistentLoad returns it, and only
// the tensors that are kept read their bytes.
type pthStorage struct {
	class *pthStorageClass
	key   string
	numel int
	entry *zip.File
}

func (*pthStorage) SetFromFile(io.Reader) error { return fmt.Errorf("not supported") }
func (*pthStorage) SetFromFileWithSize(io.Reader, int) error {
	return fmt.Errorf("not supported")
}

type pthStorageClass struct {
	name     string // torch.FloatStorage, ...
	elemSize int
	// decode converts one element to float32; nil for non-floating-point types.
	decode func([]byte) float32
}

func (c *pthStorageClass) New(int, string) pytorch.StorageInterface { return &pthStorage{class: c} }

var pthStorageClasses = map[string]*pthStorageClass{
	"FloatStorage": {"float32", 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }},
	"DoubleStorage": {"float64", 8, func(b []byte) float32 {
		return float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	}},
	"HalfStorage": {"float16", 2, func(b []byte) float32 {
		return math.Float32frombits(pytorch.FloatBits16to32(binary.LittleEndian.Uint16(b)))
	}},
	"BFloat16Storage": {"bfloat16", 2, func(b []byte) float32 {
		return math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
	}},
	"LongStorage":  {"int64", 8, nil},
	"IntStorage":   {"int32", 4, nil},
	"ShortStorage": {"int16", 2, nil},
	"CharStorage":  {"int8", 1, nil},
	"ByteStorage":  {"uint8", 1, nil},
	"BoolStorage":  {"bool", 1, nil},
}

// readStateDict reads the state_dict of a .pth. keep selects the keys to return (nil:
// every floating-point tensor); the others are listed in ignored, with their type.
func readStateDict(path string, keep func(string) bool) (sd map[string]*nd.Array, order, ignored []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read .pth: %w", err)
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	if !bytes.Equal(head, []byte("PK\x03\x04")) {
		if len(head) >= 2 && head[0] == 0x80 && head[1] <= 5 {
			return nil, nil, nil, fmt.Errorf("%s is in PyTorch's legacy (pre-1.6, non-zip) format, which is not supported: "+
				"re-save it in Python with torch.save(torch.load(path), path) using PyTorch ≥ 1.6", path)
		}
		return nil, nil, nil, fmt.Errorf("%s is not a PyTorch .pth file (a zip archive written by torch.save)", path)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read .pth %s: not a readable zip archive: %w", path, err)
	}
	defer zr.Close()
	sd, order, ignored, err = readStateDictZip(&zr.Reader, keep)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read .pth %s: %w", path, err)
	}
	return sd, order, ignored, nil
}

func readStateDictZip(zr *zip.Reader, keep func(string) bool) (sd map[string]*nd.Array, order, ignored []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			sd, order, ignored, err = nil, nil, nil, fmt.Errorf("malformed file (the reader failed: %v)", r)
		}
	}()
	records := map[string]*zip.File{}
	var pkl *zip.File
	for _, f := range zr.File {
		_, name := path.Split(f.Name)
		if name == "constants.pkl" {
			return nil, nil, nil, fmt.Errorf("it is a TorchScript archive (torch.jit.save), not a state_dict: save model.state_dict() with torch.save")
		}
		if name == "data.pkl" && pkl == nil {
			pkl = f
		}
		if _, dup := records[name]; !dup {
			records[name] = f
		}
	}
	if pkl == nil {
		return nil, nil, nil, fmt.Errorf("data.pkl not found in the zip archive: not a file written by torch.save")
	}
	if pkl.UncompressedSize64 > MaxPthPickleBytes {
		return nil, nil, nil, fmt.Errorf("its pickle (data.pkl) declares %d bytes, more than the %d-byte limit for a state_dict",
			pkl.UncompressedSize64, MaxPthPickleBytes)
	}
	raw, err := readZipEntry(pkl, int64(pkl.UncompressedSize64))
	if err != nil {
		return nil, nil, nil, err
	}
	if err := scanPickle(raw); err != nil {
		return nil, nil, nil, fmt.Errorf("data.pkl: %w", err)
	}
	u := pickle.NewUnpickler(bytes.NewReader(raw))
	u.FindClass = func(module, name string) (any, error) {
		switch {
		case module == "torch._utils" && name == "_rebuild_tensor_v2":
			return &pytorch.RebuildTensorV2{}, nil
		case module == "torch" && pthStorageClasses[name] != nil:
			return pthStorageClasses[name], nil
		}
		return types.NewGenericClass(module, name), nil
	}
	u.PersistentLoad = func(id any) (any, error) {
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() < 5 {
			return nil, fmt.Errorf("persistent id %v is not a storage tuple ('storage', class, key, location, numel)", id)
		}
		class, ok1 := t.Get(1).(*pthStorageClass)
		key, ok2 := t.Get(2).(string)
		numel, ok3 := t.Get(4).(int)
		if tag, _ := t.Get(0).(string); tag != "storage" || !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("persistent id %v is not a storage tuple ('storage', class, key, location, numel) of a known storage class", id)
		}
		entry := records[key]
		if entry == nil {
			return nil, fmt.Errorf("storage %q is not in the archive (truncated or damaged file)", key)
		}
		if numel < 0 || uint64(numel) > entry.UncompressedSize64/uint64(class.elemSize) {
			return nil, fmt.Errorf("storage %q declares %d %s values (%s bytes) but its data entry holds %d bytes",
				key, numel, class.name, mulString(numel, class.elemSize), entry.UncompressedSize64)
		}
		return &pthStorage{class: class, key: key, numel: numel, entry: entry}, nil
	}
	obj, err := u.Load()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("malformed pickle (data.pkl): %w", err)
	}
	type entry struct {
		key any
		val any
	}
	var entries []entry
	switch d := obj.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			kv := e.Value.(*types.OrderedDictEntry)
			entries = append(entries, entry{kv.Key, kv.Value})
		}
	case *types.Dict:
		for _, kv := range *d {
			entries = append(entries, entry{kv.Key, kv.Value})
		}
	default:
		return nil, nil, nil, fmt.Errorf("it holds a %T, not a state_dict: save model.state_dict(), not the model", obj)
	}
	sd = map[string]*nd.Array{}
	for _, e := range entries {
		key, ok := e.key.(string)
		if !ok {
			ignored = append(ignored, fmt.Sprintf("%v (a %T key)", e.key, e.key))
			continue
		}
		t, isTensor := e.val.(*pytorch.Tensor)
		var st *pthStorage
		if isTensor {
			st, _ = t.Source.(*pthStorage)
		}
		switch {
		case keep != nil && !keep(key):
			ignored = append(ignored, describeEntry(key, e.val))
			continue
		case !isTensor || st == nil:
			if keep == nil {
				ignored = append(ignored, describeEntry(key, e.val))
				continue
			}
			return nil, nil, nil, fmt.Errorf("state_dict entry %q is a %s, not a tensor", key, typeName(e.val))
		case st.class.decode == nil:
			if keep == nil {
				ignored = append(ignored, describeEntry(key, e.val))
				continue
			}
			return nil, nil, nil, fmt.Errorf("state_dict entry %q is a %s tensor, want float32, float64, float16 or bfloat16", key, st.class.name)
		}
		if _, dup := sd[key]; dup {
			return nil, nil, nil, fmt.Errorf("state_dict entry %q appears twice", key)
		}
		a, err := tensorToArray(t, st)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("state_dict entry %q: %w", key, err)
		}
		sd[key] = a
		order = append(order, key)
	}
	return sd, order, ignored, nil
}

func describeEntry(key string, v any) string {
	if t, ok := v.(*pytorch.Tensor); ok {
		if st, ok := t.Source.(*pthStorage); ok {
			return fmt.Sprintf("%s (%s tensor %v)", key, st.class.name, t.Size)
		}
	}
	return fmt.Sprintf("%s (%s)", key, typeName(v))
}

func typeName(v any) string {
	switch x := v.(type) {
	case *types.GenericClass:
		return x.Module + "." + x.Name
	case *types.GenericObject:
		return "object"
	case nil:
		return "None"
	}
	return fmt.Sprintf("%T", v)
}

func mulString(a, b int) string {
	if a > 0 && b > 0 && a > math.MaxInt/b {
		return "more than 2^63"
	}
	return fmt.Sprint(a * b)
}

// readZipEntry reads an entry of at most limit bytes, never more than are there.
func readZipEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("zip entry %s: %w", f.Name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("zip entry %s: %w", f.Name, err)
	}
	if n > limit {
		return nil, fmt.Errorf("zip entry %s holds more than the %d bytes it declares", f.Name, limit)
	}
	return buf.Bytes(), nil
}

// tensorToArray reads the elements of a (possibly strided) tensor view of st into a
// row-major float32 array. The shape, strides and offset are checked against the
// storage and MaxPthTensorElems before anything is allocated; a view with more
// elements than its storage holds (expand, stride 0) is refused.
func tensorToArray(t *pytorch.Tensor, st *pthStorage) (*nd.Array, error) {
	if len(t.Stride) != len(t.Size) {
		return nil, fmt.Errorf("tensor has %d sizes but %d strides", len(t.Size), len(t.Stride))
	}
	if st.numel > MaxPthTensorElems {
		return nil, fmt.Errorf("its storage holds %d values, more than the limit of %d", st.numel, MaxPthTensorElems)
	}
	n, err := nd.CheckedSize(t.Size, MaxPthTensorElems)
	if err != nil {
		return nil, fmt.Errorf("tensor of size %v: %w", t.Size, err)
	}
	if t.StorageOffset < 0 {
		return nil, fmt.Errorf("negative storage offset %d", t.StorageOffset)
	}
	if n > st.numel {
		return nil, fmt.Errorf("tensor of size %v has %d elements but its storage only %d (an expanded or broadcast view): "+
			"save a contiguous copy (tensor.clone() or .contiguous())", t.Size, n, st.numel)
	}
	last := t.StorageOffset // the largest storage offset the view touches
	if n > 0 {
		for k, s := range t.Stride {
			if s < 0 {
				return nil, fmt.Errorf("negative stride %v", t.Stride)
			}
			if s == 0 && t.Size[k] > 1 {
				return nil, fmt.Errorf("tensor of size %v has stride 0 on axis %d (an expanded view): "+
					"save a contiguous copy (tensor.clone() or .contiguous())", t.Size, k)
			}
			if t.Size[k] > 1 && s > (st.numel-last)/(t.Size[k]-1) {
				return nil, fmt.Errorf("tensor of size %v, stride %v, offset %d does not fit its storage of %d values",
					t.Size, t.Stride, t.StorageOffset, st.numel)
			}
			last += (t.Size[k] - 1) * s
		}
		if last >= st.numel {
			return nil, fmt.Errorf("tensor of size %v, stride %v, offset %d does not fit its storage of %d values",
				t.Size, t.Stride, t.StorageOffset, st.numel)
		}
	}
	es := st.class.elemSize
	raw, err := readZipEntry(st.entry, int64(st.numel*es))
	if err != nil {
		return nil, err
	}
	if n > 0 && len(raw) < (last+1)*es {
		return nil, fmt.Errorf("storage %q holds %d bytes, the tensor needs %d (truncated file?)", st.key, len(raw), (last+1)*es)
	}
	out := nd.New(t.Size...)
	idx := make([]int, len(t.Size))
	for i := range out.Data {
		off := t.StorageOffset
		for k, v := range idx {
			off += v * t.Stride[k]
		}
		out.Data[i] = st.class.decode(raw[off*es:])
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < t.Size[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out, nil
}

// readPthParams reads the tutorial's tensors (PthKeys) of a .pth and notes the other
// entries it ignored once, as a notice (package notice).
func readPthParams(path string) (map[string]*nd.Array, error) {
	keep := func(k string) bool {
		for _, want := range PthKeys {
			if k == want {
				return true
			}
		}
		return false
	}
	sd, _, ignored, err := readStateDict(path, keep)
	if err != nil {
		return nil, err
	}
	if len(ignored) > 0 {
		sort.Strings(ignored)
		notice.Printf("nmatools: %s: ignored %d state_dict entries the model does not use: %s",
			path, len(ignored), strings.Join(ignored, ", "))
	}
	return sd, nil
}

// LoadPth reads the tutorial's state_dict (keys J, B, bx, output_linear.weight,
// output_linear.bias) into Params for cfg, checking every shape. Other entries of the
// state_dict, of any type, are ignored (and listed once as a notice).
func LoadPth(path string, cfg Config) (*Params, error) {
	sd, err := readPthParams(path)
	if err != nil {
		return nil, err
	}
	return paramsFromStateDict(path, sd, cfg)
}

func paramsFromStateDict(path string, sd map[string]*nd.Array, cfg Config) (*Params, error) {
	var missing []string
	for _, k := range PthKeys {
		if sd[k] == nil {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		have := make([]string, 0, len(sd))
		for k := range sd {
			have = append(have, k)
		}
		return nil, fmt.Errorf("%s: state_dict lacks %s (it has %s); expected the tutorial's keys %s",
			path, strings.Join(missing, ", "), strings.Join(have, ", "), strings.Join(PthKeys, ", "))
	}
	p := &Params{Config: cfg, J: sd["J"], B: sd["B"], Bx: sd["bx"], W: sd["output_linear.weight"], C: sd["output_linear.bias"]}
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkFiniteParams(p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// configForFile is the configuration a weights file's name suggests: "regularized" but
// not "unregularized" in it gives RegularizedConfig, anything else UnregularizedConfig.
// (A .pth or weights .npz holds the tensors only; their sizes replace these.)
func configForFile(path string) Config {
	base := strings.ToLower(filepath.Base(path))
	if strings.Contains(base, "regularized") && !strings.Contains(base, "unregularized") {
		return RegularizedConfig()
	}
	return UnregularizedConfig()
}

// ConfigFromStateDict infers the sizes from the tensors' shapes. G and H (used only for a
// fresh initialization) and Regularized follow the file name: "regularized" but not
// "unregularized" gives RegularizedConfig's values, anything else UnregularizedConfig's.
func ConfigFromStateDict(path string, sd map[string]*nd.Array) (Config, error) {
	cfg := configForFile(path)
	b, w := sd["B"], sd["output_linear.weight"]
	if b == nil || w == nil || b.Rank() != 2 || w.Rank() != 2 {
		return cfg, fmt.Errorf("%s: cannot infer sizes: need B (hidden, input) and output_linear.weight (output, hidden) in the state_dict", path)
	}
	cfg.HiddenSize, cfg.InputSize, cfg.OutputSize = b.Shape[0], b.Shape[1], w.Shape[0]
	return cfg, nil
}
