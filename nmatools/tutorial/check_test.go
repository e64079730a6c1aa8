package tutorial_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/tutorial"
)

// cell runs f as a notebook cell would: it returns what the cell printed as
// failures and warnings (stderr), as notices (stdout), and whether it stopped.
func cell(t *testing.T, f func()) (stderr, stdout string, stopped bool) {
	t.Helper()
	var errW, outW bytes.Buffer
	restore := tutorial.SetHooks(func(int) { panic("exitCell") }, &errW, &outW, true)
	defer restore()
	stopped = catch(f) != nil
	return errW.String(), outW.String(), stopped
}

// mistakenStep is the exercise's step with the chosen firing rates: before (the rate
// of the hidden state that drives the update), after (the rate of the updated state),
// and readBefore (the output reads out the rate before the update).
func mistakenStep(before, after func(*graph.Node) *graph.Node, readBefore bool) tutorial.StepFunc {
	return func(self *tutorial.Module, input, hidden *graph.Node) (*graph.Node, *graph.Node) {
		firingRateBefore := before(hidden)
		recurrentDrive := graph.MatMul(self.J, graph.Transpose(firingRateBefore, 0, 1))
		inputDrive := graph.MatMul(self.B, graph.Transpose(input, 0, 1))
		totalDrive := graph.Add(graph.Add(recurrentDrive, inputDrive), graph.ExpandAxes(self.Bx, 1))
		totalDrive = graph.Transpose(totalDrive, 0, 1)
		hidden = graph.Add(hidden, graph.MulScalar(graph.Sub(totalDrive, hidden), 1/self.TauOverDt))
		firingRate := after(hidden)
		if readBefore {
			firingRate = firingRateBefore
		}
		return self.OutputLinear(firingRate), hidden
	}
}

func rect(x *graph.Node) *graph.Node  { return (&tutorial.Module{}).Nonlinearity(x) }
func ident(x *graph.Node) *graph.Node { return x }
func absTanh(x *graph.Node) *graph.Node {
	return graph.Abs(graph.Tanh(x))
}

// Exercise 2.1's check names the blank that is off, for each plausible mistake, and
// confirms the solution.
func TestCheckStepNamesTheBlank(t *testing.T) {
	inputs := randomInputs(4, 30, 16, 5)
	cfg := model.UnregularizedConfig()
	cfg.HiddenSize = 10
	p := model.NewParams(cfg, tutorial.Seed)
	for _, c := range []struct {
		name string
		step tutorial.StepFunc
		want []string
	}{
		{"tanh before", mistakenStep(graph.Tanh, rect, false), []string{"Exercise 2.1: rnnStep differs", "firingRateBefore is tanh(hidden)", "self.Nonlinearity(hidden)"}},
		{"tanh after", mistakenStep(rect, graph.Tanh, false), []string{"firingRate is tanh(hidden)", "updated hidden state"}},
		{"|tanh| after", mistakenStep(rect, absTanh, false), []string{"firingRate is |tanh(hidden)|"}},
		{"no rate after", mistakenStep(rect, ident, false), []string{"output reads out the updated hidden state itself"}},
		{"output from the rates before", mistakenStep(rect, rect, true), []string{"output is read out from the firing rate before the update (firingRateBefore)"}},
		{"tanh everywhere", mistakenStep(graph.Tanh, graph.Tanh, false), []string{"firingRateBefore is tanh(hidden)", "; and firingRate is tanh(hidden)"}},
	} {
		errs, outs, stopped := cell(t, func() { tutorial.CheckStep(tutorial.NewRNN(c.step, p), inputs) })
		if !stopped || strings.Count(errs, "\n") != 1 || strings.Contains(outs, "matches") {
			t.Errorf("%s: stopped %v, stderr %q, stdout %q; want one error line", c.name, stopped, errs, outs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: %q does not say %q", c.name, errs, w)
			}
		}
	}
	errs, outs, stopped := cell(t, func() { tutorial.CheckStep(tutorial.NewRNN(rnnStep, p), inputs) })
	if stopped || errs != "" || !strings.Contains(outs, "rnnStep matches the library's step") || !strings.Contains(outs, "30 steps") {
		t.Errorf("solution: stopped %v, stderr %q, stdout %q", stopped, errs, outs)
	}
}

type trajectoryFunc = func(*tutorial.Net, *nd.Array) (*nd.Array, *nd.Array)

