package model

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/nd"

	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
)

// ConfigFile is the file holding the Config in a checkpoint directory.
const ConfigFile = "model.json"

// configFile is model.json's content.
type configFile struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Config  Config `json:"config"`
}

const configFormat = "nmatools-ctrnn"

// WriteConfig writes dir/model.json atomically (for trainers that manage their own
// checkpoint.Handler on a store from NewStore).
func WriteConfig(dir string, cfg Config) error {
	b, err := json.MarshalIndent(configFile{Format: configFormat, Version: 1, Config: cfg}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(b, '\n'), 0o644)
}

// ReadConfig reads dir/model.json.
func ReadConfig(dir string) (Config, error) {
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return Config{}, fmt.Errorf("checkpoint %s: %w (an nmatools checkpoint directory holds %s and GoMLX checkpoint files)", dir, err, ConfigFile)
	}
	var cf configFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return Config{}, fmt.Errorf("checkpoint %s: %s is not valid JSON: %w", dir, ConfigFile, err)
	}
	if cf.Format != configFormat {
		return Config{}, fmt.Errorf("checkpoint %s: %s has format %q, want %q", dir, ConfigFile, cf.Format, configFormat)
	}
	if err := cf.Config.Validate(); err != nil {
		return Config{}, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return cf.Config, nil
}

// Save writes p as a GoMLX checkpoint (variables /ctrnn/{J,B,bx,W,c}) plus model.json into
// dir. It is atomic: everything is written to a temporary sibling directory that then
// replaces dir. An existing dir is replaced only if it is empty or an nmatools checkpoint.
func (p *Params) Save(dir string) error {
	if err := p.Check(); err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("save checkpoint: %s exists and is not a directory", dir)
		}
		entries, _ := os.ReadDir(dir)
		if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil && len(entries) > 0 {
			return fmt.Errorf("save checkpoint: %s is a non-empty directory without %s; refusing to replace it", dir, ConfigFile)
		}
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".tmp-"+filepath.Base(dir)+"-*")
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op after the rename
	store, err := NewStore(p)
	if err != nil {
		return err
	}
	h, err := checkpoint.Build(store).Dir(tmp).Done()
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := WriteConfig(tmp, p.Config); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := atomicfile.ReplaceDir(tmp, dir); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint directory written by Save (or by a trainer using
// NewStore + WriteConfig): the most recent GoMLX checkpoint in it and model.json.
func LoadCheckpoint(dir string) (*Params, error) {
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	store, err := LoadStore(dir, cfg)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	p, err := ParamsFromStore(store, cfg)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s (config in %s: input %d, hidden %d, output %d): %w",
			dir, ConfigFile, cfg.InputSize, cfg.HiddenSize, cfg.OutputSize, err)
	}
	if err := checkFiniteParams(p); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return p, nil
}

// checkFiniteParams refuses weights holding NaN or ±Inf (a diverged or damaged model),
// naming the parameter and the index of the first bad value.
func checkFiniteParams(p *Params) error {
	for i, w := range p.Config.params() {
		if err := nd.CheckFinite(w.Name, p.arrays()[i]); err != nil {
			return err
		}
	}
	return nil
}

// Load reads parameters from any of the three forms a network is kept in: a GoMLX
// checkpoint directory (see Save), a weights .npz (SaveNpz; a name ending in .npz) or a
// PyTorch .pth state_dict. For a .pth, sizes come from the tensors' shapes and the other
// constants from ConfigFromStateDict; a .npz is read the same way, with its tau_over_dt.
func Load(path string) (*Params, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if st.IsDir() {
		return LoadCheckpoint(path)
	}
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		return loadNpz(path)
	}
	sd, err := readPthParams(path)
	if err != nil {
		if !strings.HasSuffix(strings.ToLower(path), ".pth") && !strings.HasSuffix(strings.ToLower(path), ".pt") {
			return nil, fmt.Errorf("load model: %s is not a checkpoint directory, a weights .npz or a PyTorch .pth file: %w", path, err)
		}
		return nil, err
	}
	cfg, err := ConfigFromStateDict(path, sd)
	if err != nil {
		return nil, err
	}
	return paramsFromStateDict(path, sd, cfg)
}

