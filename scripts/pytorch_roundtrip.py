"""PyTorch both ways, for the card's network `x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE`.

    python scripts/pytorch_roundtrip.py fixtures
        Trains `nn.Sequential(Linear(2, 16), ReLU(), Linear(16, 3))` on three blobs (seeded),
        writes tests/fixtures/pytorch/model.safetensors (its state_dict) and
        tests/fixtures/pytorch/io.safetensors (inputs and PyTorch's probabilities). The Rust test
        examples/tests/pytorch.rs loads both and needs no Python.

    python scripts/pytorch_roundtrip.py check DIR
        Loads DIR/rust_model.safetensors, written by
        `cargo run --release --example 10_from_pytorch -- ... --to-pytorch DIR`, into
        nn.Sequential and checks its probabilities against DIR/rust_io.safetensors (what Rust
        computed), to 1e-6.

    python scripts/pytorch_roundtrip.py activations
        For SiLU, softplus and GELU's tanh form (what `Elementwise(...)` activations write as
        expressions), `nn.Sequential(Linear(3, 5), <activation>, Linear(5, 3))` with seeded
        weights in float64: the cross-entropy loss and autograd's gradients of eight samples,
        written to tests/fixtures/pytorch/<name>.safetensors for examples/tests/activations.rs.

Set-up (a CPU wheel, about 2 minutes; the folder is git-ignored):

    python3 -m venv .venv && .venv/bin/pip install torch safetensors numpy
"""

import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pytorch"


def card():
    return torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    centers = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
    y = rng.integers(0, 3, size=n)
    x = centers[y] + rng.normal(scale=0.8, size=(n, 2))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)


def fixtures():
    torch.manual_seed(0)
    model = card()
    x, y = blobs(300, 0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(200):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(FIXTURES / "model.safetensors"))
    inputs, _ = blobs(32, 1)
    with torch.no_grad():
        probabilities = torch.softmax(model(inputs), dim=1)
    save_file(
        {"inputs": inputs.contiguous(), "probabilities": probabilities.contiguous()},
        str(FIXTURES / "io.safetensors"),
    )
    accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    print(f"trained: loss {loss.item():.4f}, accuracy {accuracy:.3f}; wrote {FIXTURES}")


def check(directory):
    directory = Path(directory)
    model = card()
    model.load_state_dict(load_file(str(directory / "rust_model.safetensors")))
    io = load_file(str(directory / "rust_io.safetensors"))
    with torch.no_grad():
        probabilities = torch.softmax(model(io["inputs"]), dim=1)
    difference = (probabilities - io["probabilities"]).abs().max().item()
    print(f"largest difference between PyTorch's and Rust's probabilities: {difference:.3g}")
    if difference > 1e-6:
        sys.exit("the Rust model does not give PyTorch's outputs")
    print("ok: nn.Sequential loaded the Rust file and agrees")


ACTIVATIONS = {
    "silu": torch.nn.SiLU,
    "softplus": torch.nn.Softplus,
    "gelu": lambda: torch.nn.GELU(approximate="tanh"),
}


def activations():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for k, (name, make) in enumerate(ACTIVATIONS.items()):
        torch.manual_seed(10 + k)
        model = torch.nn.Sequential(
            torch.nn.Linear(3, 5), make(), torch.nn.Linear(5, 3)
        ).double()
        generator = torch.Generator().manual_seed(20 + k)
        x = torch.randn(8, 3, generator=generator, dtype=torch.float64) * 1.5
        y = torch.randint(0, 3, (8,), generator=generator)
        tensors = {key: v.contiguous() for key, v in model.state_dict().items()}
        tensors["x"] = x
        tensors["y"] = y.double()
        losses, grads = [], {key: [] for key in model.state_dict()}
        for i in range(8):
            model.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[i : i + 1]), y[i : i + 1])
            loss.backward()
            losses.append(loss.detach())
            for key, p in model.named_parameters():
                grads[key].append(p.grad.detach().clone())
        tensors["loss"] = torch.stack(losses)
        for key, g in grads.items():
            tensors["grad." + key] = torch.stack(g).contiguous()
        save_file(tensors, str(FIXTURES / f"{name}.safetensors"))
        print(f"{name}: wrote {FIXTURES / (name + '.safetensors')}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "fixtures":
        fixtures()
    elif len(sys.argv) >= 2 and sys.argv[1] == "activations":
        activations()
    elif len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)
