#!/usr/bin/python3
"""PyTorch reference timings for nmatools/model's Go benchmarks (same sizes, same work).

    /usr/bin/python3 bench/torch_forward.py [--reps 20]

Times, with torch.set_num_threads(1), the tutorial's RegularizedRNN (N=150, 16 inputs,
2 outputs, T=250):
  forward_b1_ms / forward_b20_ms  generate_trajectory (torch.no_grad) at batch 1 and 20
                                  (Go: BenchmarkTrajectoryB1 / BenchmarkTrajectoryB20)
  train_step_ms                   batch 20: loss = MSE(outputs) + 1e-3(ΣB² + ΣW²) + 0.1·mean(r²)
                                  and backward to all parameters, no optimizer update
                                  (Go: BenchmarkTrainStep)
Prints min and median milliseconds per call.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)


def rectified_tanh(x):
    return torch.where(x > 0, torch.tanh(x), 0)


class RegularizedRNN(nn.Module):  # the tutorial's class
    def __init__(self, input_size, hidden_size, output_size, g, h, tau_over_dt=5):
        super(RegularizedRNN, self).__init__()
        self.hidden_size = hidden_size
        self.tau_over_dt = tau_over_dt
        self.output_linear = nn.Linear(hidden_size, output_size)
        self.J = nn.Parameter(torch.randn(hidden_size, hidden_size) * (g / torch.sqrt(torch.tensor(hidden_size, dtype=torch.float))))
        self.B = nn.Parameter(torch.randn(hidden_size, input_size) * (h / torch.sqrt(torch.tensor(input_size, dtype=torch.float))))
        self.bx = nn.Parameter(torch.zeros(hidden_size))
        self.nonlinearity = rectified_tanh

    def forward(self, input, hidden):
        firing_rate_before = self.nonlinearity(hidden)
        recurrent_drive = torch.matmul(self.J, firing_rate_before.transpose(0, 1))
        input_drive = torch.matmul(self.B, input.transpose(0, 1))
        total_drive = recurrent_drive + input_drive + self.bx.unsqueeze(1)
        total_drive = total_drive.transpose(0, 1)
        hidden = hidden + (1 / self.tau_over_dt) * (-hidden + total_drive)
        firing_rate = self.nonlinearity(hidden)
        output = self.output_linear(firing_rate)
        firing_rate_reg = firing_rate.pow(2).sum()
        return output, hidden, firing_rate_reg

    def init_hidden(self, batch_size):
        return torch.zeros(batch_size, self.hidden_size)


def generate_trajectory(model, inputs):
    h = model.init_hidden(inputs.size(0))
    outputs, hidden_states = [], []
    with torch.no_grad():
        for t in range(inputs.shape[1]):
            output, h, *rest = model(inputs[:, t], h)
            outputs.append(output)
            hidden_states.append(h.detach().clone())
    return torch.stack(outputs, axis=1), torch.stack(hidden_states, axis=1)


def train_step(model, inputs, targets):
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


def timeit(fn, reps):
    fn()  # warm-up
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return min(ts), statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = RegularizedRNN(16, 150, 2, 1.5, 1.0)
    x1 = torch.randn(1, 250, 16)
    x20 = torch.randn(20, 250, 16)
    y20 = torch.randn(20, 250, 2)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for name, fn in [("forward_b1_ms", lambda: generate_trajectory(model, x1)),
                     ("forward_b20_ms", lambda: generate_trajectory(model, x20)),
                     ("train_step_ms", lambda: train_step(model, x20, y20))]:
        lo, med = timeit(fn, args.reps)
        print(f"{name}: min {lo:.1f} median {med:.1f}")


if __name__ == "__main__":
    main()
