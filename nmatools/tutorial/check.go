package tutorial

// check.go: the checks of the notebook's coding exercises, written so that a student's
// mistake is reported where it is made, in the exercise's own terms.
//
//   - Each check runs the student's function of its own exercise on the library's
//     network, so a mistake in an earlier exercise cannot fail a later one.
//   - When a check finds a difference it says which part of the exercise is off, as far
//     as the numbers tell (which blank of rnnStep, the noise of perturbRecurrentWeights,
//     the hidden state of generateTrajectory).
//   - Cells that draw with a student's function (the Activities) warn when it does not
//     match the library's yet.
//   - After a compile error in an exercise cell GoNB keeps the last version of its
//     functions that compiled. Each exercise cell therefore starts with GoNB's
//     `%rm exerciseNNCompiled` and declares `var exerciseNNCompiled =
//     tutorial.Compiled("Exercise N")` again: a program without that declaration runs
//     an older version, and the checks (and the old blanks' Todo) say that the cell did
//     not compile instead of answering for the old version.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

// The exercises the checks belong to, as the notebook numbers them.
const (
	exerciseStep       = "Exercise 2.1" // rnnStep
	exerciseTrajectory = "Exercise 2.2" // generateTrajectory
	exerciseWeights    = "Exercise 4.1" // perturbRecurrentWeights, testPerturbedStructure
)

// exercises records what this cell program's notebook declared (Exercises) and which
// exercise cells' latest versions are in the program (Compiled).
var exercises struct {
	sync.Mutex
	declared, compiled map[string]bool
}

// Exercises declares the notebook's exercises (its setup does, once, in a declaration
// that every cell program then includes). Only a declared exercise is required to
// have compiled: a notebook written before exercise cells declared Compiled runs as
// it did. It returns names.
func Exercises(names ...string) []string {
	exercises.Lock()
	defer exercises.Unlock()
	if exercises.declared == nil {
		exercises.declared = map[string]bool{}
	}
	for _, n := range names {
		exercises.declared[n] = true
	}
	return names
}

// Compiled is declared by an exercise cell, after its functions:
//
//	var exercise21Compiled = tutorial.Compiled("Exercise 2.1")
//
// with `%rm exercise21Compiled` as the cell's first line. GoNB forgets the
// declaration before it compiles the cell and keeps it only when the cell compiles, so
// a program without it holds an older version of the exercise's functions. It returns
// true.
func Compiled(exercise string) bool {
	exercises.Lock()
	defer exercises.Unlock()
	if exercises.compiled == nil {
		exercises.compiled = map[string]bool{}
	}
	exercises.compiled[exercise] = true
	return true
}

// NotCompiled is the body of a placeholder for an exercise's function, declared
// before the exercise so that a cell calling the function compiles before the
// exercise cell has: it stops the cell saying that the exercise cell has not compiled.
func NotCompiled[T any](exercise string) T {
	fmt.Fprintln(failOut, "error:", notCompiledMessage(exercise))
	stopCell()
	var zero T
	return zero
}

func notCompiledMessage(exercise string) string {
	return fmt.Sprintf("%s's cell did not compile (or has not been run yet): see the compile error under it, fix it and run that cell again. Until then this cell does not use its functions (GoNB keeps the last version that compiled).", exercise)
}

// staleExercise returns the message for a declared exercise whose latest cell is not
// in this program (it did not compile), and "" otherwise. Outside a notebook it is
// always "".
func staleExercise(exercise string) string {
	if !cellMode() {
		return ""
	}
	exercises.Lock()
	defer exercises.Unlock()
	if exercises.declared[exercise] && !exercises.compiled[exercise] {
		return notCompiledMessage(exercise)
	}
	return ""
}

// requireCompiled stops the cell when exercise's cell did not compile; it reports
// whether the cell may go on.
func requireCompiled(exercise string) bool {
	if msg := staleExercise(exercise); msg != "" {
		fmt.Fprintln(failOut, "error:", msg)
		stopCell()
		return false
	}
	return true
}

