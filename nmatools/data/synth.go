package data

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

// File names of the tutorial's data (also used for the synthetic stand-in).
const (
	CondsFile = "condsForSimJ2moMuscles.mat"
	M1File    = "m1_reaching_data.mat"
)

// SyntheticVersion identifies the generative model; it changes whenever
// Synthesize's output changes, so caches of older synthetic files are
// regenerated.
const SyntheticVersion = 1

// DefaultSeed is the seed of the synthetic files Ensure generates and the
// repository ships under data/synthetic.
const DefaultSeed = 2024

// Parameters of the synthetic generative model (see doc.go).
const (
	synthT        = 296  // rows per condsForSim element (10 ms each)
	synthZeroRow  = 226  // the row at t = 0 (the go cue of delay index 3)
	synthDt       = 10.0 // ms per row
	synthTarget   = -1000.0
	synthRT       = 150.0 // go cue → movement onset, ms
	synthPrepTau  = 150.0 // ms, rise of the preparatory state
	synthGateLag  = 50.0  // ms after the go cue the movement gate starts
	synthGateTau  = 200.0 // ms, gate peak after its start
	synthDecay    = 3.0   // 1/s, decay of the rotational dynamics
	synthLatent   = 6     // 3 rotation planes
	synthPlanDim  = 15
	synthMuscles  = 7
	synthNeurons  = 40
	synthPSTHLen  = NumSteps // M1 PSTH samples (the same 250 × 10 ms window)
	synthEMGQuant = 1 << 16  // values are rounded to multiples of 1/quant
	synthHzQuant  = 1 << 8
)

// synthDelaysMs are the 8 target-onset → go-cue delays; index 3 (1000 ms)
// puts the go cue at t = 0.
var synthDelaysMs = [NumDelays]float64{700, 800, 900, 1000, 1100, 1200, 1300, 1400}

// synthFreqHz are the rotation frequencies of the three latent planes.
var synthFreqHz = [3]float64{1.0, 1.6, 2.3}

// rng is a small deterministic generator (SplitMix64 + Box–Muller) so the
// synthetic files do not depend on the Go release's math/rand streams.
type rng struct {
	s     uint64
	spare float64
	has   bool
}

func (r *rng) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform in [0,1).
func (r *rng) uniform() float64 { return float64(r.u64()>>11) / (1 << 53) }

func (r *rng) normal() float64 {
	if r.has {
		r.has = false
		return r.spare
	}
	u1 := 1 - r.uniform() // (0,1]
	u2 := r.uniform()
	m := math.Sqrt(-2 * math.Log(u1))
	r.spare, r.has = m*math.Sin(2*math.Pi*u2), true
	return m * math.Cos(2*math.Pi*u2)
}

// synthModel holds the drawn parameters of the generative model.
type synthModel struct {
	seed    int64
	z       [NumConditions][synthLatent]float64  // preparatory (initial) states
	plan    [NumConditions][synthPlanDim]float64 // plan input vectors
	musW    [synthMuscles][synthLatent]float64
	musB    [synthMuscles]float64
	musGain [synthMuscles]float64
	neuW    [synthNeurons][synthLatent]float64
	neuCI   [synthNeurons]float64
	neuBase [synthNeurons]float64
	neuGain [synthNeurons]float64
	neuOff  [synthNeurons]float64 // ms, the neuron's trial-time offset
}

func newSynthModel(seed int64) *synthModel {
	m := &synthModel{seed: seed}
	r := &rng{s: uint64(seed)*0x2545f4914f6cdd1d + 1}
	// Preparatory states: smooth functions of the reach angle (tuning) plus
	// a condition-specific random part.
	for c := 0; c < NumConditions; c++ {
		th := 2 * math.Pi * float64(c) / NumConditions
		base := [synthLatent]float64{
			math.Cos(th), math.Sin(th),
			0.7 * math.Cos(2*th+0.5), 0.7 * math.Sin(2*th+0.5),
			0.5 * math.Cos(3*th+1), 0.5 * math.Sin(3*th+1),
		}
		for k := range base {
			m.z[c][k] = base[k] + 0.15*r.normal()
		}
	}
	// Plan = P z + noise: a random 15-d code of the preparatory state.
	var P [synthPlanDim][synthLatent]float64
	for i := range P {
		for k := range P[i] {
			P[i][k] = r.normal() / math.Sqrt(synthLatent)
		}
	}
	for c := 0; c < NumConditions; c++ {
		for i := 0; i < synthPlanDim; i++ {
			v := 0.3 * r.normal()
			for k := 0; k < synthLatent; k++ {
				v += P[i][k] * m.z[c][k]
			}
			m.plan[c][i] = v
		}
	}
	// Muscles: rectified linear readouts of the latent state. Muscles 3 and
	// 4 (the two the tutorial keeps) read different rotation phases.
	for j := 0; j < synthMuscles; j++ {
		switch j {
		case MuscleA:
			m.musW[j] = [synthLatent]float64{1, 0, 0.5, 0, 0, 0.3}
		case MuscleB:
			m.musW[j] = [synthLatent]float64{0, 1, 0, -0.5, 0.3, 0}
		default:
			for k := range m.musW[j] {
				m.musW[j][k] = 1.5 * r.normal() / math.Sqrt(synthLatent)
			}
			m.musB[j] = -0.2 * r.uniform()
		}
	}
	for n := 0; n < synthNeurons; n++ {
		for k := range m.neuW[n] {
			m.neuW[n][k] = r.normal() / math.Sqrt(synthLatent)
		}
		m.neuCI[n] = 0.2 + r.uniform()
		if r.uniform() < 0.2 {
			m.neuCI[n] = -m.neuCI[n] // some neurons are suppressed at movement
		}
		m.neuBase[n] = 4 + 16*r.uniform()
		m.neuGain[n] = 10 + 20*r.uniform()
		m.neuOff[n] = 500 + 10*math.Floor(51*r.uniform())
	}
	// Muscle gains: the largest value of each muscle over all conditions
	// and delays is 0.8 for the two kept muscles, 0.5..1 for the others.
	for j := 0; j < synthMuscles; j++ {
		m.musGain[j] = 1
		peak := 0.0
		for c := 0; c < NumConditions; c++ {
			for d := 0; d < NumDelays; d++ {
				for k := 0; k < synthT; k++ {
					peak = max(peak, m.emg(j, c, d, rowTime(k)))
				}
			}
		}
		want := 0.8
		if j != MuscleA && j != MuscleB {
			want = 0.5 + 0.5*r.uniform()
		}
		m.musGain[j] = want / peak
	}
	return m
}

