#!/usr/bin/env python3
"""PyTorch reference for `nmatools sweep`: the tutorial's Section 4 loops, verbatim.

Runs test_perturbed_inputs (Section 4) and/or test_perturbed_structure (Exercise 4.1,
with the solution filled in) exactly as the tutorial writes them: a DataLoader over the
training conditions (batch_size=20, shuffle=True), 30 repetitions per level, perturb_inputs /
perturb_recurrent_weights, compute_loss or the step loop, np.mean / np.std. One CPU thread.

Inputs:
  --weights W.npz   arrays J (N,N), B (N,in), bx (N), W (out,N), c (out), float32
                    (`nmatools` reads the same file: `nmatools sweep … --checkpoint W.npz`)
  --data D.npz      arrays inputs (27,T,in) and outputs (27,T,out) of the fixed delay
                    (`nmatools prepare FILE.mat --out D.npz` writes it)
  --split-seed S    train/val split: torch.manual_seed(S); train_val_split() (the tutorial's
                    random_split); `nmatools sweep --split-seed S` draws the same split
Output: one JSON object {"inputs": [{"level","mean","std"}, …], "weights": […],
"seconds": {"inputs": s, "weights": s} (wall), "cpu_seconds": {…} (process CPU time),
"torch": version, "threads": 1}.

Usage: /usr/bin/python3 bench/torch_sweep.py --weights W.npz --data D.npz [--kind inputs|weights|both]
       [--repeats 30] [--seed 0] [--split-seed 0]
       /usr/bin/python3 bench/torch_sweep.py --make-weights W.npz --data D.npz [--train-steps 150] [--g 1.5]
         (not from the tutorial: a briefly trained network to check with, when no checkpoint is at hand)
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset, random_split

from tutorial_rnn import RegularizedRNN  # the tutorial's class (bench/tutorial_rnn.py)

torch.set_num_threads(1)


def tqdm(x):  # the tutorial's progress bar, silent here
    return x


class TimeseriesDataset(Dataset):
    def __init__(self, inputs, targets):
        self.inputs = inputs
        self.targets = targets
        self.num_conditions = inputs.shape[0]
        assert inputs.shape[0] == targets.shape[0]

    def __len__(self):
        return self.num_conditions

    def __getitem__(self, idx):
        return self.inputs[idx], self.targets[idx]


def train_val_split():
    train_split, val_split = random_split(range(27), [20, 7])
    return sorted(list(train_split)), sorted(list(val_split))


# ---- Section 4, verbatim (print and tqdm kept as in the tutorial, printing to stderr) ----

def perturb_inputs(model, inputs, perturbation_strength):
    device = inputs.device
    # Perturb the inputs by adding random noise scaled by the perturbation strength and input strength
    input_strength = torch.norm(inputs, p=2, dim=-1, keepdim=True)  # Calculate the L2 norm of inputs
    noise = torch.rand(inputs.shape[0], 1, inputs.shape[2], device=device) * perturbation_strength * input_strength
    perturbed_inputs = inputs + noise
    return perturbed_inputs


def compute_loss(model, inputs, targets, criterion, device):
    batch_size = inputs.size(0)
    h = model.init_hidden(batch_size).to(device)  # Initialize hidden state
    losses = []
    for t in range(inputs.shape[1]):  # Iterate over time steps
        model_output = model(inputs[:, t, :], h)
        output, h, *rest = model_output[:2]
        loss = criterion(output, targets[:, t])  # Assume targets is a sequence of same length as inputs
        losses.append(loss)
    mean_loss = torch.mean(torch.stack(losses)).item()
    return mean_loss


def test_perturbed_inputs(model, perturbation_strengths, test_loader, criterion, device, max_error):
    model.eval()  # Set the model to evaluation mode
    perturbation_results = []

    for strength in perturbation_strengths:
        all_errors = []  # Store all errors for each perturbation strength to compute mean and s.d.
        print(f"Testing perturbation strength {strength}", file=sys.stderr)
        for iteration in tqdm(range(REPEATS)):  # Repeat the procedure 30 times
            batch_errors = []  # Store errors for each batch

            for inputs, targets in test_loader:
                inputs, targets = inputs.to(device), targets.to(device)
                perturbed_inputs = perturb_inputs(model, inputs, strength)
                perturbed_loss = compute_loss(model, perturbed_inputs, targets, criterion, device)

                # Store the normalized error.
                rel_error = perturbed_loss / max_error * 100
                batch_errors.append(rel_error)

            all_errors.extend(batch_errors)

        mean_error = np.mean(all_errors)
        std_error = np.std(all_errors)
        perturbation_results.append((mean_error, std_error))
        print(f"Completed testing for perturbation strength {strength}.", file=sys.stderr)

    return perturbation_results


def calculate_mean_absolute_strength(model):
    # Calculate the mean absolute connection strength of the recurrent weight matrix
    return torch.mean(torch.abs(model.J)).item()


def perturb_recurrent_weights(model, mean_strength, perturbation_percentage):
    perturbation_strength = mean_strength * perturbation_percentage
    with torch.no_grad():
        noise = torch.randn_like(model.J) * perturbation_strength
        perturbed_weights = model.J + noise
        return perturbed_weights


def test_perturbed_structure(model, perturbation_percentages, test_loader, criterion, device, max_error):
    model.eval()  # Set the model to evaluation mode
    mean_strength = calculate_mean_absolute_strength(model)
    perturbation_results = []  # List to store (mean error, std dev) tuples

    original_weights = model.J.data.clone()  # Save the original weights

    for percentage in perturbation_percentages:
        multiple_perturbations_error = []
        print(f"Testing perturbation percentage {percentage:.4f}", file=sys.stderr)

        for perturbation in tqdm(range(REPEATS)):  # Perturb 30 times for each strength
            batch_errors = []
            perturbed_weights = perturb_recurrent_weights(model, mean_strength, percentage)
            model.J.data = perturbed_weights.data

            for inputs, targets in test_loader:
                inputs, targets = inputs.to(device), targets.to(device)
                batch_size = inputs.size(0)
                h = model.init_hidden(batch_size).to(device)

                outputs = torch.zeros_like(targets).to(device)
                for t in range(inputs.shape[1]):
                    output, h, *rest = model(inputs[:, t, :], h)
                    outputs[:, t, :] = output

                loss = criterion(outputs, targets).item()
                batch_errors.append(loss)

            # Reset to original weights after each perturbation
            model.J.data = original_weights.data
            multiple_perturbations_error.append(np.mean(batch_errors))

        mean_error = np.mean(multiple_perturbations_error)
        std_dev_error = np.std(multiple_perturbations_error)
        perturbation_results.append((100 * mean_error / max_error, 100 * std_dev_error / max_error))
        print(f"Completed testing for perturbation percentage {percentage:.4f}. Mean error: {mean_error:.4f}, Std. dev.: {std_dev_error:.4f}\n", file=sys.stderr)

    return perturbation_results


REPEATS = 30


def make_weights(args, normalised_inputs, outputs):
    """Not from the tutorial: a briefly trained network for the check when no checkpoint is at hand
    (Adam, MSE on the training conditions at the fixed delay, `--train-steps` full-batch steps)."""
    torch.manual_seed(args.seed)
    n_in, n_out = normalised_inputs.shape[2], outputs.shape[2]
    model = RegularizedRNN(n_in, 150, n_out, args.g, 1.0, args.tau_over_dt)
    torch.manual_seed(args.split_seed)
    train_idx, _ = train_val_split()
    x, y = normalised_inputs[train_idx], outputs[train_idx]
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    for step in range(args.train_steps):
        h = model.init_hidden(x.shape[0])
        outs = []
        for t in range(x.shape[1]):
            o, h, _ = model(x[:, t, :], h)
            outs.append(o)
        loss = nn.functional.mse_loss(torch.stack(outs, 1), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == args.train_steps - 1:
            print(f"step {step}: loss {loss.item():.5f}", file=sys.stderr)
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    np.savez(args.make_weights, J=sd["J"], B=sd["B"], bx=sd["bx"], W=sd["output_linear.weight"], c=sd["output_linear.bias"])


def main():
    global REPEATS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights")
    ap.add_argument("--make-weights", metavar="OUT.npz", help="train a network briefly and save it (not the tutorial's)")
    ap.add_argument("--train-steps", type=int, default=150)
    ap.add_argument("--lr", type=float, default=0.004)
    ap.add_argument("--g", type=float, default=1.5)
    ap.add_argument("--data", required=True)
    ap.add_argument("--kind", choices=["inputs", "weights", "both"], default="both")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--split-seed", type=int, default=0)
    ap.add_argument("--tau-over-dt", type=float, default=5)
    args = ap.parse_args()
    REPEATS = args.repeats

    d = np.load(args.data)
    normalised_inputs = torch.tensor(d["inputs"], dtype=torch.float32)
    outputs = torch.tensor(d["outputs"], dtype=torch.float32)
    if args.make_weights:
        make_weights(args, normalised_inputs, outputs)
        return
    if not args.weights:
        ap.error("--weights W.npz is required")
    w = np.load(args.weights)
    n, i = w["J"].shape[0], w["B"].shape[1]
    model = RegularizedRNN(i, n, w["W"].shape[0], 1.5, 1.0, args.tau_over_dt)
    model.load_state_dict({"J": torch.tensor(w["J"]), "B": torch.tensor(w["B"]), "bx": torch.tensor(w["bx"]),
                           "output_linear.weight": torch.tensor(w["W"]), "output_linear.bias": torch.tensor(w["c"])})

    torch.manual_seed(args.split_seed)
    train_idx, val_idx = train_val_split()
    torch.manual_seed(args.seed)
    batch_size = 20
    device = torch.device("cpu")
    test_dataset = TimeseriesDataset(normalised_inputs[train_idx], outputs[train_idx])
    test_loader = DataLoader(test_dataset, batch_size=batch_size, shuffle=True)

    # Calculate the maximum error for a null model, the error when the output is constant.
    max_error = ((outputs - outputs.mean(axis=[0, 1], keepdims=True)) ** 2).mean()

    res = {"torch": torch.__version__, "threads": torch.get_num_threads(), "train_idx": train_idx,
           "max_error": float(max_error), "seconds": {}, "cpu_seconds": {}}
    if args.kind in ("inputs", "both"):
        perturbation_strengths = [0.0125, 0.025, 0.05, 0.1, 0.2]
        t0, c0 = time.perf_counter(), time.process_time()
        r = test_perturbed_inputs(model, perturbation_strengths, test_loader, nn.MSELoss(), device, max_error)
        res["seconds"]["inputs"] = time.perf_counter() - t0
        res["cpu_seconds"]["inputs"] = time.process_time() - c0
        res["inputs"] = [{"level": l, "mean": float(m), "std": float(s)} for l, (m, s) in zip(perturbation_strengths, r)]
    if args.kind in ("weights", "both"):
        perturbation_strengths = [0.01, .1, .2, .4, .8]
        t0, c0 = time.perf_counter(), time.process_time()
        r = test_perturbed_structure(model, perturbation_strengths, test_loader, nn.MSELoss(), device, max_error)
        res["seconds"]["weights"] = time.perf_counter() - t0
        res["cpu_seconds"]["weights"] = time.process_time() - c0
        res["weights"] = [{"level": l, "mean": float(m), "std": float(s)} for l, (m, s) in zip(perturbation_strengths, r)]
    print(json.dumps(res))


if __name__ == "__main__":
    main()