// failContext prefixes the failures of a student's function that a check calls
// (see attributed).
var failContext struct {
	sync.Mutex
	prefix string
}

func currentFailContext() string {
	failContext.Lock()
	defer failContext.Unlock()
	return failContext.prefix
}

// attributed runs f, a call of a student's function, so that a failure inside it (a
// wrong shape given to net.Step, a step function that does not build) names it, and a
// panic is preceded by a line that names it (the trace that follows shows where).
func attributed(who string, f func()) {
	failContext.Lock()
	old := failContext.prefix
	failContext.prefix = who + ": "
	failContext.Unlock()
	defer func() {
		failContext.Lock()
		failContext.prefix = old
		failContext.Unlock()
		if r := recover(); r != nil {
			if !stopping.Load() {
				fmt.Fprintf(failOut, "error: %s panicked: %v (the trace below shows where, with the cell and line)\n", who, r)
			}
			panic(r)
		}
	}()
	f()
}

// warn prints a warning line in a cell's output (the cell goes on).
func warn(format string, args ...any) {
	fmt.Fprintln(failOut, "warning: "+fmt.Sprintf(format, args...))
}

// ---- Exercise 2.1: rnnStep ----------------------------------------------------------

// CheckStep is Exercise 2.1's check. net is the network of your rnnStep
// (NewRNN(rnnStep, weights)); it runs side by side with the library's step on the same
// weights (ReferenceRNN): one step from a hidden state with both signs, then up to 100
// steps of inputs (batch, time, 16) from the zero state. When they differ it stops the
// cell saying which of firingRateBefore, firingRate and output is off, as far as the
// numbers tell; when they match it says so.
func CheckStep(net *Net, inputs *nd.Array) {
	if !requireCompiled(exerciseStep) {
		return
	}
	steps, err := compareStep(net, inputs, 100)
	if err != nil {
		Fail("%s: %v", exerciseStep, err)
		return
	}
	fmt.Fprintf(noticeOut, "rnnStep matches the library's step: one step from a hidden state with both signs, and %d steps from the zero state\n", steps)
}

// stepTolerance is the largest difference of outputs or hidden states that counts as
// the same step (float32 sums taken in another order).
const stepTolerance = 1e-5

// compareStep runs net's step and the library's step on net's weights: one step from
// a hidden state with both signs, then up to maxSteps steps of inputs from the zero
// state. It returns the number of steps from zero compared, and an error that says
// where they differ and why, as far as diagnoseStep can tell.
func compareStep(net *Net, inputs *nd.Array, maxSteps int) (int, error) {
	if net == nil {
		return 0, fmt.Errorf("no network (nil): build it with tutorial.NewRNN(rnnStep, weights)")
	}
	cfg := net.Params.Config
	if inputs == nil || inputs.Rank() != 3 || inputs.Shape[2] != cfg.InputSize {
		return 0, fmt.Errorf("the inputs must be (batch, time, %d), got shape %v", cfg.InputSize, shapeOfArray(inputs))
	}
	ref := ReferenceRNN(net.Params)
	batch, n := inputs.Shape[0], cfg.HiddenSize
	run := func(x, h *nd.Array) (o, hNew *nd.Array) {
		attributed(exerciseStep+" (rnnStep)", func() { o, hNew = net.Step(x, h) })
		return o, hNew
	}

	// One step from a hidden state with both signs: the rates before the update differ
	// there between the rectified tanh and its usual stand-ins (tanh, |tanh|).
	h0 := signedState(batch, n)
	x0 := inputs.TimeSlice(0)
	o, h1 := run(x0, h0)
	oRef, h1Ref := ref.Step(x0, h0)
	if msg := stepShapes(o, h1, oRef, h1Ref); msg != "" {
		return 0, fmt.Errorf("%s", msg)
	}
	dOut, dHid := diffOf(o, oRef), diffOf(h1, h1Ref)
	if dOut > stepTolerance || dHid > stepTolerance {
		return 0, stepError(net, "one step from a hidden state with both signs", dOut, dHid)
	}

	// Steps of the inputs from the zero state.
	steps := min(maxSteps, inputs.Shape[1])
	h, hRef := net.InitHidden(batch), ref.InitHidden(batch)
	for t := 0; t < steps; t++ {
		x := inputs.TimeSlice(t)
		o, h = run(x, h)
		oRef, hRef = ref.Step(x, hRef)
		if msg := stepShapes(o, h, oRef, hRef); msg != "" {
			return 0, fmt.Errorf("%s", msg)
		}
		dOut, dHid = diffOf(o, oRef), diffOf(h, hRef)
		if dOut > stepTolerance || dHid > stepTolerance {
			return 0, stepError(net, fmt.Sprintf("step %d from the zero state", t), dOut, dHid)
		}
	}
	return steps, nil
}

