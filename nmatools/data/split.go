package data

import (
	"fmt"
	"sort"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// NumTrain and NumVal are the sizes of the tutorial's train/validation split
// of the NumConditions reach conditions.
const (
	NumTrain = 20
	NumVal   = 7
)

// TrainValSplit returns a random 20/7 split of the condition indices
// 0..26, each part sorted, like the tutorial's train_val_split.
//
// The tutorial draws the split with torch.utils.data.random_split and no
// seed, so it differs from run to run. Here the split is a deterministic
// function of seed: it is exactly what
//
//	torch.manual_seed(seed)
//	train, val = random_split(range(27), [20, 7])
//
// gives on CPU (torch.randperm's Fisher–Yates shuffle driven by the
// default generator's MT19937), sorted. Negative seeds are used as their
// two's-complement uint64, as torch does.
func TrainValSplit(seed int64) (train, val []int) {
	perm := torchRandperm(NumConditions, uint64(seed))
	train = append([]int(nil), perm[:NumTrain]...)
	val = append([]int(nil), perm[NumTrain:]...)
	sort.Ints(train)
	sort.Ints(val)
	return train, val
}

// torchRandperm reproduces torch.randperm(n) on CPU right after
// torch.manual_seed(seed), for small n (n < 2²⁴, the range in which torch
// uses this 32-bit draw).
func torchRandperm(n int, seed uint64) []int {
	g := newMT19937(uint32(seed))
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	for i := 0; i < n-1; i++ {
		z := int(uint64(g.next()) % uint64(n-i))
		r[i], r[z+i] = r[z+i], r[i]
	}
	return r
}

// mt19937 is the 32-bit Mersenne Twister (std::mt19937), the engine of
// torch's CPU generator.
type mt19937 struct {
	state [624]uint32
	idx   int
}

func newMT19937(seed uint32) *mt19937 {
	m := &mt19937{idx: 624}
	m.state[0] = seed
	for i := 1; i < 624; i++ {
		prev := m.state[i-1]
		m.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return m
}

func (m *mt19937) next() uint32 {
	const (
		upper = 0x80000000
		lower = 0x7fffffff
		matA  = 0x9908b0df
	)
	if m.idx >= 624 {
		for i := 0; i < 624; i++ {
			y := (m.state[i] & upper) | (m.state[(i+1)%624] & lower)
			v := m.state[(i+397)%624] ^ (y >> 1)
			if y&1 != 0 {
				v ^= matA
			}
			m.state[i] = v
		}
		m.idx = 0
	}
	y := m.state[m.idx]
	m.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// Subset returns the fixed-delay inputs and outputs of the given conditions,
// shapes (len(conds), T, 16) and (len(conds), T, 2), copied — the tutorial's
// normalised_inputs[train_idx], outputs[train_idx].
func (d *Dataset) Subset(conds []int) (inputs, outputs *nd.Array, err error) {
	if err := checkConds(conds, d.Inputs.Shape[0]); err != nil {
		return nil, nil, err
	}
	return d.Inputs.Take(conds), d.Outputs.Take(conds), nil
}

// WithDelaySubset returns every delay's sequence of the given conditions,
// flattened to (len(conds)*numDelays, T, F): row k*numDelays+j is condition
// conds[k] at delay j. Because a split over conditions keeps all the delays
// of a condition on the same side, TrainValSplit plus WithDelaySubset gives a
// train/validation split of the with-delay data with no condition on both
// sides.
func (d *Dataset) WithDelaySubset(conds []int) (inputs, outputs *nd.Array, err error) {
	if err := checkConds(conds, d.InputsWithDelay.Shape[0]); err != nil {
		return nil, nil, err
	}
	flat := func(a *nd.Array) *nd.Array {
		t := a.Take(conds)
		shape := append([]int{len(conds) * a.Shape[1]}, a.Shape[2:]...)
		r, _ := t.Reshape(shape...) // same size by construction
		return r
	}
	return flat(d.InputsWithDelay), flat(d.OutputsWithDelay), nil
}

func checkConds(conds []int, n int) error {
	if len(conds) == 0 {
		return fmt.Errorf("data: no conditions selected (want indices in 0..%d)", n-1)
	}
	for _, c := range conds {
		if c < 0 || c >= n {
			return fmt.Errorf("data: condition index %d out of range: the dataset has conditions 0..%d", c, n-1)
		}
	}
	return nil
}
