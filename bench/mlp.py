"""The one MLP SGD step that ``bench.autograd`` and ``bench.nn`` both time.

Earlier the two benchmarks timed two different steps under the same name: ``bench.autograd``
wrote the network with about fifteen primitive ops (``x @ w1 + b1``, ``relu``, a
log-sum-exp cross-entropy, a hand-written update loop) and ``bench.nn`` used ``nn.Linear``,
the fused ``CrossEntropyLoss`` and ``optim.SGD``. Ember records a Python node per op while
torch's per-op cost is in C++, so the op-level version made ember look twice as slow
relative to torch as the layer-level one. Now there is one step, defined here:

    ``zero_grad`` → ``Sequential(Linear(64, 128), ReLU(), Linear(128, 10))`` on a batch of
    64 → ``CrossEntropyLoss`` (mean over the batch, integer labels) → ``backward`` →
    ``SGD(lr=0.01).step()``

run by ember and by torch with the same code (``step``), and by NumPy with the same math
and its backward written by hand (``numpy_step``):

    h = x W1ᵀ + b1,  a = max(h, 0),  z = a W2ᵀ + b2,  p = softmax(z),
    L = -mean_i log p[i, y_i],  dz = (p - onehot(y)) / n,
    dW2 = dzᵀ a, db2 = Σ_i dz, da = dz W2 ⊙ [h > 0], dW1 = daᵀ x, db1 = Σ_i da,
    θ ← θ - lr·dθ.

All three start from the same float32 weights; ``agreement`` runs three steps in each and
returns the largest difference between their losses, which proves that every update
really reaches the parameters.
"""

from __future__ import annotations

from typing import Any

from bench.ops import per_call_seconds

BATCH, IN, HIDDEN, OUT = 64, 64, 128, 10
LR = 0.01
TORCH_TARGET = 0.8  # ember/torch, one step (issue 10)
NUMPY_TARGET = 2.0  # ember/NumPy with a hand-written backward (issue 10)
LABEL = f"mlp {IN}-{HIDDEN}-{OUT} b{BATCH} SGD step"


def data(np) -> tuple[Any, Any, list[Any]]:
    """Inputs, integer labels and the four parameters (``nn.Linear`` layout: out × in)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, IN)).astype(np.float32)
    labels = rng.integers(0, OUT, BATCH)
    params = [
        (rng.standard_normal((HIDDEN, IN)) / IN**0.5).astype(np.float32),
        np.zeros(HIDDEN, dtype=np.float32),
        (rng.standard_normal((OUT, HIDDEN)) / HIDDEN**0.5).astype(np.float32),
        np.zeros(OUT, dtype=np.float32),
    ]
    return x, labels, params


def model(m, params: list[Any]) -> tuple[Any, Any, Any]:
    """``(network, loss function, optimizer)`` of library ``m`` holding copies of ``params``."""
    nn = m.nn
    net = nn.Sequential(nn.Linear(IN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, OUT))
    with m.no_grad():
        for p, value in zip(net.parameters(), params, strict=True):
            p.copy_(m.tensor(value.copy()))
    return net, nn.CrossEntropyLoss(), m.optim.SGD(net.parameters(), lr=LR)


def step(net: Any, loss_fn: Any, optimizer: Any, x: Any, labels: Any) -> Any:
    """One SGD step, the same code for ember and torch; returns the loss (before the step)."""
    optimizer.zero_grad()
    loss = loss_fn(net(x), labels)
    loss.backward()
    optimizer.step()
    return loss


def numpy_step(np, params: list[Any], x: Any, labels: Any) -> float:
    """The same step with NumPy, its backward written by hand (the math of the docstring)."""
    w1, b1, w2, b2 = params
    h = x @ w1.T + b1
    a = np.maximum(h, 0)
    z = a @ w2.T + b2
    z = z - z.max(axis=1, keepdims=True)  # shift for a stable softmax
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = float(np.mean(np.log(s[:, 0]) - z[rows, labels]))
    dz = e / s
    dz[rows, labels] -= 1
    dz /= len(labels)
    dw2, db2 = dz.T @ a, dz.sum(0)
    da = dz @ w2
    da *= h > 0
    dw1, db1 = da.T @ x, da.sum(0)
    for param, grad in zip(params, (dw1, db1, dw2, db2), strict=True):
        param -= np.float32(LR) * grad
    return loss


def workloads(np, torch, ember) -> tuple[Any, Any, Any]:
    """The step as zero-argument callables: ember, NumPy, torch (None without torch)."""
    x, labels, params = data(np)
    net, loss_fn, optimizer = model(ember, params)
    ex, ey = ember.tensor(x), ember.tensor(labels)
    fe = lambda: step(net, loss_fn, optimizer, ex, ey)  # noqa: E731
    own = [p.copy() for p in params]
    fn = lambda: numpy_step(np, own, x, labels)  # noqa: E731
    ft = None
    if torch is not None:
        tnet, tloss, topt = model(torch, params)
        tx, ty = torch.tensor(x), torch.tensor(labels)
        ft = lambda: step(tnet, tloss, topt, tx, ty)  # noqa: E731
    return fe, fn, ft


def agreement(np, torch, ember, steps: int = 3) -> float:
    """Largest difference between ember's loss and NumPy's (and torch's) over ``steps``."""
    x, labels, params = data(np)
    ember_run = model(ember, params)
    ex, ey = ember.tensor(x), ember.tensor(labels)
    own = [p.copy() for p in params]
    torch_run = model(torch, params) if torch is not None else None
    tx, ty = (torch.tensor(x), torch.tensor(labels)) if torch is not None else (None, None)
    worst = 0.0
    for _ in range(steps):
        le = float(step(*ember_run, ex, ey).item())
        worst = max(worst, abs(le - numpy_step(np, own, x, labels)))
        if torch_run is not None:
            worst = max(worst, abs(le - float(step(*torch_run, tx, ty).item())))
    return worst


def measure(np, torch, ember, repeat: int, budget: float) -> dict:
    """Time the step in the three libraries, interleaved; seconds per step and ratios.

    Raises:
        NotImplementedError: the framework lacks a piece the step needs (a student's stubs).
    """
    fe, fn, ft = workloads(np, torch, ember)
    fe()
    worst = agreement(np, torch, ember)
    te, tn, tt = per_call_seconds([fe, fn, ft], repeat, budget)
    return {"ember_s": te, "numpy_s": tn, "torch_s": tt,
            "ember/torch": None if tt is None else te / tt, "ember/numpy": te / tn,
            "loss_difference": worst}