// stepShapes says what is wrong with the shapes of a step's results ("" when right).
func stepShapes(o, h, oRef, hRef *nd.Array) string {
	switch {
	case o == nil || h == nil:
		return "rnnStep returned no output or no hidden state (nil)"
	case !slices.Equal(o.Shape, oRef.Shape):
		return fmt.Sprintf("rnnStep's output has shape %v, want %v (batch, outputs): output is the readout of the firing rate, self.OutputLinear(firingRate)", o.Shape, oRef.Shape)
	case !slices.Equal(h.Shape, hRef.Shape):
		return fmt.Sprintf("rnnStep's new hidden state has shape %v, want %v (batch, hidden units): return the updated hidden state", h.Shape, hRef.Shape)
	}
	return ""
}

// stepError words a difference between a student's step and the library's.
func stepError(net *Net, where string, dOut, dHid float64) error {
	head := fmt.Sprintf("rnnStep differs from the library's step (%s: max |Δoutput| %.3g, max |Δhidden| %.3g)", where, dOut, dHid)
	if parts := diagnoseStep(net); len(parts) > 0 {
		return fmt.Errorf("%s: %s", head, strings.Join(parts, "; and "))
	}
	if dHid > stepTolerance {
		return fmt.Errorf("%s: the new hidden state differs, and it comes from firingRateBefore and the given update lines: firingRateBefore must be the firing rate of the hidden state before the update, self.Nonlinearity(hidden), and the given lines unchanged", head)
	}
	return fmt.Errorf("%s: the output differs while the new hidden state matches, so the readout is off: firingRate must be self.Nonlinearity(hidden) of the updated hidden state, and output = self.OutputLinear(firingRate)", head)
}

// A candidate firing-rate function: what a student may have written for a rate.
type rateFunc struct {
	name string // as the messages call it
	f    func(float64) float64
}

var rateFuncs = []rateFunc{
	{"self.Nonlinearity", model.Rate}, // rectified tanh
	{"tanh", math.Tanh},
	{"|tanh|", func(x float64) float64 { return math.Abs(math.Tanh(x)) }},
	{"identity", func(x float64) float64 { return x }},
	{"zero", func(float64) float64 { return 0 }},
}

