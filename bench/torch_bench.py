#!/usr/bin/env python3
"""PyTorch reference timing for `nmatools bench`.

Times, on one CPU thread, the same workload as `nmatools bench`:
  - train_step_ms: one training step of the regularized recipe: batch 20, T 250,
    N 150, 16 inputs, 2 outputs; loss = MSE + alpha*sum(p^2) + beta*sum(r^2)/(T*N*27);
    backward; clip_grad_norm_(1.0); Adam(lr=0.004).
  - forward_b20_ms / forward_b1_ms: one 250-step trajectory without gradients at
    batch 20 and batch 1 (the tutorial's generate_trajectory loop).
Each number is the median of a few repeats after warm-up. Prints one JSON line with
the same keys as `nmatools bench --json`.

Usage: /usr/bin/python3 bench/torch_bench.py [--repeats N]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)


def rectified_tanh(x):
    return torch.where(x > 0, torch.tanh(x), 0)


class RegularizedRNN(nn.Module):
    """The tutorial's RegularizedRNN, verbatim in its arithmetic."""

    def __init__(self, input_size, hidden_size, output_size, g, h, tau_over_dt=5):
        super().__init__()
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


def median_ms(fn, repeats, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

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
