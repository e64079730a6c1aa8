package compare

import (
	"fmt"
	"math"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// Data is an array shaped (conditions, time, units), row-major float64:
// element (c, t, u) is Values[(c*Times+t)*Units+u].
type Data struct {
	Conditions, Times, Units int
	Values                   []float64
}

// maxElements caps the size of one data set (2^28 values, 2 GiB of
// float64), so that a bad shape fails before it allocates.
const maxElements = 1 << 28

// New checks and wraps values shaped (conditions, time, units); the slice is
// used, not copied.
func New(conditions, times, units int, values []float64) (*Data, error) {
	if conditions <= 0 || times <= 0 || units <= 0 {
		return nil, fmt.Errorf("compare: shape (%d, %d, %d): want positive (conditions, time, units)", conditions, times, units)
	}
	if conditions > maxElements/times || conditions*times > maxElements/units {
		return nil, fmt.Errorf("compare: shape (%d, %d, %d) has more than %d values", conditions, times, units, maxElements)
	}
	if n := conditions * times * units; len(values) != n {
		return nil, fmt.Errorf("compare: %d values for shape (%d, %d, %d), want %d", len(values), conditions, times, units, n)
	}
	d := &Data{Conditions: conditions, Times: times, Units: units, Values: values}
	if err := d.checkFinite(); err != nil {
		return nil, err
	}
	return d, nil
}

// FromND copies a 3-D nd.Array (conditions, time, units) into a Data.
func FromND(a *nd.Array) (*Data, error) {
	if a == nil || a.Rank() != 3 {
		shape := []int(nil)
		if a != nil {
			shape = a.Shape
		}
		return nil, fmt.Errorf("compare: want a 3-D array (conditions, time, units), got shape %v", shape)
	}
	v := make([]float64, len(a.Data))
	for i, x := range a.Data {
		v[i] = float64(x)
	}
	return New(a.Shape[0], a.Shape[1], a.Shape[2], v)
}

// Apply replaces every value v by f(v) (e.g. model.Rate: a network's hidden states as its
// firing rates) and returns d.
func (d *Data) Apply(f func(float64) float64) *Data {
	for i, v := range d.Values {
		d.Values[i] = f(v)
	}
	return d
}

// At returns element (c, t, u).
func (d *Data) At(c, t, u int) float64 { return d.Values[(c*d.Times+t)*d.Units+u] }

// Shape returns (conditions, time, units).
func (d *Data) Shape() [3]int { return [3]int{d.Conditions, d.Times, d.Units} }

func (d *Data) checkFinite() error {
	for i, v := range d.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			u := i % d.Units
			t := (i / d.Units) % d.Times
			c := i / (d.Units * d.Times)
			return fmt.Errorf("compare: value %v at (condition %d, time %d, unit %d): the data must be finite (drop or interpolate missing values first)", v, c, t, u)
		}
	}
	return nil
}

func (d *Data) check(name string) error {
	if d == nil {
		return fmt.Errorf("compare: %s is nil", name)
	}
	if _, err := New(d.Conditions, d.Times, d.Units, d.Values); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// TimeWindow returns a copy of time points [from, to) of every condition,
// e.g. the movement epoch for jPCA.
func (d *Data) TimeWindow(from, to int) (*Data, error) {
	if from < 0 || to > d.Times || to-from < 1 {
		return nil, fmt.Errorf("compare: time window [%d, %d) of %d time points: want 0 ≤ from < to ≤ %d", from, to, d.Times, d.Times)
	}
	n := to - from
	v := make([]float64, 0, d.Conditions*n*d.Units)
	for c := 0; c < d.Conditions; c++ {
		i := (c*d.Times + from) * d.Units
		v = append(v, d.Values[i:i+n*d.Units]...)
	}
	return &Data{Conditions: d.Conditions, Times: n, Units: d.Units, Values: v}, nil
}
