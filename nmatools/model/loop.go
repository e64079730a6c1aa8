package model

import (
	"fmt"
	"os"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
)

// This file holds the one time loop every recurrence of the package runs on (the forward
// of Runner, the sweeps and training, and training's hand-written backward), the one
// backend capability check that picks its form, and the one hidden-size padding helper.

// EnvLoop forces the loop form: "while" or "unroll" (default: While where the backend
// supports it, i.e. XLA; unrolled on the pure-Go backend).
const EnvLoop = "NMATOOLS_LOOP"

// legacyEnvLoop is the variable's earlier name (sweeps only), still honoured.
const legacyEnvLoop = "NMATOOLS_SWEEP_LOOP"

// UsesWhileLoop reports whether graphs for backend b run their time loops as a While loop
// (a graph of constant size: XLA compiles it in about a second, where the 250 unrolled
// steps take it minutes) or unrolled (the pure-Go backend lacks DynamicSlice and
// DynamicUpdateSlice, and runs the unrolled steps fast). $NMATOOLS_LOOP=while|unroll
// overrides the choice.
func UsesWhileLoop(b compute.Backend) bool {
	for _, env := range []string{EnvLoop, legacyEnvLoop} {
		switch os.Getenv(env) {
		case "while":
			return true
		case "unroll":
			return false
		}
	}
	ops := b.Capabilities().Operations
	// go-xla v0.4.1 implements While without listing OpTypeWhile in its capabilities.
	return b.Capabilities().Functions && ops[compute.OpTypeDynamicSlice] && ops[compute.OpTypeDynamicUpdateSlice]
}

// scanBody is one iteration of scan: xs are the sequences' slices at step t, carry the loop
// state, consts the loop-invariant values. It returns the next carry and the step's outputs.
// It must build every node from its arguments and make its constants with graph.Const or
// graph.ConstAsDType (not the per-graph cached graph.Scalar & co.): in the While form it
// builds a closure, which cannot use values of the enclosing function in binary ops.
type scanBody func(xs, carry, consts []*graph.Node) (next, ys []*graph.Node)

// scan runs body for t = 0..steps-1 (or steps-1..0 when reverse) over the sequences seqs,
// whose time axis is seqAxis, and returns the final carry and the steps' outputs (shapes
// yShapes per step) stacked along yAxis (0: time-first). useWhile selects a While loop (see
// UsesWhileLoop; GoMLX cannot differentiate it); otherwise the steps are unrolled (then GoMLX
// can also differentiate the loop).
func scan(useWhile bool, steps int, reverse bool, seqAxis, yAxis int, seqs, carry, consts []*graph.Node, yShapes []shapes.Shape,
	body scanBody) (final, ys []*graph.Node) {
	if steps <= 0 {
		panic(fmt.Errorf("model: a time loop needs at least one step, got %d", steps))
	}
	// at returns the start indices of step t along axis of a rank-r array (While form).
	at := func(t *graph.Node, r, axis int) []*graph.Node {
		idx := make([]*graph.Node, r)
		for k := range idx {
			idx[k] = graph.Const(t.Graph(), int32(0))
		}
		idx[axis] = t
		return idx
	}
	slice := func(seq, t *graph.Node, i int) *graph.Node { // the step-t slice of seq, without the time axis
		dims := seq.Shape().Dimensions
		rest := append(append([]int(nil), dims[:seqAxis]...), dims[seqAxis+1:]...)
		if t == nil {
			return graph.Reshape(graph.SliceAxis(seq, seqAxis, graph.AxisElem(i)), rest...)
		}
		sizes := append([]int(nil), dims...)
		sizes[seqAxis] = 1
		return graph.Reshape(graph.DynamicSlice(seq, at(t, len(dims), seqAxis), sizes), rest...)
	}
	if !useWhile {
		final = carry
		perStep := make([][]*graph.Node, len(yShapes))
		for k := range perStep {
			perStep[k] = make([]*graph.Node, steps)
		}
		for i := range steps {
			t := i
			if reverse {
				t = steps - 1 - i
			}
			xs := make([]*graph.Node, len(seqs))
			for k, s := range seqs {
				xs[k] = slice(s, nil, t)
			}
			var y []*graph.Node
			final, y = body(xs, final, consts)
			for k := range y {
				perStep[k][t] = y[k]
			}
		}
		ys = make([]*graph.Node, len(yShapes))
		for k := range ys {
			ys[k] = graph.Stack(perStep[k], yAxis)
		}
		return final, ys
	}

	// While: the state is [t, carry..., accumulators..., seqs..., consts...]; everything
	// rides along so that the closures use only their parameters.
	var g *graph.Graph
	for _, l := range [][]*graph.Node{seqs, carry, consts} {
		if len(l) > 0 {
			g = l[0].Graph()
			break
		}
	}
	t0, last := 0, steps
	if reverse {
		t0, last = steps-1, -1
	}
	state := []*graph.Node{graph.Const(g, int32(t0))}
	state = append(state, carry...)
	for _, s := range yShapes {
		dims := append(append(append([]int(nil), s.Dimensions[:yAxis]...), steps), s.Dimensions[yAxis:]...)
		state = append(state, graph.Zeros(g, shapes.Make(s.DType, dims...)))
	}
	state = append(state, seqs...)
	state = append(state, consts...)
	nc, ny, ns := len(carry), len(yShapes), len(seqs)
	params := func(g *graph.Graph) []*graph.Node {
		ps := make([]*graph.Node, len(state))
		for i, v := range state {
			ps[i] = graph.Parameter(g, fmt.Sprintf("s%d", i), v.Shape())
		}
		return ps
	}
	cond := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		t := params(g)[0]
		if reverse {
			return []*graph.Node{graph.GreaterThan(t, graph.Const(g, int32(last)))}
		}
		return []*graph.Node{graph.LessThan(t, graph.Const(g, int32(last)))}
	})
	bodyFn := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		ps := params(g)
		t := ps[0]
		c := ps[1 : 1+nc]
		accs := ps[1+nc : 1+nc+ny]
		ss := ps[1+nc+ny : 1+nc+ny+ns]
		cs := ps[1+nc+ny+ns:]
		xs := make([]*graph.Node, ns)
		for k, s := range ss {
			xs[k] = slice(s, t, 0)
		}
		next, y := body(xs, c, cs)
		out := make([]*graph.Node, 0, len(ps))
		dir := int32(1)
		if reverse {
			dir = -1
		}
		out = append(out, graph.Add(t, graph.Const(g, dir)))
		out = append(out, next...)
		for k, acc := range accs {
			out = append(out, graph.DynamicUpdateSlice(acc, graph.ExpandAxes(y[k], yAxis), at(t, acc.Rank(), yAxis)))
		}
		out = append(out, ss...)
		return append(out, cs...)
	})
	// GoMLX has no gradient for While: its inputs are gradient-stopped, so a gradient pass
	// that reaches the loop through values computed from variables (a custom gradient
	// supplies theirs, as Unroll does) does not fail on it.
	for i, v := range state {
		state[i] = graph.StopGradient(v)
	}
	res := graph.While(cond, bodyFn, state...)
	return res[1 : 1+nc], res[1+nc : 1+nc+ny]
}

