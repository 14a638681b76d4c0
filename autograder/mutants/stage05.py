"""Planted bugs for stage 05 (custom Functions, gradcheck, XNOR-Net): the suites must catch each.

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``;
CI plants it in a copy of the reference and expects at least one graded test to fail.
"""

from __future__ import annotations

from autograder.mutants import Mutant
from autograder.mutants.classes import for_stage as _class_mutants

_FUNCTION = "ember/autograd/custom_function.py"
_GRADCHECK = "ember/autograd/gradcheck.py"
_BINARY = "ember/nn/binary.py"

MUTANTS = (
    Mutant(
        name="ste_not_clipped",
        stage="05",
        path=_BINARY,
        old="        grad_input[input.abs() >= 1] = 0\n",
        new="",
        why="the straight-through estimator passes the gradient everywhere instead of only "
            "where |x| < 1",
    ),
    Mutant(
        name="ste_clip_inclusive",
        stage="05",
        path=_BINARY,
        old="        grad_input[input.abs() >= 1] = 0\n",
        new="        grad_input[input.abs() > 1] = 0\n",
        why="the gradient also passes at exactly |x| = 1 (the STE is hardtanh's gradient, "
            "zero at ±1)",
    ),
    Mutant(
        name="alpha_wrong_axis",
        stage="05",
        path=_BINARY,
        old="    dims = tuple(range(1, weight.dim()))\n",
        new="    dims = tuple(range(0, weight.dim() - 1))\n",
        why="alpha averaged over the output channels instead of within each one",
    ),
    Mutant(
        name="alpha_detached",
        stage="05",
        path=_BINARY,
        old="    alpha = weight.abs().mean(dim=dims, keepdim=True) if dims else weight.abs()\n",
        new="    alpha = weight.abs().mean(dim=dims, keepdim=True).detach() if dims "
            "else weight.abs()\n",
        why="no gradient flows through the scaling factor alpha = mean |W|",
    ),
    Mutant(
        name="gradcheck_one_sided",
        stage="05",
        path=_GRADCHECK,
        old="            flat[k] = value - eps\n            minus = _outputs_data(func, inputs)\n"
            "            flat[k] = value\n            rows.append([((p - m) / (2 * eps))",
        new="            flat[k] = value\n            minus = _outputs_data(func, inputs)\n"
            "            rows.append([((p - m) / eps)",
        why="a one-sided (forward) difference, first-order accurate, instead of the central "
            "difference",
    ),
    Mutant(
        name="gradcheck_no_rtol",
        stage="05",
        path=_GRADCHECK,
        old="    excess = xp.abs(analytical - numerical) - (atol + rtol * xp.abs(numerical))\n",
        new="    excess = xp.abs(analytical - numerical) - atol\n",
        why="the comparison ignores rtol: large gradients fail on rounding error",
    ),
    Mutant(
        name="mark_non_differentiable_ignored",
        stage="05",
        path=_FUNCTION,
        old="        value._requires_grad = False\n        value.grad_fn = None\n"
            "        return value\n",
        new="        pass\n",
        why="outputs marked non-differentiable still require grad",
    ),
    Mutant(
        name="materialize_grads_ignored",
        stage="05",
        path=_FUNCTION,
        old="            if ctx.materialize_grads:\n",
        new="            if True:\n",
        why="set_materialize_grads(False) has no effect: backward gets zeros, never None",
    ),
    Mutant(
        name="outputs_share_output_nr",
        stage="05",
        path=_FUNCTION,
        old="    wrapped = tuple(_attach(ctx, args, value, nr) for nr, value in "
            "enumerate(outputs))\n",
        new="    wrapped = tuple(_attach(ctx, args, value, 0) for nr, value in "
            "enumerate(outputs))\n",
        why="every output of a multi-output Function is output 0 of its node: their "
            "gradients get mixed up",
    ),
    Mutant(
        name="grad_output_not_copied",
        stage="05",
        path=_FUNCTION,
        old="        tensors.append(Tensor._make(grad.copy()))\n",
        new="        tensors.append(Tensor._make(grad))\n",
        why="backward gets the engine's gradient array itself: editing grad_output in place "
            "corrupts the gradient of other inputs",
    ),
    Mutant(
        name="once_differentiable_without_wraps",
        stage="05",
        path=_FUNCTION,
        old="    @functools.wraps(fn)\n",
        new="",
        why="the decorated backward loses its name and docstring",
    ),
)

# The mutants that only a class of test added for issue 10 catches.
MUTANTS = (*MUTANTS, *_class_mutants("05"))
