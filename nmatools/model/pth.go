package model

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"
)

// PthKeys are the state_dict keys of the tutorial's models, in PyTorch's order.
var PthKeys = []string{"J", "B", "bx", "output_linear.weight", "output_linear.bias"}

// ReadStateDict reads a PyTorch .pth file holding a state_dict of tensors (the zip format
// PyTorch writes since 1.6; storages saved on any device, e.g. 'cuda:0', are read to the
// host) and returns float32 arrays by key, in file order. Float64 and float16 tensors are
// converted to float32.
func ReadStateDict(path string) (map[string]*nd.Array, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read .pth: %w", err)
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	if !bytes.Equal(head, []byte("PK\x03\x04")) {
		if len(head) >= 2 && head[0] == 0x80 && head[1] <= 5 {
			return nil, nil, fmt.Errorf("%s is in PyTorch's legacy (pre-1.6, non-zip) format, which is not supported: "+
				"re-save it in Python with torch.save(torch.load(path), path) using PyTorch ≥ 1.6", path)
		}
		return nil, nil, fmt.Errorf("%s is not a PyTorch .pth file (a zip archive written by torch.save)", path)
	}
	obj, err := loadPickle(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read .pth %s: %w", path, err)
	}
	out := map[string]*nd.Array{}
	var order []string
	add := func(k, v any) error {
		key, ok := k.(string)
		if !ok {
			return fmt.Errorf("state_dict key %v is not a string", k)
		}
		t, ok := v.(*pytorch.Tensor)
		if !ok {
			return fmt.Errorf("state_dict entry %q is a %T, not a tensor", key, v)
		}
		a, err := tensorToArray(t)
		if err != nil {
			return fmt.Errorf("state_dict entry %q: %w", key, err)
		}
		out[key] = a
		order = append(order, key)
		return nil
	}
	switch d := obj.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	case *types.Dict:
		for _, entry := range *d {
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	default:
		return nil, nil, fmt.Errorf("%s holds a %T, not a state_dict: save model.state_dict(), not the model", path, obj)
	}
	return out, order, nil
}

func loadPickle(path string) (obj any, err error) {
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("malformed pickle: %v", r)
		}
	}()
	return pytorch.Load(path)
}

// tensorToArray copies a (possibly strided) tensor to a row-major float32 array.
func tensorToArray(t *pytorch.Tensor) (*nd.Array, error) {
	var data []float32
	switch s := t.Source.(type) {
	case *pytorch.FloatStorage:
		data = s.Data
	case *pytorch.DoubleStorage:
		data = make([]float32, len(s.Data))
		for i, v := range s.Data {
			data[i] = float32(v)
		}
	case *pytorch.HalfStorage:
		data = s.Data
	default:
		return nil, fmt.Errorf("storage %T is not a floating-point type (want float32, float64 or float16)", t.Source)
	}
	if len(t.Stride) != len(t.Size) {
		return nil, fmt.Errorf("tensor has %d sizes but %d strides", len(t.Size), len(t.Stride))
	}
	out := nd.New(t.Size...)
	idx := make([]int, len(t.Size))
	for i := range out.Data {
		off := t.StorageOffset
		for k, v := range idx {
			off += v * t.Stride[k]
		}
		if off < 0 || off >= len(data) {
			return nil, fmt.Errorf("tensor of size %v, stride %v, offset %d does not fit its storage of %d values",
				t.Size, t.Stride, t.StorageOffset, len(data))
		}
		out.Data[i] = data[off]
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

// LoadPth reads the tutorial's state_dict (keys J, B, bx, output_linear.weight,
// output_linear.bias) into Params for cfg, checking every shape.
func LoadPth(path string, cfg Config) (*Params, error) {
	sd, _, err := ReadStateDict(path)
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
	return p, nil
}

// ConfigFromStateDict infers the sizes from the tensors' shapes. G and H (used only for a
// fresh initialization) and Regularized follow the file name: "regularized" but not
// "unregularized" gives RegularizedConfig's values, anything else UnregularizedConfig's.
func ConfigFromStateDict(path string, sd map[string]*nd.Array) (Config, error) {
	cfg := UnregularizedConfig()
	base := strings.ToLower(filepath.Base(path))
	if strings.Contains(base, "regularized") && !strings.Contains(base, "unregularized") {
		cfg = RegularizedConfig()
	}
	b, w := sd["B"], sd["output_linear.weight"]
	if b == nil || w == nil || b.Rank() != 2 || w.Rank() != 2 {
		return cfg, fmt.Errorf("%s: cannot infer sizes: need B (hidden, input) and output_linear.weight (output, hidden) in the state_dict", path)
	}
	cfg.HiddenSize, cfg.InputSize, cfg.OutputSize = b.Shape[0], b.Shape[1], w.Shape[0]
	return cfg, nil
}
