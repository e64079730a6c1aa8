package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	mlmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/model"
)

// Layout of Options.OutDir (one directory, loadable by model.Load):
//
//	model.json                         the network configuration (model.WriteConfig)
//	checkpoint-epoch-NNNNNN.{json,bin} GoMLX checkpoint after epoch NNNNNN of the whole store:
//	                                   weights /ctrnn/*, Adam's moments and step counters
//	state-epoch-NNNNNN.json            the per-epoch losses so far, for resuming
//	training.json                      the Result of the finished run
//
// A checkpoint is written into a staging directory, then moved in with renames
// (state, .bin, and last the .json that makes it visible), so an interrupted
// write never leaves a half checkpoint. The newest Keep checkpoints are kept;
// model.Load and resuming read the newest.
const (
	ckptPrefix    = "checkpoint-epoch-"
	statePrefix   = "state-epoch-"
	stagingSubdir = ".staging"
	resultFile    = "training.json"
)

// trainState is state-epoch-N.json: what resuming needs besides the store.
type trainState struct {
	Recipe    string    `json:"recipe"`
	Seed      int64     `json:"seed"`
	Epoch     int       `json:"epoch"` // epochs completed
	TrainLoss []float64 `json:"train_loss"`
	TrainMSE  []float64 `json:"train_mse"`
	ValLoss   []float64 `json:"val_loss"`
	Data      DataID    `json:"data"`
}

type checkpointer struct {
	dir, staging string
	keep         int
	handler      *checkpoint.Handler
	lock         *os.File  // holds the lock on lockFile until release
	log          io.Writer // notes (e.g. starting over), may be nil
}

// lockFile in Options.OutDir is locked (flock) by the run writing into it, and holds
// its process id. The kernel drops the lock when that process ends, however it ends,
// so a lock is never stale; the file itself stays.
const lockFile = ".nmatools-train.lock"

// newCheckpointer creates dir and takes its lock: a second run on the same
// directory, in this process or another, is refused until release.
func newCheckpointer(dir string, keep int, log io.Writer) (*checkpointer, error) {
	if keep <= 0 {
		keep = 2
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("train: cannot create the checkpoint directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = os.Stderr // starting over discards files: always say so
	}
	return &checkpointer{dir: dir, staging: filepath.Join(dir, stagingSubdir), keep: keep, lock: lock, log: log}, nil
}

// release drops the directory's lock (nil-safe, idempotent).
func (c *checkpointer) release() {
	if c != nil && c.lock != nil {
		unlockDir(c.lock)
		c.lock = nil
	}
}

func (c *checkpointer) notef(format string, a ...any) {
	fmt.Fprintf(c.log, format+"\n", a...)
}

func epochName(prefix string, epoch int) string { return fmt.Sprintf("%s%06d", prefix, epoch) }

// epochs lists the epochs of the complete checkpoints (those with their .json), oldest first.
func (c *checkpointer) epochs() ([]int, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, fmt.Errorf("train: listing checkpoints: %w", err)
	}
	var eps []int
	for _, e := range entries {
		var ep int
		if _, err := fmt.Sscanf(e.Name(), ckptPrefix+"%06d.json", &ep); err == nil &&
			e.Name() == epochName(ckptPrefix, ep)+".json" {
			eps = append(eps, ep)
		}
	}
	slices.Sort(eps)
	return eps, nil
}

// latest loads the newest training checkpoint: its state and a store holding
// its variables. Both are nil when the directory is empty. A directory of
// another model configuration, or not written by Train, is an error.
func (c *checkpointer) latest(cfg model.Config) (*trainState, *mlmodel.Store, error) {
	eps, err := c.epochs()
	if err != nil {
		return nil, nil, err
	}
	if len(eps) == 0 {
		return nil, nil, c.clearFirstEpochLeftovers()
	}
	got, err := model.ReadConfig(c.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	if got != cfg {
		return nil, nil, fmt.Errorf("train: %s holds a checkpoint of another model (%+v); the recipe needs %+v: "+
			"choose another output directory", c.dir, got, cfg)
	}
	ep := eps[len(eps)-1]
	st, err := c.readState(ep)
	if err != nil {
		return nil, nil, err
	}
	store, err := loadStore(c.dir, cfg)
	if err != nil {
		return nil, nil, err
	}
	return st, store, nil
}

// clearFirstEpochLeftovers handles a directory without any complete checkpoint:
// empty, or holding only what a first epoch that was interrupted (killed) or
// diverged leaves behind (model.json, the staging directory, a state or .bin file
// whose checkpoint .json was never moved in). Such leftovers are removed and
// training starts from scratch, saying so; anything else is refused.
func (c *checkpointer) clearFirstEpochLeftovers() error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	var left []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == stagingSubdir || strings.HasPrefix(name, "."):
		case name == model.ConfigFile:
			if _, err := model.ReadConfig(c.dir); err != nil {
				return fmt.Errorf("train: %s holds a %s that nmatools did not write (%v): choose a new or empty output directory",
					c.dir, model.ConfigFile, err)
			}
			left = append(left, name)
		case !e.IsDir() && (strings.HasPrefix(name, statePrefix) && strings.HasSuffix(name, ".json") ||
			strings.HasPrefix(name, ckptPrefix) && strings.HasSuffix(name, checkpoint.BinDataSuffix)):
			left = append(left, name)
		default:
			return fmt.Errorf("train: %s is not empty and holds no training checkpoint (found %s): "+
				"choose a new or empty output directory", c.dir, name)
		}
	}
	if len(left) == 0 {
		return nil
	}
	for _, name := range left {
		if name == model.ConfigFile {
			continue // rewritten by attach
		}
		if err := os.Remove(filepath.Join(c.dir, name)); err != nil {
			return fmt.Errorf("train: removing the leftovers of an interrupted run: %w", err)
		}
	}
	c.notef("train: %s holds no complete checkpoint, only what an interrupted or diverged first epoch left (%s): starting from scratch",
		c.dir, strings.Join(left, ", "))
	return nil
}

