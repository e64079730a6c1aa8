#!/usr/bin/env python3
"""PyTorch reference timings for `nmatools bench` and nmatools/model's Go benchmarks.

Default: times, on one CPU thread, the same workload as `nmatools bench`:
  - train_step_ms: one training step of the regularized recipe: batch 20, T 250,
    N 150, 16 inputs, 2 outputs; loss = MSE + alpha*sum(p^2) + beta*sum(r^2)/(T*N*27);
    backward; clip_grad_norm_(1.0); Adam(lr=0.004).
  - forward_b20_ms / forward_b1_ms: one 250-step trajectory without gradients at
    batch 20 and batch 1 (the tutorial's generate_trajectory loop).
Each number is the median of a few repeats after warm-up. Prints one JSON line with
the same keys as `nmatools bench --json`.

--model-bench: the workload of nmatools/model's Go benchmarks (same sizes, same work),
with the tutorial's RegularizedRNN (N=150, 16 inputs, 2 outputs, T=250):
  forward_b1_ms / forward_b20_ms  generate_trajectory (torch.no_grad) at batch 1 and 20
                                  (Go: BenchmarkTrajectoryB1 / BenchmarkTrajectoryB20)
  train_step_ms                   batch 20: loss = MSE(outputs) + 1e-3(ΣB² + ΣW²) + 0.1·mean(r²)
                                  and backward to all parameters, no optimizer update
                                  (Go: BenchmarkTrainStep)
Prints min and median milliseconds per call (one warm-up call, --repeats calls, default 20).

The model classes come from bench/tutorial_rnn.py (the tutorial's code verbatim).

Usage: /usr/bin/python3 bench/torch_bench.py [--repeats N]
       /usr/bin/python3 bench/torch_bench.py --model-bench [--repeats N]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn

from tutorial_rnn import RegularizedRNN, generate_trajectory, rectified_tanh

torch.set_num_threads(1)


def median_ms(fn, repeats, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def model_train_step(model, inputs, targets):
    """nmatools/model's BenchmarkTrainStep: loss and backward, no optimizer update."""
    model.zero_grad()
    h = model.init_hidden(inputs.size(0))
    outputs, rates = [], []
    for t in range(inputs.shape[1]):
        output, h, _ = model(inputs[:, t], h)
        outputs.append(output)
        rates.append(rectified_tanh(h))
    out = torch.stack(outputs, 1)
    r = torch.stack(rates, 1)
    loss = ((out - targets) ** 2).mean() + 1e-3 * (model.B.pow(2).sum() + model.output_linear.weight.pow(2).sum()) \
        + 0.1 * r.pow(2).mean()
    loss.backward()
    return loss.item()


def min_median_ms(fn, reps):
    fn()  # warm-up
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return min(ts), statistics.median(ts)


def model_bench(reps):
    """The workload of nmatools/model's Go benchmarks (see the module docstring)."""
    torch.manual_seed(0)
    model = RegularizedRNN(16, 150, 2, 1.5, 1.0)
    x1 = torch.randn(1, 250, 16)
    x20 = torch.randn(20, 250, 16)
    y20 = torch.randn(20, 250, 2)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for name, fn in [("forward_b1_ms", lambda: generate_trajectory(model, x1, "cpu")),
                     ("forward_b20_ms", lambda: generate_trajectory(model, x20, "cpu")),
                     ("train_step_ms", lambda: model_train_step(model, x20, y20))]:
        lo, med = min_median_ms(fn, reps)
        print(f"{name}: min {lo:.1f} median {med:.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=None,
                    help="timed repeats (default 5; 20 with --model-bench)")
    ap.add_argument("--model-bench", action="store_true",
                    help="time nmatools/model's Go benchmark workload instead of `nmatools bench`'s")
    args = ap.parse_args()
    if args.model_bench:
        model_bench(args.repeats or 20)
        return
    if args.repeats is None:
        args.repeats = 5

    torch.manual_seed(2024)
    B, T, N, IN, OUT = 20, 250, 150, 16, 2
    alpha, beta = 1e-5, 0.003
    model = RegularizedRNN(IN, N, OUT, g=1.5, h=1.0)
    opt = torch.optim.Adam(model.parameters(), lr=0.004)
    crit = nn.MSELoss()
    inputs = torch.randn(B, T, IN)
    targets = torch.randn(B, T, OUT) * 0.1

    def train_step():
        opt.zero_grad()
        h = model.init_hidden(B)
        outs, rate_reg = [], 0.0
        for t in range(T):
            o, h, r2 = model(inputs[:, t], h)
            outs.append(o)
            rate_reg = rate_reg + r2
        out = torch.stack(outs, dim=1)
        loss = crit(out, targets)
        loss = loss + alpha * sum(p.pow(2.0).sum() for p in model.parameters())
        loss = loss + beta * rate_reg / T / N / 27
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    def trajectory(x):
        with torch.no_grad():
            h = model.init_hidden(x.shape[0])
            outs = []
            for t in range(T):
                o, h, _ = model(x[:, t], h)
                outs.append(o)
            return torch.stack(outs, dim=1)

    res = {
        "backend": "pytorch %s cpu, 1 thread" % torch.__version__,
        "train_step_ms": round(median_ms(train_step, args.repeats), 2),
        "forward_b20_ms": round(median_ms(lambda: trajectory(inputs), args.repeats), 2),
        "forward_b1_ms": round(median_ms(lambda: trajectory(inputs[:1]), args.repeats * 4), 2),
    }
    print(json.dumps(res))


if __name__ == "__main__":
    main()