// diagnoseStep runs net's step function on weights made to show its parts: J = τ/Δt·I,
// B = 0, bias 0, and a readout that copies hidden units 0 and 1. Through the given
// Euler lines the new hidden state is then x(1 − Δt/τ) + firingRateBefore, and the
// output the firing rate of units 0 and 1 after the update. It returns what it finds
// wrong, in the exercise's terms (nil when the parts look right or cannot be told).
func diagnoseStep(net *Net) []string {
	cfg := net.Params.Config
	n, in, out := cfg.HiddenSize, cfg.InputSize, min(cfg.OutputSize, cfg.HiddenSize)
	tau := cfg.TauOverDt
	p := &model.Params{Config: cfg, J: nd.New(n, n), B: nd.New(n, in), Bx: nd.New(n), W: nd.New(cfg.OutputSize, n), C: nd.New(cfg.OutputSize)}
	for i := 0; i < n; i++ {
		p.J.Set(float32(tau), i, i)
	}
	for k := 0; k < out; k++ {
		p.W.Set(1, k, k)
	}
	const batch = 8
	x := nd.New(batch, n)
	for b := 0; b < batch; b++ {
		for i := 0; i < n; i++ {
			x.Set(float32(-3+6*float64((b*7+i*3)%13)/12), b, i) // −3 … 3, both signs in every unit
		}
	}
	probe := newNet(net.step, p, net.hasReg)
	var o, h1 *nd.Array
	attributed(exerciseStep+" (rnnStep)", func() { o, h1 = probe.Step(nd.New(batch, in), x) })
	if o == nil || h1 == nil || !slices.Equal(h1.Shape, x.Shape) || len(o.Shape) != 2 || o.Shape[1] < out {
		return nil
	}
	keep := 1 - 1/tau
	before := make([]float64, len(x.Data)) // firingRateBefore, read back from the update
	xs, hs := make([]float64, len(x.Data)), make([]float64, len(x.Data))
	for i := range x.Data {
		xs[i], hs[i] = float64(x.Data[i]), float64(h1.Data[i])
		before[i] = hs[i] - keep*xs[i]
	}
	var parts []string
	switch name := identify(before, xs); name {
	case "self.Nonlinearity":
	case "tanh":
		parts = append(parts, "firingRateBefore is tanh(hidden): the firing rate is the rectified tanh, self.Nonlinearity(hidden) (tanh where the hidden state is positive, 0 elsewhere)")
	case "|tanh|":
		parts = append(parts, "firingRateBefore is |tanh(hidden)|: the firing rate is the rectified tanh, self.Nonlinearity(hidden) (0 where the hidden state is negative)")
	case "identity":
		parts = append(parts, "firingRateBefore is the hidden state itself: it is the firing rate of the hidden state, self.Nonlinearity(hidden)")
	case "zero":
		parts = append(parts, "firingRateBefore is zero: it is the firing rate of the hidden state before the update, self.Nonlinearity(hidden)")
	default:
		parts = append(parts, "the new hidden state is not the update of firingRateBefore = self.Nonlinearity(hidden): check firingRateBefore, and that the given update lines are unchanged")
	}

	// The output: which function of which hidden state (units 0 and 1)?
	outs := make([]float64, 0, batch*out)
	after, prior := make([]float64, 0, batch*out), make([]float64, 0, batch*out)
	for b := 0; b < batch; b++ {
		for k := 0; k < out; k++ {
			outs = append(outs, float64(o.At(b, k)))
			after = append(after, hs[b*n+k])
			prior = append(prior, xs[b*n+k])
		}
	}
	switch name := identify(outs, after); name {
	case "self.Nonlinearity":
	case "tanh":
		parts = append(parts, "firingRate is tanh(hidden): the firing rate of the updated hidden state is the rectified tanh, self.Nonlinearity(hidden) (tanh where the hidden state is positive, 0 elsewhere)")
	case "|tanh|":
		parts = append(parts, "firingRate is |tanh(hidden)|: the firing rate of the updated hidden state is the rectified tanh, self.Nonlinearity(hidden) (0 where the hidden state is negative)")
	case "identity":
		parts = append(parts, "output reads out the updated hidden state itself: firingRate must be self.Nonlinearity(hidden) of the updated hidden state, and output = self.OutputLinear(firingRate)")
	case "zero":
		parts = append(parts, "output is zero: output = self.OutputLinear(firingRate)")
	default:
		switch identify(outs, prior) {
		case "self.Nonlinearity", "tanh", "|tanh|":
			parts = append(parts, "output is read out from the firing rate before the update (firingRateBefore): firingRate must be self.Nonlinearity(hidden) of the updated hidden state, after the Euler step, and output = self.OutputLinear(firingRate)")
		case "identity":
			parts = append(parts, "output reads out the hidden state before the update: firingRate must be self.Nonlinearity(hidden) of the updated hidden state, and output = self.OutputLinear(firingRate)")
		default:
			parts = append(parts, "output is not self.OutputLinear(firingRate) of firingRate = self.Nonlinearity(hidden), the firing rate of the updated hidden state")
		}
	}
	return parts
}