// LoadAs is Load, then checks that the sizes match want (e.g. the tutorial's 16/150/2).
func LoadAs(path string, want Config) (*Params, error) {
	p, err := Load(path)
	if err != nil {
		return nil, err
	}
	got := p.Config
	if got.InputSize != want.InputSize || got.HiddenSize != want.HiddenSize || got.OutputSize != want.OutputSize {
		return nil, fmt.Errorf("%s holds a network with input %d, hidden %d, output %d; want input %d, hidden %d, output %d",
			path, got.InputSize, got.HiddenSize, got.OutputSize, want.InputSize, want.HiddenSize, want.OutputSize)
	}
	return p, nil
}

// PthToCheckpoint converts a PyTorch .pth state_dict into a checkpoint directory (Save).
// cfg gives the constants; its sizes must match the file.
func PthToCheckpoint(pthPath, dir string, cfg Config) error {
	p, err := LoadPth(pthPath, cfg)
	if err != nil {
		return err
	}
	return p.Save(dir)
}

// Limits on a checkpoint directory's files, checked before GoMLX's loader reads them.
const (
	maxCheckpointJSONBytes = 4 << 20
	maxCheckpointVars      = 256
	// MaxParamElems caps the elements of one network parameter a checkpoint or
	// model.json may declare (2^24: a 4096×4096 J).
	MaxParamElems = 1 << 24
)

// checkpointShapes are the network's variables (full GoMLX paths) and their shapes for
// cfg, and the largest element count among them; an error when cfg's sizes make a
// parameter larger than MaxParamElems.
func checkpointShapes(cfg Config) (map[string][]int, int, error) {
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	full := map[string][]int{}
	largest := 1
	for _, w := range cfg.params() {
		k, err := nd.CheckedSize(w.Shape, MaxParamElems)
		if err != nil {
			return nil, 0, fmt.Errorf("model config (input %d, hidden %d, output %d): parameter %s: %w",
				cfg.InputSize, cfg.HiddenSize, cfg.OutputSize, w.Var, err)
		}
		largest = max(largest, k)
		full["/"+Scope+"/"+w.Var] = w.Shape
	}
	return full, largest, nil
}

