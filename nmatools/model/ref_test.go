package model

import "math"

// refNet is a float64 host-side transcription of the tutorial's forward, used as the
// independent reference in tests.
type refNet struct {
	cfg            Config
	J, B, Bx, W, C []float64
}

func refFromParams(p *Params) *refNet {
	f := func(a []float32) []float64 {
		o := make([]float64, len(a))
		for i, v := range a {
			o[i] = float64(v)
		}
		return o
	}
	return &refNet{cfg: p.Config, J: f(p.J.Data), B: f(p.B.Data), Bx: f(p.Bx.Data), W: f(p.W.Data), C: f(p.C.Data)}
}

func rt(x float64) float64 {
	if x > 0 {
		return math.Tanh(x)
	}
	return 0
}

// trajectory: inputs (b,t,in) flat → outputs (b,t,out), hidden (b,t,n), sum of r² over all.
func (m *refNet) trajectory(inputs []float64, batch, steps int) (out, hid []float64, r2 float64) {
	n, in, no := m.cfg.HiddenSize, m.cfg.InputSize, m.cfg.OutputSize
	out = make([]float64, batch*steps*no)
	hid = make([]float64, batch*steps*n)
	x := make([]float64, n)
	rb := make([]float64, n)
	for b := range batch {
		clear(x)
		for t := range steps {
			u := inputs[(b*steps+t)*in : (b*steps+t+1)*in]
			for i := range n {
				rb[i] = rt(x[i])
			}
			for i := range n {
				tot := m.Bx[i]
				for j := range n {
					tot += m.J[i*n+j] * rb[j]
				}
				for k := range in {
					tot += m.B[i*in+k] * u[k]
				}
				x[i] = x[i] + (1/m.cfg.TauOverDt)*(-x[i]+tot)
			}
			copy(hid[(b*steps+t)*n:], x)
			for o := range no {
				s := m.C[o]
				for i := range n {
					r := rt(x[i])
					s += m.W[o*n+i] * r
				}
				out[(b*steps+t)*no+o] = s
			}
			for i := range n {
				r := rt(x[i])
				r2 += r * r
			}
		}
	}
	return
}