// identify returns the name of the first rateFunc f with ys ≈ f(xs), or "".
func identify(ys, xs []float64) string {
	for _, r := range rateFuncs {
		ok := true
		for i := range ys {
			if math.Abs(ys[i]-r.f(xs[i])) > 2e-4 {
				ok = false
				break
			}
		}
		if ok {
			return r.name
		}
	}
	return ""
}

// signedState is a fixed hidden state (batch, n) with values of both signs.
func signedState(batch, n int) *nd.Array {
	h := nd.New(batch, n)
	rng := rand.New(rand.NewPCG(uint64(Seed), 21))
	for i := range h.Data {
		h.Data[i] = float32(1.5 * rng.NormFloat64())
	}
	return h
}

// diffOf is nd.MaxAbsDiff for arrays of one shape (+Inf when they differ in shape).
func diffOf(a, b *nd.Array) float64 {
	d, err := nd.MaxAbsDiff(a, b)
	if err != nil {
		return math.Inf(1)
	}
	return d
}

// ---- Exercise 2.2: generateTrajectory ---------------------------------------------

// CheckTrajectory is Exercise 2.2's check: it runs your generateTrajectory on net (the
// library's network, ReferenceRNN, so that only Exercise 2.2 is checked) and inputs
// (batch, time, 16), and compares its outputs and hidden states with net.Trajectory.
// When they differ it stops the cell saying how (the hidden state not carried from step
// to step, the same input at every step, one output missing, …); when they match it
// says so. It returns your outputs and hidden states.
func CheckTrajectory(generateTrajectory func(net *Net, inputs *nd.Array) (outputs, hiddenStates *nd.Array), net *Net, inputs *nd.Array) (outputs, hiddenStates *nd.Array) {
	if !requireCompiled(exerciseTrajectory) {
		return nil, nil
	}
	outputs, hiddenStates, err := compareTrajectory(generateTrajectory, net, inputs)
	if err != nil {
		Fail("%s: %v", exerciseTrajectory, err)
		return nil, nil
	}
	fmt.Fprintf(noticeOut, "generateTrajectory matches the library's trajectory (net.Trajectory): %d steps, outputs %v, hidden states %v\n", inputs.Shape[1], outputs.Shape, hiddenStates.Shape)
	return outputs, hiddenStates
}

// trajectoryTolerance: the library's compiled loop and a loop over Step sum in another order.
const trajectoryTolerance = 1e-4

