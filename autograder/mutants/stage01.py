"""Planted bugs for stage 01 (tensors): typical student mistakes the suites must catch.

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``;
CI plants it in a copy of the reference and expects at least one graded test to fail.
"""

from __future__ import annotations

from autograder.mutants import Mutant
from autograder.mutants.classes import for_stage as _class_mutants

MUTANTS = (
    Mutant(
        name="from_numpy_copies",
        stage="01",
        path="ember/_creation.py",
        old="    return _make(ndarray)\n",
        new="    return _make(ndarray.copy())\n",
        why="from_numpy copies the array instead of sharing its memory",
    ),
    Mutant(
        name="numpy_returns_copy",
        stage="01",
        path="ember/_tensor.py",
        old="        return self._data\n        ### END SOLUTION",
        new="        return self._data.copy()\n        ### END SOLUTION",
        why="Tensor.numpy() returns a copy, so writes no longer reach the tensor",
    ),
    Mutant(
        name="int_division_leaks_float64",
        stage="01",
        path="ember/ops/division.py",
        old="    if rounding_mode is None and not (_is_floating(input) or _is_floating(other)):",
        new="    if False:",
        why="true division of integer tensors gives NumPy's float64 instead of float32",
    ),
    Mutant(
        name="unary_math_leaks_float64",
        stage="01",
        path="ember/ops/_dispatch.py",
        old='    if input._data.dtype.kind == "f":\n        return input\n'
            "    return input.to(get_default_dtype())",
        new="    return input",
        why="exp/log/sqrt/... of integer tensors give float64 instead of float32",
    ),
    Mutant(
        name="broadcast_aligns_left",
        stage="01",
        path="ember/ops/broadcast.py",
        old="    a = (1,) * (ndim - len(a)) + tuple(a)\n    b = (1,) * (ndim - len(b)) + tuple(b)",
        new="    a = tuple(a) + (1,) * (ndim - len(a))\n    b = tuple(b) + (1,) * (ndim - len(b))",
        why="shapes are lined up from the left instead of from the right",
    ),
    Mutant(
        name="broadcast_ignores_size_one",
        stage="01",
        path="ember/ops/broadcast.py",
        old="        if size_a != size_b and size_a != 1 and size_b != 1:",
        new="        if size_a != size_b:",
        why="a size-1 dimension is not stretched: only equal sizes broadcast",
    ),
    Mutant(
        name="matmul_1d_keeps_prepended_dim",
        stage="01",
        path="ember/ops/linalg.py",
        old="            out = out[..., 0, :]  # remove the prepended dimension",
        new="            pass",
        why="1-D @ 2-D keeps the prepended size-1 dimension: (k,) @ (k, m) gives (1, m)",
    ),
    Mutant(
        name="matmul_1d_left_as_column",
        stage="01",
        path="ember/ops/linalg.py",
        old="        rows = a[None, :] if a.ndim == 1 else a  # 1-D on the left: a row vector",
        new="        rows = a[:, None] if a.ndim == 1 else a  # 1-D on the left: a row vector",
        why="a 1-D left operand is treated as a column instead of a row vector",
    ),
    Mutant(
        name="view_copies",
        stage="01",
        path="ember/ops/shape.py",
        old="            return a.reshape(shape, copy=False)",
        new="            return a.reshape(shape).copy()",
        why="view copies (never raises, never shares memory) instead of re-reading the memory",
    ),
    Mutant(
        name="sum_drops_keepdim",
        stage="01",
        path="ember/ops/reduction.py",
        old="        return a.sum(axis=axes, keepdims=keepdim, dtype=dt)",
        new="        return a.sum(axis=axes, dtype=dt)",
        why="sum ignores keepdim=True, so the result no longer broadcasts against the input",
    ),
    Mutant(
        name="max_dim_wrong_indices",
        stage="01",
        path="ember/ops/extrema.py",
        old="a.max(axis, keepdims=keepdim), a.argmax(axis, keepdims=keepdim)",
        new="a.max(axis, keepdims=keepdim), a.argmin(axis, keepdims=keepdim)",
        why="max(dim) returns the right values but the indices of the minimum",
    ),
    Mutant(
        name="promotion_ignores_priority",
        stage="01",
        path="ember/_promotion.py",
        old="    merged = _combine(groups[_ZERO_DIM], groups[_SCALAR])\n"
            "    result = _combine(groups[_DIMENSIONED], merged)",
        new="    present = [g for g in groups if g is not None]\n"
            "    result = present[0]\n"
            "    for group in present[1:]:\n"
            "        result = promote_types(result, group)",
        why="zero-dim tensors and Python scalars promote like dimensioned tensors "
            "(float32 tensor + float64 zero-dim tensor gives float64)",
    ),
    Mutant(
        name="mean_accepts_integers",
        stage="01",
        path="ember/ops/reduction.py",
        old='    if input._data.dtype.kind != "f":\n        raise RuntimeError(\n'
            '            "mean(): could not infer output dtype.',
        new='    if False:\n        raise RuntimeError(\n'
            '            "mean(): could not infer output dtype.',
        why="mean of an integer tensor silently returns float64 instead of raising",
    ),
    Mutant(
        name="squeeze_drops_non_singleton",
        stage="01",
        path="ember/ops/shape.py",
        old="    drop = {d for d in dims if shape[d] == 1}",
        new="    drop = set(dims)",
        why="squeeze(dim) removes the dimension even when its size is not 1",
    ),
    Mutant(
        name="repr_sci_mode_ratio_ignored",
        stage="01",
        path="ember/_tensor_str.py",
        old="largest / smallest > 1000.0 or ",
        new="",
        why="repr switches to scientific notation only for huge or tiny values, not for a "
            "wide range (tensor([1e-3, 10.]) prints in fixed mode)",
    ),
)

# The mutants that only a class of test added for issue 10 catches.
MUTANTS = (*MUTANTS, *_class_mutants("01"))
