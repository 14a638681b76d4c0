"""Planted bugs for stage 07 (initialisation): typical student mistakes the suites must catch.

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``;
CI plants it in a copy of the reference and expects at least one graded test to fail.
"""

from __future__ import annotations

from autograder.mutants import Mutant
from autograder.mutants.classes import for_stage as _class_mutants

_INIT = "ember/nn/init.py"
_RANDOM = "ember/ops/random_inplace.py"

MUTANTS = (
    Mutant(
        name="fan_in_and_fan_out_swapped",
        stage="07",
        path=_INIT,
        old="    return fan_in, fan_out\n",
        new="    return fan_out, fan_in\n",
        why="fan_in read from size(0): a Linear weight is (out_features, in_features), "
            "so the inputs are dimension 1",
    ),
    Mutant(
        name="receptive_field_ignored",
        stage="07",
        path=_INIT,
        old="    receptive_field_size = math.prod(tensor.shape[2:])\n",
        new="    receptive_field_size = 1\n",
        why="the fans of a convolution weight count channels only, not channels times "
            "kernel size",
    ),
    Mutant(
        name="fan_mode_ignored",
        stage="07",
        path=_INIT,
        old='    return fan_in if mode == "fan_in" else fan_out\n',
        new="    return fan_in\n",
        why="mode='fan_out' silently uses fan_in",
    ),
    Mutant(
        name="leaky_relu_default_slope_zero",
        stage="07",
        path=_INIT,
        old="            negative_slope = 0.01\n",
        new="            negative_slope = 0.0\n",
        why="calculate_gain('leaky_relu') assumes slope 0 instead of PyTorch's default 0.01",
    ),
    Mutant(
        name="xavier_std_used_as_bound",
        stage="07",
        path=_INIT,
        old="    a = math.sqrt(3.0) * std\n",
        new="    a = std\n",
        why="U(-a, a) has std a/sqrt(3): using the std as the bound shrinks the weights "
            "by sqrt(3)",
    ),
    Mutant(
        name="kaiming_gain_ignores_negative_slope",
        stage="07",
        path=_INIT,
        old="    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)\n    bound",
        new="    std = calculate_gain(nonlinearity) / math.sqrt(fan)\n    bound",
        why="kaiming_uniform_ forgets to pass the slope `a` to calculate_gain (Linear's "
            "default init, a=sqrt(5), then comes out sqrt(3) times too wide)",
    ),
    Mutant(
        name="orthogonal_without_sign_correction",
        stage="07",
        path=_INIT,
        old="    q = q * xp.sign(xp.diagonal(r))\n",
        new="",
        why="Q from QR is not uniformly distributed over orthogonal matrices unless its "
            "columns are multiplied by the signs of R's diagonal",
    ),
    Mutant(
        name="trunc_normal_clips_instead_of_redrawing",
        stage="07",
        path=_INIT,
        old="        while outside.any():\n",
        new="        while False:\n",
        why="values outside [a, b] are clipped to the bounds, piling mass on them, instead "
            "of being redrawn",
    ),
    Mutant(
        name="dirac_at_kernel_corner",
        stage="07",
        path=_INIT,
        old="    centre = tuple(size // 2 for size in tensor.shape[2:])\n",
        new="    centre = tuple(0 for size in tensor.shape[2:])\n",
        why="the Dirac delta sits in the kernel's corner, so the convolution shifts its input",
    ),
    Mutant(
        name="init_without_no_grad",
        stage="07",
        path=_INIT,
        old="    with no_grad():\n        return tensor.fill_(val)\n",
        new="    return tensor.fill_(val)\n",
        why="constant_ modifies a parameter outside no_grad: PyTorch refuses in-place changes "
            "to a leaf that requires grad",
    ),
    Mutant(
        name="normal_ignores_std",
        stage="07",
        path=_RANDOM,
        old="        return xp.asarray(z * std + mean).astype(a.dtype, copy=False)\n",
        new="        return xp.asarray(z + mean).astype(a.dtype, copy=False)\n",
        why="Tensor.normal_ shifts the standard normal but forgets to scale it by std",
    ),
    Mutant(
        name="uniform_ignores_lower_bound",
        stage="07",
        path=_RANDOM,
        old="        return xp.asarray(low + (high - low) * u).astype(a.dtype, copy=False)\n",
        new="        return xp.asarray(high * u).astype(a.dtype, copy=False)\n",
        why="Tensor.uniform_(a, b) draws from [0, b) instead of [a, b)",
    ),
)

# The mutants that only a class of test added for issue 10 catches.
MUTANTS = (*MUTANTS, *_class_mutants("07"))