func compareTrajectory(generateTrajectory func(*Net, *nd.Array) (*nd.Array, *nd.Array), net *Net, inputs *nd.Array) (outputs, hidden *nd.Array, err error) {
	if generateTrajectory == nil || net == nil {
		return nil, nil, fmt.Errorf("no function or no network (nil)")
	}
	cfg := net.Params.Config
	if inputs == nil || inputs.Rank() != 3 || inputs.Shape[2] != cfg.InputSize {
		return nil, nil, fmt.Errorf("the inputs must be (batch, time, %d), got shape %v", cfg.InputSize, shapeOfArray(inputs))
	}
	attributed(exerciseTrajectory+" (generateTrajectory)", func() { outputs, hidden = generateTrajectory(net, inputs) })
	refOut, refHid := net.Trajectory(inputs)
	if outputs == nil || hidden == nil {
		return nil, nil, fmt.Errorf("generateTrajectory returned no outputs or no hidden states (nil)")
	}
	batch, steps := inputs.Shape[0], inputs.Shape[1]
	for _, c := range []struct {
		what, unit string
		got, want  []int
	}{{"outputs", "outputs", outputs.Shape, refOut.Shape}, {"hidden states", "hidden units", hidden.Shape, refHid.Shape}} {
		if slices.Equal(c.got, c.want) {
			continue
		}
		if len(c.got) == 3 && c.got[0] == batch && c.got[1] != steps && c.got[2] == c.want[2] {
			return nil, nil, fmt.Errorf("generateTrajectory returned %s for %d time steps, the inputs have %d: one per time step, t = 0 … inputs.Shape[1]−1", c.what, c.got[1], steps)
		}
		if slices.Equal(outputs.Shape, refHid.Shape) && slices.Equal(hidden.Shape, refOut.Shape) {
			return nil, nil, fmt.Errorf("generateTrajectory returned the hidden states first: return the outputs, then the hidden states")
		}
		return nil, nil, fmt.Errorf("generateTrajectory returned %s of shape %v, want %v (batch, time, %s)", c.what, c.got, c.want, c.unit)
	}
	dOut, dHid := diffOf(outputs, refOut), diffOf(hidden, refHid)
	if dOut <= trajectoryTolerance && dHid <= trajectoryTolerance {
		return outputs, hidden, nil
	}

	// Known mistakes, each reproduced with the library's network.
	flat, _ := inputs.Reshape(batch*steps, cfg.InputSize)
	o0, _ := net.Step(flat, net.InitHidden(batch*steps))
	o0, _ = o0.Reshape(outputs.Shape...)
	if diffOf(outputs, o0) <= trajectoryTolerance {
		return nil, nil, fmt.Errorf("every step starts again from the initial hidden state (max |Δoutput| %.3g from the library's): h must carry the new hidden state that net.Step returns, output, h = net.Step(inputs.TimeSlice(t), h)", dOut)
	}
	same := inputs.Clone()
	for b := 0; b < batch; b++ {
		for t := 1; t < steps; t++ {
			copy(same.Data[(b*steps+t)*cfg.InputSize:(b*steps+t+1)*cfg.InputSize], inputs.Data[b*steps*cfg.InputSize:(b*steps+1)*cfg.InputSize])
		}
	}
	if sameOut, _ := net.Trajectory(same); diffOf(outputs, sameOut) <= trajectoryTolerance {
		return nil, nil, fmt.Errorf("every step gets the input of time 0 (max |Δoutput| %.3g from the library's): step t feeds inputs.TimeSlice(t)", dOut)
	}
	if dOut <= trajectoryTolerance {
		if lagged(hidden, refHid) {
			return nil, nil, fmt.Errorf("the outputs match, but the hidden states are those before each step: append the h that net.Step returns, after the step")
		}
		return nil, nil, fmt.Errorf("the outputs match, but the hidden states differ (max |Δhidden| %.3g): append the h that net.Step returns at each step", dHid)
	}
	first := firstStepDiffering(outputs, refOut)
	return nil, nil, fmt.Errorf("its outputs differ from the library's from step %d on (max |Δoutput| %.3g, max |Δhidden| %.3g): each step feeds inputs.TimeSlice(t) and the current h to net.Step and keeps the h it returns, starting from net.InitHidden(batchSize)", first, dOut, dHid)
}

// lagged reports whether hidden (batch, time, n) holds ref's states one step late
// (the state before each step, starting from zero).
func lagged(hidden, ref *nd.Array) bool {
	b, T, n := ref.Shape[0], ref.Shape[1], ref.Shape[2]
	for i := 0; i < b; i++ {
		for t := 0; t < T; t++ {
			for k := 0; k < n; k++ {
				want := float32(0)
				if t > 0 {
					want = ref.At(i, t-1, k)
				}
				if math.Abs(float64(hidden.At(i, t, k)-want)) > trajectoryTolerance {
					return false
				}
			}
		}
	}
	return true
}

// firstStepDiffering is the first time step at which a and b (batch, time, k) differ.
func firstStepDiffering(a, b *nd.Array) int {
	for t := 0; t < a.Shape[1]; t++ {
		if diffOf(a.TimeSlice(t), b.TimeSlice(t)) > trajectoryTolerance {
			return t
		}
	}
	return a.Shape[1]
}

// ---- Exercise 4.1: perturbRecurrentWeights, testPerturbedStructure ------------------