// loop is generate_trajectory with the chosen mistake.
func loop(mistake string) trajectoryFunc {
	return func(net *tutorial.Net, inputs *nd.Array) (*nd.Array, *nd.Array) {
		h := net.InitHidden(inputs.Shape[0])
		var outs, hs []*nd.Array
		steps := inputs.Shape[1]
		if mistake == "short" {
			steps--
		}
		for t := 0; t < steps; t++ {
			var o, hNew *nd.Array
			switch mistake {
			case "no carry":
				o, hNew = net.Step(inputs.TimeSlice(t), net.InitHidden(inputs.Shape[0]))
			case "same input":
				o, hNew = net.Step(inputs.TimeSlice(0), h)
			default:
				o, hNew = net.Step(inputs.TimeSlice(t), h)
			}
			if mistake == "lagged" {
				hs = append(hs, h)
			}
			h = hNew
			if mistake != "lagged" {
				hs = append(hs, h)
			}
			outs = append(outs, o)
		}
		if mistake == "swapped" {
			return nd.Stack(hs, 1), nd.Stack(outs, 1)
		}
		return nd.Stack(outs, 1), nd.Stack(hs, 1)
	}
}

// Exercise 2.2's check runs the student's loop on the library's network and says how it
// goes wrong.
func TestCheckTrajectorySaysHow(t *testing.T) {
	cfg := model.UnregularizedConfig()
	cfg.HiddenSize = 10
	net := tutorial.ReferenceRNN(model.NewParams(cfg, tutorial.Seed))
	inputs := randomInputs(1, 40, 16, 6)
	for mistake, want := range map[string]string{
		"no carry":   "every step starts again from the initial hidden state",
		"same input": "every step gets the input of time 0",
		"lagged":     "the hidden states are those before each step",
		"short":      "outputs for 39 time steps, the inputs have 40",
		"swapped":    "returned the hidden states first",
	} {
		errs, _, stopped := cell(t, func() { tutorial.CheckTrajectory(loop(mistake), net, inputs) })
		if !stopped || !strings.HasPrefix(errs, "error: Exercise 2.2: ") || !strings.Contains(errs, want) {
			t.Errorf("%s: stopped %v, %q; want %q", mistake, stopped, errs, want)
		}
	}
	var out *nd.Array
	errs, outs, stopped := cell(t, func() { out, _ = tutorial.CheckTrajectory(loop(""), net, inputs) })
	if stopped || errs != "" || !strings.Contains(outs, "generateTrajectory matches the library's trajectory") || out == nil {
		t.Errorf("solution: stopped %v, stderr %q, stdout %q", stopped, errs, outs)
	}
	// A panic inside the student's loop is named before it goes on.
	tutorial.ResetStopping()
	errs, _, _ = cell(t, func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "out of range") {
				t.Errorf("the panic did not go on: %v", r)
			}
		}()
		tutorial.CheckTrajectory(func(net *tutorial.Net, in *nd.Array) (*nd.Array, *nd.Array) {
			return in.TimeSlice(in.Shape[1]), nil
		}, net, inputs)
	})
	if !strings.HasPrefix(errs, "error: Exercise 2.2 (generateTrajectory) panicked: nd: TimeSlice(40) out of range") {
		t.Errorf("panic inside: %q", errs)
	}
	// A failure inside the student's loop names the exercise.
	errs, _, _ = cell(t, func() {
		tutorial.CheckTrajectory(func(net *tutorial.Net, in *nd.Array) (*nd.Array, *nd.Array) {
			net.Step(in.TimeSlice(0), nd.New(1, 150))
			return nil, nil
		}, net, inputs)
	})
	if !strings.HasPrefix(errs, "error: Exercise 2.2 (generateTrajectory): Step: the hidden state must be (1, 10)") {
		t.Errorf("failure inside: %q", errs)
	}
}

// perturb is perturb_recurrent_weights with the chosen mistake.
func perturb(mistake string) func(*tutorial.Net, float64, float64, *rand.Rand) *nd.Array {
	return func(net *tutorial.Net, meanStrength, percentage float64, rng *rand.Rand) *nd.Array {
		std := meanStrength * percentage
		w := net.Params.J
		switch mistake {
		case "percentage alone":
			std = percentage
		case "B":
			w = net.Params.B
		}
		out := w.Clone()
		if mistake == "in place" {
			out = w
		}
		for i, v := range w.Data {
			out.Data[i] = v + float32(rng.NormFloat64()*std)
		}
		return out
	}
}

