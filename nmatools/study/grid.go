package study

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
)

// Grid is a study's G.json: every combination of a rate penalty, a weight
// penalty and a seed is one cell, trained for Epochs epochs with the
// regularized recipe otherwise unchanged.
type Grid struct {
	RatePenalty   []float64 `json:"rate_penalty"`
	WeightPenalty []float64 `json:"weight_penalty"`
	Seeds         []int64   `json:"seeds"`
	Epochs        int       `json:"epochs"`
}

// MaxCells bounds the cells of one grid (a typo such as a seed list of a
// million entries fails before anything runs).
const MaxCells = 10000

// maxGridBytes bounds a grid file.
const maxGridBytes = 1 << 20

// ReadGrid reads and checks a grid file. Unknown keys are refused (a
// misspelt "seed" would otherwise silently mean no seeds).
func ReadGrid(path string) (Grid, error) {
	f, err := os.Open(path)
	if err != nil {
		return Grid{}, fmt.Errorf("study: grid: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxGridBytes+1)); err != nil {
		return Grid{}, fmt.Errorf("study: grid %s: %w", path, err)
	}
	if buf.Len() > maxGridBytes {
		return Grid{}, fmt.Errorf("study: grid %s is over %d bytes: a grid is a small JSON object", path, maxGridBytes)
	}
	g, err := ParseGrid(buf.Bytes())
	if err != nil {
		return Grid{}, fmt.Errorf("%w (file %s)", err, path)
	}
	return g, nil
}

// ParseGrid parses and checks a grid's JSON.
func ParseGrid(b []byte) (Grid, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var g Grid
	if err := dec.Decode(&g); err != nil {
		return Grid{}, fmt.Errorf(`study: grid: %v; want {"rate_penalty": [...], "weight_penalty": [...], "seeds": [...], "epochs": E}`, err)
	}
	if dec.More() {
		return Grid{}, errors.New("study: grid: more than one JSON value")
	}
	return g, g.Validate()
}

// Validate says what is wrong with g, or returns nil.
func (g Grid) Validate() error {
	for _, l := range []struct {
		name string
		v    []float64
	}{{"rate_penalty", g.RatePenalty}, {"weight_penalty", g.WeightPenalty}} {
		if len(l.v) == 0 {
			return fmt.Errorf("study: grid: %s is empty: give at least one penalty (0 for none)", l.name)
		}
		seen := map[float64]bool{}
		for _, v := range l.v {
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("study: grid: %s %v: penalties are finite numbers ≥ 0", l.name, v)
			}
			if seen[v] {
				return fmt.Errorf("study: grid: %s lists %v twice", l.name, v)
			}
			seen[v] = true
		}
	}
	if len(g.Seeds) == 0 {
		return errors.New("study: grid: seeds is empty: give at least one seed")
	}
	seen := map[int64]bool{}
	for _, s := range g.Seeds {
		if seen[s] {
			return fmt.Errorf("study: grid: seeds lists %d twice", s)
		}
		seen[s] = true
	}
	if g.Epochs < 1 {
		return fmt.Errorf("study: grid: epochs %d: want a positive number of epochs (the course's regularized run has 100)", g.Epochs)
	}
	if n := len(g.RatePenalty) * len(g.WeightPenalty) * len(g.Seeds); n > MaxCells {
		return fmt.Errorf("study: grid: %d cells, more than %d", n, MaxCells)
	}
	return nil
}

// Equal reports whether two grids list the same values in the same order.
func (g Grid) Equal(o Grid) bool {
	return slices.Equal(g.RatePenalty, o.RatePenalty) && slices.Equal(g.WeightPenalty, o.WeightPenalty) &&
		slices.Equal(g.Seeds, o.Seeds) && g.Epochs == o.Epochs
}

// Cell is one network of the grid.
type Cell struct {
	RatePenalty   float64 `json:"rate_penalty"`
	WeightPenalty float64 `json:"weight_penalty"`
	Seed          int64   `json:"seed"`
}

// Cells lists the grid's cells in its fixed order: rate penalties in the
// order given, within each the weight penalties in the order given, within
// each the seeds in the order given. Shards are dealt from this order, and
// the table's rows follow it.
func (g Grid) Cells() []Cell {
	out := make([]Cell, 0, len(g.RatePenalty)*len(g.WeightPenalty)*len(g.Seeds))
	for _, r := range g.RatePenalty {
		for _, w := range g.WeightPenalty {
			for _, s := range g.Seeds {
				out = append(out, Cell{RatePenalty: r, WeightPenalty: w, Seed: s})
			}
		}
	}
	return out
}

// Name is the cell's file name in DIR/cells (without ".json"), e.g.
// "rate0.003_weight1e-05_seed2024": the shortest decimal forms of its
// values, so the same cell has the same name on every machine.
func (c Cell) Name() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return "rate" + f(c.RatePenalty) + "_weight" + f(c.WeightPenalty) + "_seed" + strconv.FormatInt(c.Seed, 10)
}

// String is the cell for people: "rate 0.003, weight 1e-05, seed 2024".
func (c Cell) String() string {
	return fmt.Sprintf("rate %g, weight %g, seed %d", c.RatePenalty, c.WeightPenalty, c.Seed)
}
