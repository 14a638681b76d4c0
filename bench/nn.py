"""Ember's ``nn`` layers against PyTorch and hand-written NumPy (CPU): the stage 04 targets.

Run from the repository root::

    python -m bench.nn                        # the reference, solutions/ember, 1 thread
    python -m bench.nn --only conv mlp        # skip the (slower) training run
    python -m bench.nn --json bench/results/nn.json
    python -m bench                           # every benchmark

Three measurements (issue 4, "Speed"):

* **conv**: ``Conv2d(1, 16, 3, padding=1)`` then ``Conv2d(16, 32, 3, padding=1)`` on a batch
  of 64 8x8 images, forward and backward (a random upstream gradient): ember/torch <= 2.0.
* **mlp**: one SGD step (``zero_grad``, forward, cross-entropy, ``backward``, ``step``) of
  ``Sequential(Linear(64, 128), ReLU(), Linear(128, 10))`` on a batch of 64, the step
  ``bench.autograd`` times too (one definition, ``bench/mlp.py``): ember/torch <= 0.8 and
  ember/NumPy <= 2.0, NumPy running the same math with its backward written by hand.
* **digits**: the CNN of notebook 04 trained on the Digits training set (the same initial
  weights, batches and hyper-parameters in both libraries): ember's wall time / torch's
  <= 1.2, and both must reach >= 97 % test accuracy.

All libraries get the same float32 data and the same number of threads (``--threads``,
1 by default, set before NumPy is imported). Per-call times are the minimum over
``--repeat`` rounds, the libraries interleaved. Never run by CI; ``--strict`` makes a MISS
exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # python bench/nn.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import mlp
from bench.ops import fmt_ratio, fmt_us, header, load_libraries, per_call_seconds

CONV_TARGET = 2.0  # ember/torch, two convolutions forward + backward
DIGITS_TIME_TARGET = 1.2  # ember/torch (issue 10), wall time of the notebook 04 training run
DIGITS_ACCURACY_TARGET = 0.97
BENCHMARKS = ("conv", "mlp", "digits")

# The notebook 04 recipe: SGD with momentum on mini-batches, a fixed number of epochs.
EPOCHS = 15
BATCH = 64
LR = 0.1
MOMENTUM = 0.9


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=("solutions", "framework"), default="solutions")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=0.1, help="seconds per timing round")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def copy_into_torch(torch, ember_model, torch_model) -> None:
    """Give ``torch_model`` the same weights as ``ember_model`` (same parameter order)."""
    with torch.no_grad():
        for (name, pe), (_, pt) in zip(ember_model.named_parameters(),
                                       torch_model.named_parameters(), strict=True):
            if tuple(pe.shape) != tuple(pt.shape):
                raise ValueError(f"{name}: ember {tuple(pe.shape)} vs torch {tuple(pt.shape)}")
            pt.copy_(torch.from_numpy(pe.detach().numpy().copy()))


def conv_model(m):
    nn = m.nn
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1))


def conv_workloads(np, torch, ember):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 8, 8)).astype(np.float32)
    g = rng.standard_normal((64, 32, 8, 8)).astype(np.float32)
    em = conv_model(ember)
    ex, eg = ember.tensor(x, requires_grad=True), ember.tensor(g)

    def ember_step():
        em(ex).backward(eg)
        em.zero_grad()
        ex.grad = None

    if torch is None:
        return ember_step, None
    tm = conv_model(torch)
    copy_into_torch(torch, em, tm)
    tx = torch.tensor(x, requires_grad=True)
    tg = torch.tensor(g)

    def torch_step():
        tm(tx).backward(tg)
        tm.zero_grad()
        tx.grad = None

    return ember_step, torch_step


def digits_model(m):
    """The CNN of notebook 04: two conv blocks and a linear classifier (8x8 → 10)."""
    nn = m.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )


def train(m, model, x, y, x_test, y_test, order) -> tuple[float, float]:
    """Train ``model`` with the fixed batch ``order``; (seconds, test accuracy)."""
    optimizer = m.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = m.nn.CrossEntropyLoss()
    start = time.perf_counter()
    model.train()
    for epoch_order in order:
        for i in range(0, len(epoch_order), BATCH):
            index = m.tensor(epoch_order[i:i + BATCH])
            optimizer.zero_grad()
            loss_fn(model(x[index]), y[index]).backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    model.eval()
    with m.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    return seconds, accuracy


def digits_run(np, torch, ember) -> dict:
    from ember.vision.datasets import Digits  # the ember that load_libraries imported

    train_set, test_set = Digits(train=True), Digits(train=False)
    images = train_set.data.numpy().astype(np.float32)[:, None] / 16
    test_images = test_set.data.numpy().astype(np.float32)[:, None] / 16
    labels, test_labels = train_set.targets.numpy(), test_set.targets.numpy()
    rng = np.random.default_rng(0)
    order = [rng.permutation(len(labels)) for _ in range(EPOCHS)]
    ember.manual_seed(0)
    em = digits_model(ember)
    result = {"epochs": EPOCHS, "batch": BATCH, "lr": LR, "momentum": MOMENTUM}
    if torch is not None:
        tm = digits_model(torch)
        copy_into_torch(torch, em, tm)
        result["torch_s"], result["torch_accuracy"] = train(
            torch, tm, torch.tensor(images), torch.tensor(labels),
            torch.tensor(test_images), torch.tensor(test_labels), order)
    result["ember_s"], result["ember_accuracy"] = train(
        ember, em, ember.tensor(images), ember.tensor(labels),
        ember.tensor(test_images), ember.tensor(test_labels), order)
    return result


def verdict(ratio: float | None, limit: float) -> str:
    if ratio is None:
        return "n/a"
    return "ok" if ratio <= limit else "MISS"


def run(args) -> dict:
    np, torch, ember = load_libraries(args)
    print("\n".join(header(args, np, torch, ember)))
    print()
    results: dict = {}
    if "conv" in args.only:
        te, tt = per_call_seconds(list(conv_workloads(np, torch, ember)), args.repeat,
                                  args.budget)
        ratio = te / tt if tt else None
        results["conv"] = {"ember_s": te, "torch_s": tt, "ember/torch": ratio,
                           "target": CONV_TARGET, "verdict": verdict(ratio, CONV_TARGET)}
        print(f"conv  1→16→32, 64×1×8×8, fwd+bwd: ember {fmt_us(te)} µs  torch {fmt_us(tt)} µs"
              f"  ember/torch {fmt_ratio(ratio)} (target ≤ {CONV_TARGET}) "
              f"{results['conv']['verdict']}")
    if "mlp" in args.only:
        r = mlp.measure(np, torch, ember, args.repeat, args.budget)
        missed = (r["ember/numpy"] > mlp.NUMPY_TARGET
                  or (r["ember/torch"] is not None and r["ember/torch"] > mlp.TORCH_TARGET))
        r["verdict"] = "MISS" if missed else "ok"
        results["mlp"] = r
        print(f"{mlp.LABEL}: ember {fmt_us(r['ember_s'])} µs  numpy {fmt_us(r['numpy_s'])} µs"
              f"  torch {fmt_us(r['torch_s'])} µs  ember/torch {fmt_ratio(r['ember/torch'])} "
              f"(target ≤ {mlp.TORCH_TARGET})  ember/numpy {fmt_ratio(r['ember/numpy'])} "
              f"(target ≤ {mlp.NUMPY_TARGET}) {r['verdict']}; losses agree within "
              f"{r['loss_difference']:.1e}")
    if "digits" in args.only:
        r = digits_run(np, torch, ember)
        ratio = r["ember_s"] / r["torch_s"] if r.get("torch_s") else None
        ok_acc = r["ember_accuracy"] >= DIGITS_ACCURACY_TARGET
        r.update({"ember/torch": ratio, "target": DIGITS_TIME_TARGET,
                  "verdict": verdict(ratio, DIGITS_TIME_TARGET) if ok_acc else "MISS"})
        results["digits"] = r
        torch_part = (f"torch {r['torch_s']:.1f} s ({r['torch_accuracy']:.1%})  "
                      if r.get("torch_s") else "")
        print(f"digits CNN, {EPOCHS} epochs: ember {r['ember_s']:.1f} s "
              f"({r['ember_accuracy']:.1%} test accuracy)  {torch_part}"
              f"ember/torch {fmt_ratio(ratio)} (target ≤ {DIGITS_TIME_TARGET}, "
              f"accuracy ≥ {DIGITS_ACCURACY_TARGET:.0%}) {r['verdict']}")
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    results = run(args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    missed = [name for name, r in results.items() if r["verdict"] == "MISS"]
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