// CheckWeightSweep is Exercise 4.1's check. It first tries your perturbRecurrentWeights
// on its own, and stops the cell when what it returns cannot be a perturbed J (another
// shape, J changed in place). It then runs yours, a call of your testPerturbedStructure,
// on the pretrained regularized network with the library's step (so that only Exercise
// 4.1 is checked), prints its rows next to fast (tutorial.WeightSweep's, with the same
// noise), one per percentage, and stops the cell when they differ, saying why when it
// can (the standard deviation of the noise, the loop).
func CheckWeightSweep(percentages []float64, fast []nd.MeanStd, perturbRecurrentWeights func(net *Net, meanStrength, perturbationPercentage float64, rng *rand.Rand) *nd.Array, yours func(net *Net) []nd.MeanStd) {
	if !requireCompiled(exerciseWeights) {
		return
	}
	why, broken := diagnosePerturbation(perturbRecurrentWeights)
	if broken {
		Fail("%s: %s", exerciseWeights, why)
		return
	}
	var got []nd.MeanStd
	attributed(exerciseWeights+" (testPerturbedStructure)", func() { got = yours(Pretrained("regularized")) })
	differs := len(got) != len(percentages)
	for i, p := range percentages {
		if i >= len(got) || i >= len(fast) {
			fmt.Fprintf(noticeOut, "percentage %-5g  yours %-20s  tutorial.WeightSweep %s\n", p, rowOf(got, i), rowOf(fast, i))
			continue
		}
		mark := ""
		if math.Abs(got[i].Mean-fast[i].Mean) > 1e-3*(1+math.Abs(fast[i].Mean)) || math.Abs(got[i].Std-fast[i].Std) > 1e-3*(1+fast[i].Std) {
			mark, differs = "   ← differs", true
		}
		fmt.Fprintf(noticeOut, "percentage %-5g  yours %s   tutorial.WeightSweep %s%s\n", p, rowOf(got, i), rowOf(fast, i), mark)
	}
	if !differs {
		fmt.Fprintln(noticeOut, "matches tutorial.WeightSweep")
		return
	}
	if why == "" {
		if len(got) != len(percentages) {
			why = fmt.Sprintf("testPerturbedStructure returned %d rows for %d percentages: one row (mean ± std) per percentage, looping over perturbationPercentages", len(got), len(percentages))
		} else {
			why = "perturbRecurrentWeights is right, so testPerturbedStructure is off: loop over perturbationPercentages, and run each perturbed network step by step from net.InitHidden, output, h = net.Step(inputs.TimeSlice(t), h)"
		}
	}
	Fail("%s: your errors differ from tutorial.WeightSweep's (rows marked above): %s", exerciseWeights, why)
}

func rowOf(rows []nd.MeanStd, i int) string {
	if i >= len(rows) {
		return "(no row)"
	}
	return fmt.Sprintf("%7.3f ± %6.3f %%", rows[i].Mean, rows[i].Std)
}

