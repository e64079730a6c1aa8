package model

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	var old string
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
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
	store := gmodel.NewStore()
	if _, err := checkpoint.Load(store).Dir(dir).Immediate().Done(); err != nil {
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
	for _, c := range []struct {
		name string
		a    *nd.Array
	}{{"J", p.J}, {"B", p.B}, {"bx", p.Bx}, {"W (output_linear.weight)", p.W}, {"c (output_linear.bias)", p.C}} {
		if err := nd.CheckFinite(c.name, c.a); err != nil {
			return err
		}
	}
	return nil
}

// Load reads parameters from a GoMLX checkpoint directory (see Save) or a PyTorch .pth
// state_dict. For a .pth, sizes come from the tensors' shapes and the other constants
// from ConfigFromStateDict.
func Load(path string) (*Params, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if st.IsDir() {
		return LoadCheckpoint(path)
	}
	sd, err := readPthParams(path)
	if err != nil {
		if !strings.HasSuffix(strings.ToLower(path), ".pth") && !strings.HasSuffix(strings.ToLower(path), ".pt") {
			return nil, fmt.Errorf("load model: %s is neither a checkpoint directory nor a PyTorch .pth file: %w", path, err)
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
