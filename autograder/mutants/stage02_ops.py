"""Planted bugs in the backward formulas of the ops (stage 02, autograd).

Each mutant is one typical student mistake in a ``backward`` of ``solutions/ember/ops``;
its ``old`` text occurs exactly once in that file. ``stage02.py`` gathers these with the
engine's mutants into ``MUTANTS``.
"""

from __future__ import annotations

from autograder.mutants import Mutant

OPS_MUTANTS = (
    Mutant(
        name="matmul_grad_not_transposed",
        stage="02",
        path="ember/ops/linalg.py",
        old="grad_a = xp.matmul(grad, xp.swapaxes(cols, -1, -2))",
        new="grad_a = xp.matmul(grad, cols)",
        why="the gradient of a in a @ b written grad @ b instead of grad @ b.T",
    ),
    Mutant(
        name="sum_backward_ones",
        stage="02",
        path="ember/ops/reduction.py",
        old="return expand_reduced(grad, shape, axes, keepdim), None, None, None",
        new="return (expand_reduced(get_array_module(grad).ones_like(grad), shape, axes, "
            "keepdim), None, None, None)",
        why="sum's backward returns ones instead of the upstream gradient broadcast back",
    ),
    Mutant(
        name="mean_backward_not_divided",
        stage="02",
        path="ember/ops/reduction.py",
        old="return expand_reduced(grad / count, shape, axes, keepdim), None, None",
        new="return expand_reduced(grad, shape, axes, keepdim), None, None",
        why="mean's backward forgets the 1/n: it is sum's backward",
    ),
    Mutant(
        name="max_dim_grad_to_all",
        stage="02",
        path="ember/ops/extrema.py",
        old="        xp.put_along_axis(result, indices, grad, axis)\n",
        new="        result = result + grad\n",
        why="max(dim)'s gradient goes to every element of the slice, not only the maximum",
    ),
    Mutant(
        name="pow_exponent_grad_without_log",
        stage="02",
        path="ember/ops/elementwise.py",
        old="xp.power(a, b) * xp.log(a)",
        new="xp.power(a, b)",
        why="d(a**b)/db written a**b, forgetting the factor ln a",
    ),
    Mutant(
        name="sigmoid_grad_is_s",
        stage="02",
        path="ember/ops/unary.py",
        old="return grad * out * (1 - out)",
        new="return grad * out",
        why="the sigmoid's derivative written σ instead of σ(1 - σ)",
    ),
    Mutant(
        name="getitem_repeated_indices_overwrite",
        stage="02",
        path="ember/ops/indexing.py",
        old="xp.add.at(result, key, grad)",
        new="result[key] = grad",
        why="indexing's backward assigns instead of accumulating: t[[0, 0]] gives 1, not 2",
    ),
    Mutant(
        name="cat_backward_wrong_offsets",
        stage="02",
        path="ember/ops/join.py",
        old="for size in sizes[:-1]:",
        new="for size in sizes[1:]:",
        why="cat's backward cuts the gradient at the sizes of the following pieces",
    ),
    Mutant(
        name="var_grad_missing_factor_two",
        stage="02",
        path="ember/ops/reduction.py",
        old="grad_a = 2 * grad * (a - mean)",
        new="grad_a = grad * (a - mean)",
        why="the derivative of (a - mean)² written (a - mean), forgetting the 2",
    ),
    Mutant(
        name="permute_backward_same_dims",
        stage="02",
        path="ember/ops/shape.py",
        old="return grad.transpose(inverse), None",
        new="return grad.transpose(dims), None",
        why="permute's backward applies the permutation again instead of its inverse",
    ),
    Mutant(
        name="div_grad_wrong_sign",
        stage="02",
        path="ember/ops/division.py",
        old="grad_b = -grad * a / (b * b) if needs_b else None",
        new="grad_b = grad * a / (b * b) if needs_b else None",
        why="d(a/b)/db written a/b² instead of -a/b²",
    ),
)