// diagnosePerturbation tries a student's perturbRecurrentWeights on its own, on a
// network of 150 units with mean |J| = 0.26, and says what is wrong with what it
// returns ("" when it looks right); broken when it cannot be a perturbed J at all.
func diagnosePerturbation(perturb func(*Net, float64, float64, *rand.Rand) *nd.Array) (why string, broken bool) {
	if perturb == nil {
		return "", false
	}
	net := ReferenceRNN(model.NewParams(model.UnregularizedConfig(), Seed))
	j := net.Params.J.Clone()
	mean := sweep.MeanAbsoluteStrength(net.Params)
	const percentage = 0.1
	var got *nd.Array
	attributed(exerciseWeights+" (perturbRecurrentWeights)", func() {
		got = perturb(net, mean, percentage, rand.New(rand.NewPCG(uint64(Seed), 41)))
	})
	switch {
	case got == nil:
		return "perturbRecurrentWeights returned nil: it returns a perturbed copy of J", true
	case diffOf(net.Params.J, j) != 0:
		return "perturbRecurrentWeights changed the network's J in place: it returns a perturbed copy, net.Params.J.Clone() plus noise, and leaves J as it was", true
	case slices.Equal(got.Shape, net.Params.B.Shape) && !slices.Equal(got.Shape, j.Shape):
		return fmt.Sprintf("perturbRecurrentWeights returned an array of shape %v, the input weights B's: it perturbs the recurrent weights J (shape %v)", got.Shape, j.Shape), true
	case !slices.Equal(got.Shape, j.Shape):
		return fmt.Sprintf("perturbRecurrentWeights returned an array of shape %v: it perturbs the recurrent weights J (shape %v)", got.Shape, j.Shape), true
	}
	noise := make([]float64, len(got.Data))
	for i := range got.Data {
		noise[i] = float64(got.Data[i]) - float64(j.Data[i])
	}
	std := nd.MeanStdOf(noise).Std
	want := mean * percentage
	near := func(a, b float64) bool { return math.Abs(a-b) <= 0.05*b }
	switch {
	case near(std, want):
		return "", false
	case std < 1e-12:
		return fmt.Sprintf("perturbRecurrentWeights adds no noise: its standard deviation should be a fraction of the mean absolute recurrent weight, meanStrength × perturbationPercentage (tried on a network with mean |J| = %.3g and perturbationPercentage %g: %.3g)", mean, percentage, want), false
	case near(std, percentage):
		return fmt.Sprintf("the noise's standard deviation is perturbationPercentage alone: it should be a fraction of the mean absolute recurrent weight, mean |J|: meanStrength × perturbationPercentage (tried on a network with mean |J| = %.3g and perturbationPercentage %g: the std is %.3g, want %.3g)", mean, percentage, std, want), false
	case near(std, mean):
		return fmt.Sprintf("the noise's standard deviation is meanStrength alone (mean |J|): it should be the fraction perturbationPercentage of it, meanStrength × perturbationPercentage (tried on a network with mean |J| = %.3g and perturbationPercentage %g: the std is %.3g, want %.3g)", mean, percentage, std, want), false
	}
	return fmt.Sprintf("the noise's standard deviation should be a fraction of the mean absolute recurrent weight, meanStrength × perturbationPercentage (tried on a network with mean |J| = %.3g and perturbationPercentage %g: the std is %.3g, want %.3g)", mean, percentage, std, want), false
}

// ---- Cells that draw with a student's function --------------------------------------

// WarnIfDifferent is called by a cell that draws with your functions (rnnStep of
// Exercise 2.1, generateTrajectory of Exercise 2.2): it compares each with the
// library's, on a small network, and prints a warning under the cell for each that
// does not match yet, naming its exercise. The cell goes on and draws with them. It
// stops the cell when an exercise's cell did not compile (the functions here would be
// an older version).
func WarnIfDifferent(functions ...any) {
	cfg := model.UnregularizedConfig()
	cfg.HiddenSize = 10
	p := model.NewParams(cfg, Seed)
	inputs := nd.New(4, 30, cfg.InputSize)
	rng := rand.New(rand.NewPCG(uint64(Seed), 22))
	for i := range inputs.Data {
		inputs.Data[i] = float32(2*rng.Float64() - 1)
	}
	for _, f := range functions {
		if s, ok := f.(StepFunc); ok {
			f = (func(*Module, *graph.Node, *graph.Node) (*graph.Node, *graph.Node))(s)
		}
		switch f := f.(type) {
		case func(*Module, *graph.Node, *graph.Node) (*graph.Node, *graph.Node):
			if !requireCompiled(exerciseStep) {
				return
			}
			if _, err := compareStep(NewRNN(f, p), inputs, inputs.Shape[1]); err != nil {
				warn("your rnnStep (%s) does not match the tutorial's yet: fix %s first (its check says what differs). The figures below are drawn with it.", exerciseStep, exerciseStep)
			}
		case func(*Net, *nd.Array) (*nd.Array, *nd.Array):
			if !requireCompiled(exerciseTrajectory) {
				return
			}
			if _, _, err := compareTrajectory(f, ReferenceRNN(p), inputs.Index(0).Unsqueeze(0)); err != nil {
				warn("your generateTrajectory (%s) does not match the tutorial's yet: fix %s first (its check says what differs). The figures below are drawn with it.", exerciseTrajectory, exerciseTrajectory)
			}
		default:
			Fail("WarnIfDifferent: %T is not an exercise's function (rnnStep or generateTrajectory)", f)
			return
		}
	}
}
