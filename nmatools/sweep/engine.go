package sweep

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // the graph DSL reads better unqualified
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// net is the CTRNN's weights as host arrays. Any of J, B, W may carry a
// leading batch axis K (one network per k); the others are shared.
type net struct {
	J, B, Bx, W, C *nd.Array // (N,N) or (K,N,N); (N,F) or (K,N,F); (N); (O,N) or (K,O,N); (O)
	TauOverDt      float64
}

func (w *net) sizes() (n, f, o int) {
	j, b, ww := w.J.Shape, w.B.Shape, w.W.Shape
	return j[len(j)-1], b[len(b)-1], ww[len(ww)-2]
}

// unroll builds the whole-trajectory graph for a batch of K networks (or one
// shared network) over n sequences:
//
//	u  (n,T,F) shared by every k, or (K,n,T,F)
//	J  (N,N) or (K,N,N);  B (N,F) or (K,N,F);  bx (N);  W (O,N) or (K,O,N);  c (O)
//
// and returns the outputs (K,n,T,O) (K is 1 when nothing is batched). The step
// is the tutorial's forward: r = rtanh(x); x += (−x + J·r + (B·u + bx))/τ;
// out = W·rtanh(x) + c, from x = 0. The input projection B·u is one
// DotGeneral for all steps, before the loop: this avoids the pure-Go
// backend's deadlock at large batch (250 independent large matmuls) and is
// faster.
func unroll(tau float64, loop bool, ins []*Node) *Node {
	u, J, B, bx, W, c := ins[0], ins[1], ins[2], ins[3], ins[4], ins[5]
	g := u.Graph()
	k := 1
	for _, a := range []*Node{J, B, W} {
		if a.Rank() == 3 {
			k = a.Shape().Dimensions[0]
		}
	}
	uK := u.Rank() == 4
	if B.Rank() == 3 && !uK {
		d := u.Shape().Dimensions
		u = BroadcastToDims(ExpandAxes(u, 0), k, d[0], d[1], d[2])
		uK = true
	}
	var drive *Node // (K|1, n, T, N)
	switch {
	case B.Rank() == 3:
		drive = DotGeneral(u, []int{3}, []int{0}, B, []int{2}, []int{0})
	case uK:
		drive = DotGeneral(u, []int{3}, nil, B, []int{1}, nil)
	default:
		drive = ExpandAxes(DotGeneral(u, []int{2}, nil, B, []int{1}, nil), 0)
	}
	// B·u + bx for all steps (bx added once here rather than broadcast at
	// every step: the same sums, grouped rec + (B·u + bx)), time first so
	// that each step's slice is contiguous: (T, K|1, n, N).
	drive = Add(drive, ExpandAxes(bx, 0, 1, 2))
	dd := drive.Shape().Dimensions
	kd, n, T, N := dd[0], dd[1], dd[2], dd[3]
	drive = TransposeAllAxes(drive, 2, 0, 1, 3)
	if J.Rank() == 3 || W.Rank() == 3 {
		kd = k
	}
	O := W.Shape().Dimensions[W.Rank()-2]
	c = ExpandAxes(c, 0, 1)
	// Jᵀ once, so every step's product has the [K,M]×[M,N] ("non-transposed")
	// layout, which the pure-Go backend's small batched kernels run several
	// times faster than the transposed one.
	var JT *Node
	if J.Rank() == 3 {
		JT = TransposeAllAxes(J, 0, 2, 1)
	} else {
		JT = Transpose(J, 0, 1)
	}
	// step advances x by one step given that step's drive dt (K|1, n, N) and
	// returns the new x and the output (K, n, O). Every node it uses comes in
	// through its arguments, and its constants are made with Const (not the
	// graph-wide cached Scalar), so that it can also build a While body: XLA's
	// closures cannot use values of the enclosing function in binary ops.
	step := func(x, dt, JT, W, c *Node) (*Node, *Node) {
		g := x.Graph()
		zero, inv := Const(g, float32(0)), Const(g, float32(1/tau))
		rt := func(v *Node) *Node { return Tanh(Max(v, zero)) }
		r := rt(x)
		var rec *Node
		if JT.Rank() == 3 {
			rec = DotGeneral(r, []int{2}, []int{0}, JT, []int{1}, []int{0})
		} else {
			rec = Reshape(DotGeneral(Reshape(r, kd*n, N), []int{1}, nil, JT, []int{0}, nil), kd, n, N)
		}
		if dd[0] != kd {
			dt = BroadcastToDims(dt, kd, n, N)
		}
		total := Add(rec, dt)
		x = Add(x, Mul(Add(Neg(x), total), inv))
		r = rt(x)
		var o *Node
		if W.Rank() == 3 {
			o = DotGeneral(r, []int{2}, []int{0}, W, []int{2}, []int{0})
		} else {
			o = Reshape(DotGeneral(Reshape(r, kd*n, N), []int{1}, nil, W, []int{1}, nil), kd, n, O)
		}
		return x, Add(o, c)
	}
	x0 := BroadcastToDims(ScalarZero(g, dtypes.Float32), kd, n, N)
	if !loop {
		x := x0
		outs := make([]*Node, T)
		for t := 0; t < T; t++ {
			x, outs[t] = step(x, Reshape(SliceAxis(drive, 0, AxisElem(t)), dd[0], n, N), JT, W, c)
		}
		return Stack(outs, 2)
	}
	// A While loop over t: the graph stays small, so XLA compiles it in well
	// under a second (the unrolled graph takes XLA tens of seconds). The
	// weights ride along in the loop state, unchanged.
	state := []*Node{Const(g, int32(0)), x0, Zeros(g, shapes.Make(dtypes.Float32, T, kd, n, O)), drive, JT, W, c}
	params := func(g *Graph) []*Node {
		ps := make([]*Node, len(state))
		for i, v := range state {
			ps[i] = Parameter(g, fmt.Sprintf("s%d", i), v.Shape())
		}
		return ps
	}
	cond := NewClosure(g, func(g *Graph) []*Node {
		ps := params(g)
		return []*Node{LessThan(ps[0], Const(g, int32(T)))}
	})
	body := NewClosure(g, func(g *Graph) []*Node {
		ps := params(g)
		t, x, outs, drv, jt, w, cc := ps[0], ps[1], ps[2], ps[3], ps[4], ps[5], ps[6]
		zero := Const(g, int32(0))
		dt := Reshape(DynamicSlice(drv, []*Node{t, zero, zero, zero}, []int{1, dd[0], n, N}), dd[0], n, N)
		x, o := step(x, dt, jt, w, cc)
		outs = DynamicUpdateSlice(outs, ExpandAxes(o, 0), []*Node{t, zero, zero, zero})
		return []*Node{Add(t, Const(g, int32(1))), x, outs, drv, jt, w, cc}
	})
	res := While(cond, body, state...)
	return TransposeAllAxes(res[2], 1, 2, 0, 3) // (K, n, T, O)
}