// Exercise 4.1's check prints every row, then says what is wrong with the noise; a
// perturbRecurrentWeights that cannot give a perturbed J stops it before any row.
func TestCheckWeightSweepPrintsRowsThenWhy(t *testing.T) {
	percentages := []float64{0.1, 0.2}
	fast := []nd.MeanStd{{Mean: 2, Std: 0.1}, {Mean: 3, Std: 0.2}}
	wrong := func(*tutorial.Net) []nd.MeanStd { return []nd.MeanStd{{Mean: 2, Std: 0.1}, {Mean: 9, Std: 1}} }
	for mistake, c := range map[string]struct {
		want string
		rows bool
	}{
		"percentage alone": {"perturbationPercentage alone: it should be a fraction of the mean absolute recurrent weight, mean |J|", true},
		"B":                {"the input weights B's: it perturbs the recurrent weights J", false},
		"in place":         {"changed the network's J in place", false},
		"":                 {"perturbRecurrentWeights is right, so testPerturbedStructure is off", true},
	} {
		errs, outs, stopped := cell(t, func() { tutorial.CheckWeightSweep(percentages, fast, perturb(mistake), wrong) })
		if !stopped || !strings.HasPrefix(errs, "error: Exercise 4.1: ") || !strings.Contains(errs, c.want) {
			t.Errorf("%q: stopped %v, %q; want %q", mistake, stopped, errs, c.want)
		}
		if rows := strings.Count(outs, "percentage "); c.rows && (rows != 2 || strings.Count(outs, "← differs") != 1) || !c.rows && rows != 0 {
			t.Errorf("%q: rows %q; want both rows (the second marked): %v", mistake, outs, c.rows)
		}
	}
	errs, outs, stopped := cell(t, func() {
		tutorial.CheckWeightSweep(percentages, fast, perturb(""), func(*tutorial.Net) []nd.MeanStd { return fast[:1] })
	})
	if !stopped || !strings.Contains(errs, "returned 1 rows for 2 percentages") || strings.Count(outs, "percentage ") != 2 {
		t.Errorf("one row: stopped %v, %q, %q", stopped, errs, outs)
	}
	errs, outs, stopped = cell(t, func() {
		tutorial.CheckWeightSweep(percentages, fast, perturb(""), func(*tutorial.Net) []nd.MeanStd { return fast })
	})
	if stopped || errs != "" || !strings.Contains(outs, "matches tutorial.WeightSweep") {
		t.Errorf("solution: stopped %v, stderr %q, stdout %q", stopped, errs, outs)
	}
}

// A declared exercise whose cell did not compile stops its checks, its old blanks and
// its placeholders with one message; once compiled, they run.
func TestExerciseThatDidNotCompile(t *testing.T) {
	t.Cleanup(tutorial.ResetExercises)
	tutorial.ResetExercises()
	tutorial.Exercises("Exercise 2.1", "Exercise 2.2", "Exercise 4.1")
	const msg = "error: Exercise 2.1's cell did not compile (or has not been run yet): see the compile error under it"
	cfg := model.UnregularizedConfig()
	cfg.HiddenSize = 10
	net := tutorial.NewRNN(rnnStep, model.NewParams(cfg, tutorial.Seed))
	for name, f := range map[string]func(){
		"check":       func() { tutorial.CheckStep(net, randomInputs(2, 5, 16, 1)) },
		"old blank":   func() { tutorial.Todo[int]("Exercise 2.1", "firingRate") },
		"placeholder": func() { tutorial.NotCompiled[int]("Exercise 2.1") },
		"activity":    func() { tutorial.WarnIfDifferent(rnnStep) },
	} {
		if errs, _, stopped := cell(t, f); !stopped || !strings.HasPrefix(errs, msg) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: stopped %v, %q", name, stopped, errs)
		}
	}
	tutorial.Compiled("Exercise 2.1")
	if errs, _, _ := cell(t, func() { tutorial.Todo[int]("Exercise 2.1", "firingRate") }); errs != "Student exercise: Exercise 2.1: fill in firingRate, then run this cell again.\n" {
		t.Errorf("blank of a compiled cell: %q", errs)
	}
	if errs, outs, stopped := cell(t, func() { tutorial.CheckStep(net, randomInputs(2, 5, 16, 1)) }); stopped || errs != "" || outs == "" {
		t.Errorf("compiled: stopped %v, %q %q", stopped, errs, outs)
	}
	// An undeclared exercise (a notebook from before Compiled) runs as it did.
	tutorial.ResetExercises()
	if errs, _, _ := cell(t, func() { tutorial.Todo[int]("Exercise 2.1", "r") }); !strings.HasPrefix(errs, "Student exercise") {
		t.Errorf("undeclared: %q", errs)
	}
}

// An Activity warns, naming the exercise, and goes on.
func TestWarnIfDifferent(t *testing.T) {
	errs, _, stopped := cell(t, func() { tutorial.WarnIfDifferent(mistakenStep(graph.Tanh, rect, false), loop("")) })
	if stopped || errs != "warning: your rnnStep (Exercise 2.1) does not match the tutorial's yet: fix Exercise 2.1 first (its check says what differs). The figures below are drawn with it.\n" {
		t.Errorf("step: stopped %v, %q", stopped, errs)
	}
	errs, _, stopped = cell(t, func() {
		tutorial.WarnIfDifferent(tutorial.StepFunc(rnnStep), loop("no carry"))
	})
	if stopped || !strings.HasPrefix(errs, "warning: your generateTrajectory (Exercise 2.2) does not match") || strings.Contains(errs, "rnnStep") {
		t.Errorf("trajectory: stopped %v, %q", stopped, errs)
	}
	if errs, _, stopped := cell(t, func() { tutorial.WarnIfDifferent(rnnStep, loop("")) }); stopped || errs != "" {
		t.Errorf("both right: stopped %v, %q", stopped, errs)
	}
}