func (c *checkpointer) readState(epoch int) (*trainState, error) {
	path := filepath.Join(c.dir, epochName(statePrefix, epoch)+".json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: the checkpoint of epoch %d in %s has no training state (%v): "+
			"it was not written by Train, or is damaged", epoch, c.dir, err)
	}
	st := &trainState{}
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, fmt.Errorf("train: %s is damaged (%v)", path, err)
	}
	if st.Epoch != epoch || len(st.TrainLoss) != epoch || len(st.ValLoss) != epoch || len(st.TrainMSE) != epoch {
		return nil, fmt.Errorf("train: %s says %d epochs and holds %d/%d/%d losses; want %d",
			path, st.Epoch, len(st.TrainLoss), len(st.TrainMSE), len(st.ValLoss), epoch)
	}
	return st, nil
}

// loadStore reads the newest GoMLX checkpoint in dir into a new store
// (model.LoadStore checks its variables against cfg).
func loadStore(dir string, cfg model.Config) (*mlmodel.Store, error) {
	store, err := model.LoadStore(dir, cfg)
	if err != nil {
		return nil, fmt.Errorf("train: cannot read the checkpoint in %s: %w", dir, err)
	}
	return store, nil
}

// attach prepares saving store's variables and writes model.json.
func (c *checkpointer) attach(store *mlmodel.Store, cfg model.Config) error {
	if err := os.RemoveAll(c.staging); err != nil { // leftovers of an interrupted save
		return fmt.Errorf("train: %w", err)
	}
	if err := os.MkdirAll(c.staging, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	h, err := checkpoint.Build(store).Dir(c.staging).Keep(-1).Done()
	if err != nil {
		return fmt.Errorf("train: checkpoint handler: %w", err)
	}
	c.handler = h
	if err := model.WriteConfig(c.dir, cfg); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// save writes the checkpoint after res.Epochs epochs and removes those beyond
// the newest c.keep.
func (c *checkpointer) save(res *Result) error {
	fail := func(err error) error {
		return fmt.Errorf("train: saving the checkpoint of epoch %d: %w", res.Epochs, err)
	}
	if err := c.handler.Save(); err != nil {
		return fail(err)
	}
	var bin, js string
	files, err := os.ReadDir(c.staging)
	if err != nil {
		return fail(err)
	}
	for _, f := range files {
		p := filepath.Join(c.staging, f.Name())
		switch filepath.Ext(f.Name()) {
		case checkpoint.BinDataSuffix:
			bin = p
		case checkpoint.JsonNameSuffix:
			js = p
		}
	}
	if bin == "" || js == "" || len(files) != 2 {
		return fail(fmt.Errorf("GoMLX wrote %d files into %s, want one .bin and one .json", len(files), c.staging))
	}
	st := trainState{Recipe: res.Recipe, Seed: res.Seed, Epoch: res.Epochs,
		TrainLoss: res.TrainLoss, TrainMSE: res.TrainMSE, ValLoss: res.ValLoss, Data: res.Data}
	if err := writeJSON(filepath.Join(c.dir, epochName(statePrefix, res.Epochs)+".json"), st); err != nil {
		return fail(err)
	}
	base := filepath.Join(c.dir, epochName(ckptPrefix, res.Epochs))
	if err := os.Rename(bin, base+checkpoint.BinDataSuffix); err != nil {
		return fail(err)
	}
	if err := os.Rename(js, base+checkpoint.JsonNameSuffix); err != nil { // the commit point
		return fail(err)
	}
	eps, err := c.epochs()
	if err != nil {
		return err
	}
	for _, ep := range eps[:max(0, len(eps)-c.keep)] {
		for _, f := range []string{epochName(ckptPrefix, ep) + checkpoint.JsonNameSuffix,
			epochName(ckptPrefix, ep) + checkpoint.BinDataSuffix, epochName(statePrefix, ep) + ".json"} {
			if err := os.Remove(filepath.Join(c.dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("train: removing an old checkpoint: %w", err)
			}
		}
	}
	return nil
}

// finish writes training.json and removes the staging directory.
func (c *checkpointer) finish(res *Result) error {
	if err := writeJSON(filepath.Join(c.dir, resultFile), res); err != nil {
		return err
	}
	return os.RemoveAll(c.staging)
}

// lastGood describes the checkpoint an interrupted or failed run leaves.
func (c *checkpointer) lastGood(epochs int) string {
	if c == nil {
		return "no checkpoint is written without an output directory"
	}
	if epochs == 0 {
		return "no checkpoint was written yet"
	}
	return fmt.Sprintf("the last good checkpoint (epoch %d) is in %s", epochs, c.dir)
}

// ReadResult reads the training.json a finished run wrote into dir.
func ReadResult(dir string) (*Result, error) {
	raw, err := os.ReadFile(filepath.Join(dir, resultFile))
	if err != nil {
		return nil, fmt.Errorf("train: %w (is %s a directory written by a finished Train?)", err, dir)
	}
	res := &Result{}
	if err := json.Unmarshal(raw, res); err != nil {
		return nil, fmt.Errorf("train: %s: %w", filepath.Join(dir, resultFile), err)
	}
	return res, nil
}

// writeJSON writes v as indented JSON to path atomically (temp file + rename).
func writeJSON(path string, v any) error {
	if err := atomicfile.WriteJSON(path, v); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}