// ValidateCheckpointDir checks the newest GoMLX checkpoint in dir (the one GoMLX's
// loader reads) against cfg before anything is loaded: every variable's dimensions
// (non-negative, every one of the network's variables present with cfg's shapes, any
// other, e.g. an optimizer's moments, no larger than the largest parameter), byte lengths and
// positions consistent with the dimensions, and the data file holding exactly those
// bytes (a compressed one is decompressed once, counting, and stopped at the declared
// size). A crafted .json declaring Dimensions [100000000000] or [-1, 150] is an
// error here, not an out-of-memory crash or panic in the loader.
func ValidateCheckpointDir(dir string, cfg Config) error {
	want, largest, err := checkpointShapes(cfg)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "checkpoint-") && strings.HasSuffix(e.Name(), checkpoint.JsonNameSuffix) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("no GoMLX checkpoint (checkpoint-*.json and .bin) in it")
	}
	sort.Strings(names)
	jsonPath := filepath.Join(dir, names[len(names)-1])
	base := strings.TrimSuffix(jsonPath, checkpoint.JsonNameSuffix)
	st, err := os.Stat(jsonPath)
	if err != nil {
		return err
	}
	if st.Size() > maxCheckpointJSONBytes {
		return fmt.Errorf("%s is %d bytes, more than the %d a checkpoint's metadata takes", jsonPath, st.Size(), maxCheckpointJSONBytes)
	}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		return err
	}
	var meta struct {
		Variables []struct {
			ParameterName string
			Dimensions    []int
			DType         dtypes.DType
			Pos, Length   int
		}
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return fmt.Errorf("%s is not a GoMLX checkpoint's metadata: %w", jsonPath, err)
	}
	if len(meta.Variables) > maxCheckpointVars {
		return fmt.Errorf("%s lists %d variables, more than %d", jsonPath, len(meta.Variables), maxCheckpointVars)
	}
	total := 0
	seen := map[string]bool{}
	for _, v := range meta.Variables {
		name := strings.TrimPrefix(v.ParameterName, "var:")
		if len(v.Dimensions) > 8 {
			return fmt.Errorf("%s: variable %s has %d dimensions", jsonPath, name, len(v.Dimensions))
		}
		n, err := nd.CheckedSize(v.Dimensions, largest)
		if err != nil {
			return fmt.Errorf("%s: variable %s: %w (the largest parameter of input %d, hidden %d, output %d has %d)",
				jsonPath, name, err, cfg.InputSize, cfg.HiddenSize, cfg.OutputSize, largest)
		}
		if dims, ok := want[name]; ok && !slices.Equal(dims, v.Dimensions) {
			return fmt.Errorf("%s: variable %s has shape %v, %s (input %d, hidden %d, output %d) needs %v",
				jsonPath, name, v.Dimensions, ConfigFile, cfg.InputSize, cfg.HiddenSize, cfg.OutputSize, dims)
		}
		seen[name] = true
		size := v.DType.Size()
		if size <= 0 || size > 16 {
			return fmt.Errorf("%s: variable %s has an unsupported dtype %s", jsonPath, name, v.DType)
		}
		if v.Length != n*size || v.Pos != total {
			return fmt.Errorf("%s: variable %s (%v %s) declares %d bytes at position %d, want %d bytes at %d (damaged file)",
				jsonPath, name, v.Dimensions, v.DType, v.Length, v.Pos, n*size, total)
		}
		total += v.Length
	}
	for _, w := range cfg.params() {
		if name := "/" + Scope + "/" + w.Var; !seen[name] {
			return fmt.Errorf("%s has no variable %s: not a checkpoint of the CTRNN", jsonPath, name)
		}
	}
	return checkCheckpointBin(base+checkpoint.BinDataSuffix, int64(total))
}

// checkCheckpointBin checks that a checkpoint's data file holds exactly want bytes of
// variable data (after GoMLX's gzip framing, if any), reading at most want+1 of them.
func checkCheckpointBin(path string, want int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	const header = "gomlx_checkpointss"
	var r io.Reader = f
	head := make([]byte, len(header))
	if n, _ := io.ReadFull(f, head); n == len(header) && string(head) == header {
		var k [1]byte
		if _, err := io.ReadFull(f, k[:]); err != nil {
			return fmt.Errorf("%s: truncated header", path)
		}
		name := make([]byte, k[0])
		if _, err := io.ReadFull(f, name); err != nil || string(name) != "gzip" {
			return fmt.Errorf("%s: unsupported compression %q", path, name)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: damaged data: %w", path, err)
		}
		defer zr.Close()
		r = zr
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	got, err := io.Copy(io.Discard, io.LimitReader(r, want+1))
	if err != nil {
		return fmt.Errorf("%s: damaged data: %w", path, err)
	}
	if got != want {
		more := ""
		if got > want {
			more = "more than "
		}
		return fmt.Errorf("%s holds %s%d bytes of variable data, its .json declares %d (damaged or mismatched files)", path, more, got, want)
	}
	return nil
}

// LoadStore reads the newest GoMLX checkpoint in dir into a new store after
// ValidateCheckpointDir, turning a panic of the loader into an error.
func LoadStore(dir string, cfg Config) (store *gmodel.Store, err error) {
	if err := ValidateCheckpointDir(dir, cfg); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			store, err = nil, fmt.Errorf("the GoMLX checkpoint loader failed: %v", r)
		}
	}()
	store = gmodel.NewStore()
	if _, err := checkpoint.Load(store).Dir(dir).Immediate().Done(); err != nil {
		return nil, err
	}
	return store, nil
}
