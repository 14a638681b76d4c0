"""Planted bugs for stage 04 (activations, batch normalisation, losses).

Each mutant replaces text that occurs exactly once in one file of ``solutions/ember``; the
stage-04 suites (``test_activations``, ``test_normalization``, ``test_losses`` and the hidden
``test_functional_hidden``) must catch every one.
"""

from __future__ import annotations

from autograder.mutants import Mutant

_ACT = "ember/nn/_functional/activation.py"
_NORM = "ember/nn/_functional/normalization.py"
_LOSS = "ember/nn/_functional/loss.py"

FUNCTIONAL_MUTANTS = (
    Mutant(
        name="cross_entropy_without_logsumexp_shift",
        stage="04",
        path=_ACT,
        old="    shifted = a - amax_keepdims(a, axis)\n",
        new="    shifted = a\n",
        why="log-softmax (and so cross-entropy) computed as x - log Σ e^x without "
            "subtracting the max first: e^1000 overflows to inf",
    ),
    Mutant(
        name="softmax_backward_without_the_sum_term",
        stage="04",
        path=_ACT,
        old="        return out * (grad - sum_keepdims(grad * out, ctx.axis)), None\n",
        new="        return out * grad, None\n",
        why="softmax differentiated elementwise (y·g) as if each output depended on its own "
            "input only",
    ),
    Mutant(
        name="leaky_relu_slope_on_positives",
        stage="04",
        path=_ACT,
        old="        return get_array_module(a).where(a > 0, a, a * slope)\n",
        new="        return get_array_module(a).where(a > 0, a * slope, a)\n",
        why="the negative slope applied to the positive side instead of the negative one",
    ),
    Mutant(
        name="batch_norm_running_var_biased",
        stage="04",
        path=_NORM,
        old="            _update_running(running_var, var * count / max(count - 1, 1), momentum)\n",
        new="            _update_running(running_var, var, momentum)\n",
        why="running_var updated with the biased batch variance (PyTorch uses the unbiased "
            "one, divided by n - 1)",
    ),
    Mutant(
        name="batch_norm_eval_uses_batch_statistics",
        stage="04",
        path=_NORM,
        old="    if training or running_mean is None or running_var is None:\n",
        new="    if True:\n",
        why="evaluation mode still normalises with the batch's statistics instead of the "
            "running ones",
    ),
    Mutant(
        name="batch_norm_backward_ignores_the_statistics",
        stage="04",
        path=_NORM,
        old="        if ctx.batch_stats:  # μ and σ² depend on x: two extra terms\n",
        new="        if False:\n",
        why="the backward treats the batch mean and variance as constants (drops the "
            "gradient through the statistics)",
    ),
    Mutant(
        name="ignored_targets_counted_in_the_mean",
        stage="04",
        path=_LOSS,
        old="    total = w.sum()\n    if total == 0:\n",
        new="    total = w.size\n    if total == 0:\n",
        why="the mean divides by the number of samples, counting ignored targets and "
            "ignoring the class weights",
    ),
    Mutant(
        name="label_smoothing_ignored",
        stage="04",
        path=_LOSS,
        old="    if label_smoothing <= 0.0:  # the common case, fused into one op\n",
        new="    if True:\n",
        why="label_smoothing accepted but never applied",
    ),
    Mutant(
        name="bce_with_logits_unstable",
        stage="04",
        path=_LOSS,
        old="        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)\n",
        new="        softplus_neg = xp.log1p(xp.exp(-x))\n",
        why="log(1 + e^-x) computed directly: e^-x overflows for very negative logits",
    ),
)