// hiddenPadMultiple is the multiple the unrolled (pure-Go) graphs pad the hidden size to:
// that backend's matmul kernels work in blocks of 16 columns and handle the rest one at a
// time, so 150 → 160 is faster at every batch size measured (compute v0.1.14: trajectories,
// training steps, both sweeps, the input sweep's 760-row steps included). 1 turns padding off.
var hiddenPadMultiple = 16

// paddedHidden is the one padding rule: the hidden size n as a loop of the given form should
// run it. While loops (XLA, whose kernels need no padding) run n; unrolled loops run n
// rounded up to hiddenPadMultiple. Padding is exact: padded units get no drive, stay at
// x = 0, r = 0 (and r'(0) = 0), and W's padded columns are zero.
func paddedHidden(useWhile bool, n int) int {
	if useWhile || hiddenPadMultiple <= 1 {
		return n
	}
	return (n + hiddenPadMultiple - 1) / hiddenPadMultiple * hiddenPadMultiple
}

// padWeights zero-pads the hidden size of w (J, B, W possibly with a leading network axis)
// to np. Concatenate has a VJP (Pad has none), so the real parameters get their slice of
// the padded gradients.
func padWeights(w Weights, np int) Weights {
	r := func(a *graph.Node, fromEnd int) int { return a.Rank() - fromEnd }
	return Weights{
		J:  padAxis(padAxis(w.J, r(w.J, 2), np), r(w.J, 1), np),
		B:  padAxis(w.B, r(w.B, 2), np),
		Bx: padAxis(w.Bx, 0, np),
		W:  padAxis(w.W, r(w.W, 1), np),
		C:  w.C,
	}
}

// padAxis zero-pads x along axis to size.
func padAxis(x *graph.Node, axis, size int) *graph.Node {
	dims := x.Shape().Dimensions
	if dims[axis] >= size {
		return x
	}
	zd := append([]int(nil), dims...)
	zd[axis] = size - dims[axis]
	zeros := graph.Zeros(x.Graph(), shapes.Make(x.DType(), zd...))
	return graph.Concatenate([]*graph.Node{x, zeros}, axis)
}
