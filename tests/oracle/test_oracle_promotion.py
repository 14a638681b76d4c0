"""Type promotion: the result dtype of every binary op for every pair of operands.

Operands are dimensioned tensors, 0-dim tensors and python scalars of every dtype;
the table is exhaustive, so each test collects all mismatches and reports them at once.
"""

import itertools

import numpy as np
import pytest
import torch
from _oracle import ALL_DTYPES, NUMPY, dtype_name, exception_kind, quiet

import ember

OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
    "**": lambda a, b: a**b,
    "==": lambda a, b: a == b,
    "<": lambda a, b: a < b,
}

SCALARS = {"int": 2, "float": 2.5, "bool": True}


def operand(kind: str, module):
    """A tensor (``"float32"``), a 0-dim tensor (``"0d:float32"``) or a scalar (``"py:int"``)."""
    if kind.startswith("py:"):
        return SCALARS[kind[3:]]
    zero_dim = kind.startswith("0d:")
    name = kind[3:] if zero_dim else kind
    values = np.array(1 if zero_dim else [1, 2]).astype(NUMPY[name])
    if name == "bool":
        values = np.ones_like(values, dtype=bool)
    return module.tensor(values)


def outcome(fn):
    """What ``fn()`` gives: the result dtype's name, or the kind of error it raised."""
    try:
        result = quiet(fn)
        return dtype_name(result.dtype)
    except Exception as exc:
        return f"raises {exception_kind(type(exc)).__name__}"


TENSORS = list(ALL_DTYPES) + [f"0d:{d}" for d in ALL_DTYPES]
KINDS = TENSORS + [f"py:{s}" for s in SCALARS]
PAIRS = [
    (a, b)
    for a, b in itertools.product(KINDS, KINDS)
    if not (a.startswith("py:") and b.startswith("py:"))
]


@pytest.mark.parametrize("op", list(OPS))
def test_result_dtype_of_operators(op):
    fn = OPS[op]
    bad = []
    for a, b in PAIRS:
        want = outcome(lambda a=a, b=b: fn(operand(a, torch), operand(b, torch)))
        got = outcome(lambda a=a, b=b: fn(operand(a, ember), operand(b, ember)))
        if got != want:
            bad.append(f"{a} {op} {b}: ember {got}, torch {want}")
    assert not bad, f"{len(bad)} of {len(PAIRS)} pairs differ:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq"])
def test_result_dtype_of_functions(name):
    bad = []
    for a, b in PAIRS:
        if a.startswith("py:"):
            continue  # the functions take the tensor first
        want = outcome(lambda a=a, b=b: getattr(torch, name)(operand(a, torch), operand(b, torch)))
        got = outcome(lambda a=a, b=b: getattr(ember, name)(operand(a, ember), operand(b, ember)))
        if got != want:
            bad.append(f"{name}({a}, {b}): ember {got}, torch {want}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_result_dtype_of_div_rounding_modes(mode):
    bad = []
    for a, b in PAIRS:
        if a.startswith("py:"):
            continue
        want = outcome(
            lambda a=a, b=b: torch.div(operand(a, torch), operand(b, torch), rounding_mode=mode)
        )
        got = outcome(
            lambda a=a, b=b: ember.div(operand(a, ember), operand(b, ember), rounding_mode=mode)
        )
        if got != want:
            bad.append(f"div({a}, {b}, {mode}): ember {got}, torch {want}")
    assert not bad, "\n".join(bad)


def test_result_dtype_of_where():
    bad = []
    for a, b in PAIRS:
        tc, ec = torch.tensor([True, False]), ember.tensor([True, False])
        want = outcome(
            lambda a=a, b=b, tc=tc: torch.where(tc, operand(a, torch), operand(b, torch))
        )
        got = outcome(lambda a=a, b=b, ec=ec: ember.where(ec, operand(a, ember), operand(b, ember)))
        if got != want:
            bad.append(f"where(c, {a}, {b}): ember {got}, torch {want}")
    assert not bad, "\n".join(bad)


def test_promote_types_table():
    bad = []
    for a, b in itertools.product(ALL_DTYPES, ALL_DTYPES):
        want = dtype_name(torch.promote_types(getattr(torch, a), getattr(torch, b)))
        got = dtype_name(ember.promote_types(getattr(ember, a), getattr(ember, b)))
        if got != want:
            bad.append(f"promote_types({a}, {b}): ember {got}, torch {want}")
    assert not bad, "\n".join(bad)


def test_result_type_table():
    bad = []
    for a, b in PAIRS:
        if a.startswith("py:"):
            continue
        want = outcome(
            lambda a=a, b=b: torch.zeros(
                0, dtype=torch.result_type(operand(a, torch), operand(b, torch))
            )
        )
        got = outcome(
            lambda a=a, b=b: ember.zeros(
                0, dtype=ember.result_type(operand(a, ember), operand(b, ember))
            )
        )
        if got != want:
            bad.append(f"result_type({a}, {b}): ember {got}, torch {want}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("kind", TENSORS)
@pytest.mark.parametrize("op", ["neg", "abs", "exp", "sqrt", "sigmoid", "relu", "sign", "tanh"])
def test_result_dtype_of_unary(op, kind):
    want = outcome(lambda: getattr(torch, op)(operand(kind, torch)))
    got = outcome(lambda: getattr(ember, op)(operand(kind, ember)))
    assert got == want, f"{op}({kind}): ember {got}, torch {want}"
