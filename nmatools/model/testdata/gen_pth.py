#!/usr/bin/python3
"""Writes the PyTorch parity fixtures of nmatools/model (run with Debian's python3-torch):

    cd nmatools/model/testdata && /usr/bin/python3 gen_pth.py

The model classes and generate_trajectory below are the tutorial's code verbatim
(W1D1 Tutorial 2; the exercise blanks filled as in the course's solution).
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
import numpy as np
import torch
import torch.nn as nn
import torch.serialization

torch.set_num_threads(1)


# Define a custom Rectified Tanh activation function
def rectified_tanh(x):
    return torch.where(x > 0, torch.tanh(x), 0)


class UnregularizedRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size, g, h, tau_over_dt=5):
        super(UnregularizedRNN, self).__init__()
        self.hidden_size = hidden_size
        self.tau_over_dt = tau_over_dt
        self.output_linear = nn.Linear(hidden_size, output_size)

        # Weight initialization
        self.J = nn.Parameter(torch.randn(hidden_size, hidden_size) * (g / torch.sqrt(torch.tensor(hidden_size, dtype=torch.float))))
        self.B = nn.Parameter(torch.randn(hidden_size, input_size) * (h / torch.sqrt(torch.tensor(input_size, dtype=torch.float))))
        self.bx = nn.Parameter(torch.zeros(hidden_size))

        # Nonlinearity
        self.nonlinearity = rectified_tanh

    def forward(self, input, hidden):
        # Calculate the visible firing rate from the hidden state.
        firing_rate_before = self.nonlinearity(hidden)

        # Update hidden state
        recurrent_drive = torch.matmul(self.J, firing_rate_before.transpose(0, 1))
        input_drive = torch.matmul(self.B, input.transpose(0, 1))
        total_drive = recurrent_drive + input_drive + self.bx.unsqueeze(1)
        total_drive = total_drive.transpose(0, 1)

        # Euler integration for continuous-time update
        hidden = hidden + (1 / self.tau_over_dt) * (-hidden + total_drive)

        # Calculate the new firing rate given the update.
        firing_rate = self.nonlinearity(hidden)

        # Project the firing rate linearly to form the output
        output = self.output_linear(firing_rate)

        return output, hidden

    def init_hidden(self, batch_size):
        return torch.zeros(batch_size, self.hidden_size)


class RegularizedRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size, g, h, tau_over_dt=5):
        super(RegularizedRNN, self).__init__()
        self.hidden_size = hidden_size
        self.tau_over_dt = tau_over_dt  # Time constant
        self.output_linear = nn.Linear(hidden_size, output_size)

        # Weight initialization
        self.J = nn.Parameter(torch.randn(hidden_size, hidden_size) * (g / torch.sqrt(torch.tensor(hidden_size, dtype=torch.float))))
        self.B = nn.Parameter(torch.randn(hidden_size, input_size) * (h / torch.sqrt(torch.tensor(input_size, dtype=torch.float))))
        self.bx = nn.Parameter(torch.zeros(hidden_size))

        # Nonlinearity
        self.nonlinearity = rectified_tanh

    def forward(self, input, hidden):
        # Calculate the visible firing rate from the hidden state.
        firing_rate_before = self.nonlinearity(hidden)

        # Update hidden state
        recurrent_drive = torch.matmul(self.J, firing_rate_before.transpose(0, 1))
        input_drive = torch.matmul(self.B, input.transpose(0, 1))
        total_drive = recurrent_drive + input_drive + self.bx.unsqueeze(1)
        total_drive = total_drive.transpose(0, 1)

        # Euler integration for continuous-time update
        hidden = hidden + (1 / self.tau_over_dt) * (-hidden + total_drive)

        # Calculate the new firing rate given the update.
        firing_rate = self.nonlinearity(hidden)

        # Project the firing rate linearly to form the output
        output = self.output_linear(firing_rate)

        # Regularization terms
        firing_rate_reg = firing_rate.pow(2).sum()

        return output, hidden, firing_rate_reg

    def init_hidden(self, batch_size):
        # Initialize hidden state with batch dimension
        return torch.zeros(batch_size, self.hidden_size)


def generate_trajectory(model, inputs, device):
    inputs = inputs.to(device)
    batch_size = inputs.size(0)
    h = model.init_hidden(batch_size).to(device)

    loss = 0
    outputs = []
    hidden_states = []
    with torch.no_grad():
        for t in range(inputs.shape[1]):
            # Forward the model's input and hidden state to obtain the model
            # output and hidden state *h*.
            # Note that you should index the input tensor by the time dimension
            # Capture any additional outputs in 'rest'
            output, h, *rest = model(inputs[:, t], h)
            outputs.append(output)
            hidden_states.append(h.detach().clone())

    return torch.stack(outputs, axis=1).to(device), torch.stack(hidden_states, axis=1).to(device)


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