// rowTime is the time (ms) of condsForSim row k.
func rowTime(k int) float64 { return float64(k-synthZeroRow) * synthDt }

func goTime(d int) float64   { return synthTarget + synthDelaysMs[d] }
func moveTime(d int) float64 { return goTime(d) + synthRT }

// latent returns the population state x(t) of condition c at delay d: 0
// before target onset, rising towards z_c during preparation, then rotating
// and decaying (dx/dt = A x, three planes) from movement onset.
func (m *synthModel) latent(c, d int, t float64) [synthLatent]float64 {
	var x [synthLatent]float64
	if t < synthTarget {
		return x
	}
	tm := moveTime(d)
	ramp := 1 - math.Exp(-(min(t, tm)-synthTarget)/synthPrepTau)
	for k := range x {
		x[k] = ramp * m.z[c][k]
	}
	if t <= tm {
		return x
	}
	s := (t - tm) / 1000
	decay := math.Exp(-synthDecay * s)
	for p := 0; p < 3; p++ {
		a := 2 * math.Pi * synthFreqHz[p] * s
		ca, sa := math.Cos(a), math.Sin(a)
		u, v := x[2*p], x[2*p+1]
		x[2*p] = decay * (ca*u - sa*v)
		x[2*p+1] = decay * (sa*u + ca*v)
	}
	return x
}

// gate is the condition-invariant movement signal: 0 until 50 ms after
// the go cue, then a smooth bump peaking 200 ms later at 1.
func gate(d int, t float64) float64 {
	s := (t - goTime(d) - synthGateLag) / synthGateTau
	if s <= 0 {
		return 0
	}
	return s * s * math.Exp(2*(1-s))
}

// softRelu is a smooth rectifier: (v + sqrt(v² + eps²)) / 2.
func softRelu(v, eps float64) float64 { return (v + math.Sqrt(v*v+eps*eps)) / 2 }

func (m *synthModel) emg(j, c, d int, t float64) float64 {
	g := gate(d, t)
	if g == 0 {
		return 0
	}
	x := m.latent(c, d, t)
	v := m.musB[j]
	for k := range x {
		v += m.musW[j][k] * x[k]
	}
	return m.musGain[j] * g * softRelu(v, 0.1)
}

// rate is neuron n's firing rate (Hz) for condition c at the fixed delay.
func (m *synthModel) rate(n, c int, t float64) float64 {
	x := m.latent(c, FixedDelay, t)
	v := m.neuCI[n] * gate(FixedDelay, t)
	for k := range x {
		v += m.neuW[n][k] * x[k]
	}
	return softRelu(m.neuBase[n]+m.neuGain[n]*v, 2)
}

func goEnvelope(d int, t float64) float64 {
	u := (t - goTime(d)) / 40
	return math.Exp(-u * u / 2)
}

func quant(v float64, q float64) float64 { return math.Round(v*q) / q }

func syntheticNote(kind string, seed int64) string {
	return fmt.Sprintf("SYNTHETIC %s generated by nmatools (data.Synthesize, seed %d, model version %d): "+
		"NOT recorded data. A low-dimensional rotational population model driven by a condition-specific "+
		"preparatory state, read out linearly (rectified) into EMG and M1-like firing rates. "+
		"It stands in for the tutorial's file of the same name when that file cannot be downloaded.",
		kind, seed, SyntheticVersion)
}

