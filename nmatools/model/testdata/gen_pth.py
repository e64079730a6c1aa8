#!/usr/bin/python3
"""Writes the PyTorch parity fixtures of nmatools/model (run with Debian's python3-torch):

    cd nmatools/model/testdata && /usr/bin/python3 gen_pth.py

The model classes and generate_trajectory come from bench/tutorial_rnn.py, the
tutorial's code verbatim (W1D1 Tutorial 2; the exercise blanks filled as in the
course's solution).
Outputs:
  reg_small.pth            RegularizedRNN(16, 64, 2, g=1.5, h=1) state_dict, float32, cpu
  reg_small_cuda.pth       the same state_dict with its storages tagged 'cuda:0'
  reg_small_f64.pth        the same state_dict converted to float64
  reg_small_legacy.pth     the same, in the legacy (non-zip) format
  reg_small_nobx.pth       the same without the key 'bx'
  unreg_small.pth          UnregularizedRNN(16, 32, 2, g=4, h=1) state_dict
  inputs.npy               (3, 250, 16) float32 inputs
  reg_outputs.npy, reg_hidden.npy, unreg_outputs.npy, unreg_hidden.npy
                           generate_trajectory(model, inputs) in float32
"""
import os
import sys

import numpy as np
import torch
import torch.serialization

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "bench"))
from tutorial_rnn import RegularizedRNN, UnregularizedRNN, generate_trajectory  # noqa: E402

torch.set_num_threads(1)


def save_tagged(obj, path, location):
    """torch.save with every storage's location tag replaced (PyTorch cannot save a CUDA
    tensor without a GPU; the tag is all a CUDA-saved file differs by)."""
    orig = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: location
    try:
        torch.save(obj, path)
    finally:
        torch.serialization.location_tag = orig


def main():
    torch.manual_seed(2024)
    device = "cpu"
    # Inputs like the tutorial's: a condition code held, then a go-cue bump on the 16th input.
    inputs = torch.zeros(3, 250, 16)
    inputs[:, 50:150, :15] = torch.randn(3, 1, 15)
    inputs[:, 150:155, 15] = 1.0
    inputs += 0.05 * torch.randn(3, 250, 16)
    np.save("inputs.npy", inputs.numpy().astype(np.float32))

    reg = RegularizedRNN(16, 64, 2, g=1.5, h=1.0)
    with torch.no_grad():
        reg.bx.copy_(0.1 * torch.randn(64))  # exercise bx (zero at initialization)
    sd = reg.state_dict()
    torch.save(sd, "reg_small.pth")
    save_tagged(sd, "reg_small_cuda.pth", "cuda:0")
    torch.save({k: v.double() for k, v in sd.items()}, "reg_small_f64.pth")
    torch.save(sd, "reg_small_legacy.pth", _use_new_zipfile_serialization=False)
    torch.save({k: v for k, v in sd.items() if k != "bx"}, "reg_small_nobx.pth")
    out, hid = generate_trajectory(reg, inputs, device)
    np.save("reg_outputs.npy", out.numpy())
    np.save("reg_hidden.npy", hid.numpy())

    unreg = UnregularizedRNN(16, 32, 2, g=4, h=1.0)
    torch.save(unreg.state_dict(), "unreg_small.pth")
    out, hid = generate_trajectory(unreg, inputs, device)
    np.save("unreg_outputs.npy", out.numpy())
    np.save("unreg_hidden.npy", hid.numpy())

    # The CUDA-tagged file really is tagged: without map_location a CPU-only torch refuses it.
    if not torch.cuda.is_available():
        try:
            torch.load("reg_small_cuda.pth")
            raise SystemExit("reg_small_cuda.pth loaded without map_location: the location tag was not written")
        except RuntimeError:
            pass
    back = torch.load("reg_small_cuda.pth", map_location="cpu")
    assert all(torch.equal(back[k], sd[k]) for k in sd)


if __name__ == "__main__":
    main()