// engine runs unroll graphs, compiled once per shape and backend.
type engine struct {
	b    compute.Backend
	tau  float64
	loop bool // a While loop instead of the unrolled steps
	mu   sync.Mutex
	ex   *Exec
}

// loopEnv forces the loop form: "while" or "unroll" (default: While on XLA,
// unrolled elsewhere).
const loopEnv = "NMATOOLS_SWEEP_LOOP"

func newEngine(b compute.Backend, tau float64) (*engine, error) {
	loop := strings.HasPrefix(strings.ToLower(b.Name()), "xla")
	switch os.Getenv(loopEnv) {
	case "while":
		loop = true
	case "unroll":
		loop = false
	}
	e := &engine{b: b, tau: tau, loop: loop}
	ex, err := NewExec(b, func(ins []*Node) *Node { return unroll(tau, loop, ins) })
	if err != nil {
		return nil, fmt.Errorf("sweep: building the trajectory graph: %w", err)
	}
	e.ex = ex.WithName("sweep_unroll")
	return e, nil
}

func toTensor(a *nd.Array) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(a.Data, a.Shape...)
}

// padMultiple is the hidden size batched recurrent products are padded to a
// multiple of: the pure-Go backend's small batched matmul kernel handles the
// columns beyond a multiple of 16 one by one.
var padMultiple = 16

// padHidden returns w with the hidden size zero-padded to a multiple of m:
// extra units get no input, no recurrent drive and no bias, so they stay at
// x = 0, r = 0 and change nothing (J's extra rows and columns, B's extra rows,
// bx's extra entries and W's extra columns are zero).
func padHidden(w *net, m int) *net {
	N := w.J.Shape[len(w.J.Shape)-1]
	P := (N + m - 1) / m * m
	if m <= 1 || P == N {
		return w
	}
	// pad copies the trailing (rows, cols) matrices of a into (newRows, newCols).
	pad := func(a *nd.Array, newRows, newCols int) *nd.Array {
		sh := a.Shape
		rows, cols := 1, sh[len(sh)-1]
		lead := sh[:len(sh)-1]
		if len(sh) >= 2 {
			rows = sh[len(sh)-2]
			lead = sh[:len(sh)-2]
		}
		k := nd.Size(lead...)
		outShape := append(append([]int(nil), lead...), newCols)
		if len(sh) >= 2 {
			outShape = append(append(append([]int(nil), lead...), newRows), newCols)
		}
		out := nd.New(outShape...)
		for b := 0; b < k; b++ {
			for i := 0; i < rows; i++ {
				copy(out.Data[(b*newRows+i)*newCols:], a.Data[(b*rows+i)*cols:(b*rows+i+1)*cols])
			}
		}
		return out
	}
	q := *w
	q.J = pad(w.J, P, P)
	q.B = pad(w.B, P, w.B.Shape[len(w.B.Shape)-1])
	q.Bx = pad(w.Bx, 1, P)
	q.Bx.Shape = []int{P}
	q.W = pad(w.W, w.W.Shape[len(w.W.Shape)-2], P)
	return &q
}

// run evaluates the network(s) on u and returns the outputs (K,n,T,O).
func (e *engine) run(w *net, u *nd.Array) (out *nd.Array, err error) {
	if len(w.J.Shape) == 3 && !e.loop { // XLA's kernels need no padding
		w = padHidden(w, padMultiple)
	}
	defer func() {
		if r := recover(); r != nil { // GoMLX reports some shape errors by panicking
			err = fmt.Errorf("sweep: running the trajectory graph: %v", r)
		}
	}()
	e.mu.Lock()
	defer e.mu.Unlock()
	args := []*tensors.Tensor{toTensor(u), toTensor(w.J), toTensor(w.B), toTensor(w.Bx), toTensor(w.W), toTensor(w.C)}
	anyArgs := make([]any, len(args))
	for i, a := range args {
		anyArgs[i] = a
	}
	res, err := e.ex.Call(anyArgs...)
	for _, a := range args {
		a.FinalizeAll()
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: running the trajectory graph: %w", err)
	}
	t := res[0]
	defer t.FinalizeAll()
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, fmt.Errorf("sweep: reading outputs: %w", err)
	}
	return nd.FromData(data, t.Shape().Dimensions...)
}

func (e *engine) close() {
	if e.ex != nil {
		e.ex.Finalize()
		e.ex = nil
	}
	runtime.GC()
}