// condsVars builds the variables of condsForSimJ2moMuscles.mat.
func (m *synthModel) condsVars() []matfile.Var {
	fields := []string{"plan", "goEnvelope", "muscle", "timesREmove", "delay", "goCue", "moveOnset"}
	s := matfile.NewStruct([]int{NumConditions, NumDelays}, fields)
	times := make([]float64, synthT)
	for k := range times {
		times[k] = rowTime(k)
	}
	for c := 0; c < NumConditions; c++ {
		for d := 0; d < NumDelays; d++ {
			plan := make([]float64, synthT*synthPlanDim) // column-major T×15
			gov := make([]float64, synthT)
			mus := make([]float64, synthT*synthMuscles)
			for k := 0; k < synthT; k++ {
				t := rowTime(k)
				if t >= synthTarget && t < goTime(d) {
					for i := 0; i < synthPlanDim; i++ {
						plan[i*synthT+k] = quant(m.plan[c][i], synthEMGQuant)
					}
				}
				gov[k] = quant(goEnvelope(d, t), synthEMGQuant)
				for j := 0; j < synthMuscles; j++ {
					mus[j*synthT+k] = quant(m.emg(j, c, d, t), synthEMGQuant)
				}
			}
			e := c + NumConditions*d // column-major linear index
			set := func(name string, v matfile.Value) {
				if err := s.SetField(e, name, v); err != nil {
					panic(err) // cannot happen: e is in range
				}
			}
			set("plan", matfile.NewDouble([]int{synthT, synthPlanDim}, plan))
			set("goEnvelope", matfile.NewDouble([]int{synthT, 1}, gov))
			set("muscle", matfile.NewDouble([]int{synthT, synthMuscles}, mus))
			set("timesREmove", matfile.NewDouble([]int{synthT, 1}, append([]float64(nil), times...)))
			set("delay", matfile.NewScalar(synthDelaysMs[d]))
			set("goCue", matfile.NewScalar(goTime(d)))
			set("moveOnset", matfile.NewScalar(moveTime(d)))
		}
	}
	return []matfile.Var{
		{Name: "condsForSim", Value: s},
		{Name: SyntheticNoteVar, Value: matfile.NewString(syntheticNote("condsForSim", m.seed))},
	}
}

// m1Vars builds the variables of m1_reaching_data.mat: comboNjs, a 1×N
// struct array of neurons with fields interpTimes (times, moveStarts, ms)
// and cond (1×27 struct, interpPSTH in Hz), the fields plot_psth reads.
func (m *synthModel) m1Vars() []matfile.Var {
	s := matfile.NewStruct([]int{1, synthNeurons}, []string{"unitName", "interpTimes", "cond"})
	for n := 0; n < synthNeurons; n++ {
		times := make([]float64, synthPSTHLen)
		for k := range times {
			times[k] = m.neuOff[n] + float64(k)*synthDt
		}
		// Movement onset of the fixed delay, on the neuron's trial clock.
		moveStart := m.neuOff[n] + (moveTime(FixedDelay) - rowTime(RowStart))
		it := matfile.NewStruct([]int{1, 1}, []string{"times", "moveStarts"})
		_ = it.SetField(0, "times", matfile.NewDouble([]int{synthPSTHLen, 1}, times))
		_ = it.SetField(0, "moveStarts", matfile.NewScalar(moveStart))
		cs := matfile.NewStruct([]int{1, NumConditions}, []string{"interpPSTH"})
		for c := 0; c < NumConditions; c++ {
			psth := make([]float64, synthPSTHLen)
			for k := range psth {
				psth[k] = quant(m.rate(n, c, rowTime(RowStart+k)), synthHzQuant)
			}
			_ = cs.SetField(c, "interpPSTH", matfile.NewDouble([]int{synthPSTHLen, 1}, psth))
		}
		_ = s.SetField(n, "unitName", matfile.NewString(fmt.Sprintf("synthetic unit %d", n+1)))
		_ = s.SetField(n, "interpTimes", it)
		_ = s.SetField(n, "cond", cs)
	}
	return []matfile.Var{
		{Name: "comboNjs", Value: s},
		{Name: SyntheticNoteVar, Value: matfile.NewString(syntheticNote("comboNjs (M1 PSTHs, Hz)", m.seed))},
	}
}

// Synthesize writes the synthetic stand-ins for the tutorial's two data
// files, condsForSimJ2moMuscles.mat and m1_reaching_data.mat, into dir
// (created if needed). The output is a deterministic function of seed (and
// SyntheticVersion). Files are written atomically.
func Synthesize(dir string, seed int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data: synthesize: %w", err)
	}
	m := newSynthModel(seed)
	// A fixed header (no date) keeps the files a function of the seed.
	opt := &matfile.WriteOptions{Header: fmt.Sprintf("MATLAB 5.0 MAT-file, Platform: GLNXA64, SYNTHETIC data by nmatools, seed %d, model v%d", seed, SyntheticVersion)}
	if err := matfile.WriteFile(filepath.Join(dir, CondsFile), m.condsVars(), opt); err != nil {
		return fmt.Errorf("data: synthesize %s: %w", CondsFile, err)
	}
	if err := matfile.WriteFile(filepath.Join(dir, M1File), m.m1Vars(), opt); err != nil {
		return fmt.Errorf("data: synthesize %s: %w", M1File, err)
	}
	return nil
}
