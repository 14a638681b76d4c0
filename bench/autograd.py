"""Ember's autograd against PyTorch and hand-written NumPy (CPU): the stage 02 targets.

Run from the repository root::

    python -m bench.autograd                        # the reference, solutions/ember, 1 thread
    python bench/autograd.py --framework framework  # the student's framework/ember
    python -m bench.autograd --json bench/results/autograd.json
    python -m bench                                 # bench.ops, then this

Three measurements (issue 3, "Speed"):

* **chain**: 100 small element-wise ops on 4x4 float32 tensors (three leaves that require
  grad), then ``backward`` of the sum, then the grads reset: ember/torch <= 1.5.
* **mlp**: one SGD step of a 64-128-10 MLP on a batch of 64, the step ``bench.nn`` times
  too (one definition, ``bench/mlp.py``): ember/torch <= 0.8 and ember/NumPy <= 2.0, where
  NumPy is the same step with its backward written by hand.
* **deep**: backward through a 10,000-op chain (32x32 float32) completes, and the memory
  it held is freed: ember's Python allocations measured with ``tracemalloc`` (peak during
  forward + backward, what is left after backward while the output is still referenced, and
  after the last reference is dropped) and a ``weakref`` to an intermediate tensor that must
  be dead afterwards. torch's time for the same chain is shown for scale (its memory is
  allocated in C++, outside ``tracemalloc``). Its forward must take at most 3 times
  torch's (issue 10).

All libraries get the same float32 data and the same number of threads (``--threads``,
1 by default, set before NumPy is imported). Times are the minimum over ``--repeat``
rounds of ``timeit`` per-call times, the libraries interleaved inside each round.
Benchmarks are never run by CI and never assert: ``--strict`` makes a MISS exit 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
import weakref
from pathlib import Path

if __package__ in (None, ""):  # python bench/autograd.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import mlp
from bench.ops import fmt_ratio, fmt_us, header, load_libraries, per_call_seconds

CHAIN_TARGET = 1.5  # ember/torch, 100-op chain on 4x4, forward + backward
CHAIN_OPS = 100
DEEP_OPS = 10_000
DEEP_FORWARD_TARGET = 3.0  # ember/torch, forward of the 10,000-op chain (issue 10)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--framework",
        choices=("solutions", "framework"),
        default="solutions",
        help="which ember to time: the reference (solutions/) or the student's (framework/)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads for all libraries")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("chain", "mlp", "deep"),
        default=["chain", "mlp", "deep"],
        help="run only these benchmarks",
    )
    parser.add_argument("--repeat", type=int, default=7, help="repeats; the minimum is kept")
    parser.add_argument(
        "--budget", type=float, default=0.1, help="seconds per repeat and library (autorange)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


# ------------------------------------------------------------------------ (a) the chain
def chain_step(m, x, w, b):
    """100 element-wise ops (a cycle of 5 kinds), the sum's backward, grads reset.

    ``m`` is the torch or the ember module; the code is the same for both.
    """
    y = x
    for _ in range(CHAIN_OPS // 5):
        y = y * w
        y = y + b
        y = y.tanh()
        y = y - x
        y = y * 0.5
    y.sum().backward()
    x.grad = w.grad = b.grad = None


def chain_workloads(np, torch, ember):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 4)).astype(np.float32) for _ in range(3)]
    ex, ew, eb = (ember.tensor(a.copy(), requires_grad=True) for a in arrays)
    fe = lambda: chain_step(ember, ex, ew, eb)  # noqa: E731
    ft = None
    if torch is not None:
        tx, tw, tb = (torch.tensor(a.copy(), requires_grad=True) for a in arrays)
        ft = lambda: chain_step(torch, tx, tw, tb)  # noqa: E731
    return fe, ft


# ---------------------------------------------------------------- (c) the deep chain
def deep_chain(m, x, w, n: int, probe_at: int):
    """``n`` ops ``y = y * w`` (each saves both operands); returns (loss, probe tensor)."""
    y, probe = x, None
    for i in range(n):
        y = y * w
        if i == probe_at:
            probe = y
    return y.sum(), probe


def _deep_inputs(np, m):
    rng = np.random.default_rng(2)
    base = rng.standard_normal((32, 32)).astype(np.float32)
    factor = (1 + 1e-5 * rng.standard_normal((32, 32))).astype(np.float32)
    return m.tensor(base, requires_grad=True), m.tensor(factor, requires_grad=True)


class CollectorLog:
    """Python's cyclic garbage collections while it is installed: a count and seconds per
    generation. Unlike wall time, the counts do not depend on the machine's load, and the
    collector is a large part of a long forward pass (every recorded op leaves objects it
    tracks, and a full collection walks every object of the process)."""

    def __init__(self) -> None:
        self.counts, self.seconds, self._start = [0, 0, 0], [0.0, 0.0, 0.0], 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.counts[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self._start

    def __enter__(self) -> CollectorLog:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self)


def deep_ember(np, ember) -> dict:
    """Time one run (no tracing), then measure a second run under ``tracemalloc``."""
    x, w = _deep_inputs(np, ember)
    error = None
    with CollectorLog() as collector:
        t0 = time.perf_counter()
        loss, _ = deep_chain(ember, x, w, DEEP_OPS, -1)
        t1 = time.perf_counter()
    try:
        loss.backward()
    except RecursionError as exc:  # a recursive engine
        error = f"RecursionError: {str(exc)[:60]}"
    t2 = time.perf_counter()
    completed = error is None and x.grad is not None and w.grad is not None
    finite = bool(completed and np.isfinite(x.grad.numpy()).all())
    del loss

    x, w = _deep_inputs(np, ember)
    gc.collect()
    tracemalloc.start()
    start_mem, _ = tracemalloc.get_traced_memory()
    loss, probe = deep_chain(ember, x, w, DEEP_OPS, DEEP_OPS // 2)
    after_forward, _ = tracemalloc.get_traced_memory()
    probe_ref = weakref.ref(probe)
    del probe
    try:
        loss.backward()
    except RecursionError:
        pass
    gc.collect()
    after_backward, peak = tracemalloc.get_traced_memory()
    del loss
    gc.collect()
    after_release, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mib = 1 / 2**20
    return {
        "completed": completed,
        "error": error,
        "forward_s": t1 - t0,
        "backward_s": t2 - t1,
        "forward_collections": collector.counts,
        "forward_collection_s": collector.seconds,
        "grad_finite": finite,
        "mib_after_forward": (after_forward - start_mem) * mib,
        "mib_peak": (peak - start_mem) * mib,
        "mib_after_backward": (after_backward - start_mem) * mib,
        "mib_after_release": (after_release - start_mem) * mib,
        # each op saves at least its input y (32x32 float32)
        "mib_saved_arrays": DEEP_OPS * x.numel() * 4 * mib,
        "probe_alive_after_release": probe_ref() is not None,
    }


def deep_torch(np, torch) -> dict | None:
    if torch is None:
        return None
    x, w = _deep_inputs(np, torch)
    t0 = time.perf_counter()
    loss, _ = deep_chain(torch, x, w, DEEP_OPS, -1)
    t1 = time.perf_counter()
    loss.backward()
    t2 = time.perf_counter()
    return {"forward_s": t1 - t0, "backward_s": t2 - t1}


def deep_freed(result: dict) -> bool:
    """Memory is freed: backward releases the saved arrays, dropping the output the rest."""
    held = result["mib_after_forward"]
    return (
        result["completed"]
        and not result["probe_alive_after_release"]
        and result["mib_after_backward"] <= 0.5 * held
        and result["mib_after_release"] <= 0.05 * held + 0.5
    )


# ------------------------------------------------------------------------------ driver
def verdict(ratio: float | None, limit: float) -> str:
    if ratio is None:
        return "n/a"
    return "PASS" if ratio <= limit else "MISS"


def run(args) -> dict:
    np, torch, ember = load_libraries(args)
    info = header(args, np, torch, ember)
    print("\n".join(info))
    print()
    columns = (f"{'benchmark':<34}{'ember':>11}{'torch':>11}{'numpy':>11}"
               f"{'ember/torch':>13}{'ember/np':>10}  targets")
    print(columns)
    print("-" * (len(columns) + 30))
    rows, targets = [], {}

    def report(name, te, tt, tn, checks):
        ratio_t = None if tt is None else te / tt
        ratio_n = None if tn is None else te / tn
        marks = []
        for key, ratio, limit in checks:
            v = verdict(ratio, limit)
            targets[key] = {"ratio": ratio, "limit": limit, "pass": None if ratio is None
                            else ratio <= limit}
            marks.append(f"{key} <= {limit:.1f} {v}")
        print(f"{name:<34}{fmt_us(te):>11}{fmt_us(tt):>11}{fmt_us(tn):>11}"
              f"{fmt_ratio(ratio_t):>13}{fmt_ratio(ratio_n):>10}  {'; '.join(marks)}")
        rows.append({"benchmark": name, "ember_s": te, "torch_s": tt, "numpy_s": tn,
                     "ember_over_torch": ratio_t, "ember_over_numpy": ratio_n})
        return ratio_t, ratio_n

    if "chain" in args.only:
        name = f"chain {CHAIN_OPS} ops 4x4 fwd+bwd (µs)"
        try:
            fe, ft = chain_workloads(np, torch, ember)
            fe()
        except NotImplementedError as exc:
            print(f"{name:<34}  not implemented: {exc}")
        else:
            te, tt = per_call_seconds([fe, ft], args.repeat, args.budget)
            rt = None if tt is None else te / tt
            report(name, te, tt, None, [("chain ember/torch", rt, CHAIN_TARGET)])

    if "mlp" in args.only:
        name = f"{mlp.LABEL} (µs)"
        try:
            r = mlp.measure(np, torch, ember, args.repeat, args.budget)
        except NotImplementedError as exc:
            print(f"{name:<34}  not implemented: {exc}")
        else:
            report(name, r["ember_s"], r["torch_s"], r["numpy_s"],
                   [("mlp ember/torch", r["ember/torch"], mlp.TORCH_TARGET),
                    ("mlp ember/numpy", r["ember/numpy"], mlp.NUMPY_TARGET)])
            print(f"{'':<34}losses of ember, numpy and torch agree within "
                  f"{r['loss_difference']:.1e}")

    deep = None
    if "deep" in args.only:
        name = f"deep chain {DEEP_OPS:,} ops 32x32 (ms)"
        try:
            deep = deep_ember(np, ember)
        except NotImplementedError as exc:
            print(f"{name:<34}  not implemented: {exc}")
        else:
            deep_t = deep_torch(np, torch)
            deep["torch"] = deep_t
            te = deep["forward_s"] + deep["backward_s"]
            tt = None if deep_t is None else deep_t["forward_s"] + deep_t["backward_s"]
            ok = deep_freed(deep)
            targets["deep completes and frees memory"] = {"pass": ok}
            if deep_t is not None:
                ratio = deep["forward_s"] / deep_t["forward_s"]
                targets["deep forward ember/torch"] = {
                    "ratio": ratio, "limit": DEEP_FORWARD_TARGET,
                    "pass": ratio <= DEEP_FORWARD_TARGET}
            ms = lambda s: "n/a" if s is None else f"{s * 1e3:,.0f}"  # noqa: E731
            print(f"{name:<34}{ms(te):>11}{ms(tt):>11}{'n/a':>11}"
                  f"{fmt_ratio(None if tt is None else te / tt):>13}{'n/a':>10}  "
                  f"completes and frees memory {'PASS' if ok else 'MISS'}"
                  + ("" if deep["grad_finite"] else " (non-finite grad)"))
            print(f"{'':<34}ember fwd {deep['forward_s'] * 1e3:,.0f} ms, "
                  f"bwd {deep['backward_s'] * 1e3:,.0f} ms"
                  + ("" if deep_t is None else f"; torch fwd {deep_t['forward_s'] * 1e3:,.0f}"
                     f" ms, bwd {deep_t['backward_s'] * 1e3:,.0f} ms")
                  + ("" if deep["error"] is None else f"; {deep['error']}"))
            counts, seconds = deep["forward_collections"], deep["forward_collection_s"]
            print(f"{'':<34}ember fwd: {counts[0]}, {counts[1]}, {counts[2]} cyclic GC "
                  f"collections of generation 0, 1, 2, taking {sum(seconds) * 1e3:,.0f} ms "
                  f"(full ones {seconds[2] * 1e3:,.0f} ms)")
            print(f"{'':<34}ember memory (MiB): after forward {deep['mib_after_forward']:.1f} "
                  f"(saved arrays >= {deep['mib_saved_arrays']:.1f}), peak "
                  f"{deep['mib_peak']:.1f}, after backward {deep['mib_after_backward']:.1f}, "
                  f"after del {deep['mib_after_release']:.1f}; intermediate tensor "
                  f"{'still alive' if deep['probe_alive_after_release'] else 'freed'}")

    print()
    for key, t in targets.items():
        if "ratio" in t:
            print(f"target {key} <= {t['limit']:.1f}: "
                  f"{verdict(t['ratio'], t['limit'])} ({fmt_ratio(t['ratio'])})")
        else:
            print(f"target {key}: {'PASS' if t['pass'] else 'MISS'}")
    return {
        "environment": info,
        "threads": args.threads,
        "framework": args.framework,
        "results": rows,
        "deep": deep,
        "targets": targets,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    report = run(args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"\nwrote {args.json}")
    missed = any(t.get("pass") is False for t in report["targets"].values())
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
