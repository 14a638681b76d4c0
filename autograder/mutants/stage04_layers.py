"""Planted bugs for stage 04's layers (Linear, Conv2d, pooling, Embedding, Dropout).

Each models a mistake students make when they write these layers from scratch; the
``linear_conv`` and ``pooling`` suites (public and hidden) must catch every one.
"""

from __future__ import annotations

from autograder.mutants import Mutant

_LINEAR = "ember/nn/_functional/linear.py"
_CONV = "ember/nn/_functional/conv.py"
_POOL = "ember/nn/_functional/pooling.py"

LAYERS_MUTANTS = (
    Mutant(
        name="conv_flipped_kernel",
        stage="04",
        path=_CONV,
        old="        out = (w.reshape(groups, out_ch // groups, -1) @ cols)",
        new="        out = (w[:, :, ::-1, ::-1].reshape(groups, out_ch // groups, -1) @ cols)",
        why="a textbook convolution (kernel flipped) instead of the cross-correlation that "
            "every deep-learning library calls convolution",
    ),
    Mutant(
        name="conv_backward_ignores_stride",
        stage="04",
        path=_CONV,
        old="strides=(s_n, s_c, stride[0] * wp * step, step))",
        new="strides=(s_n, s_c, wp * step, step))",
        why="col2im adds the rows of a strided convolution back as if the stride were 1",
    ),
    Mutant(
        name="conv_same_padding_on_the_wrong_side",
        stage="04",
        path=_CONV,
        old="return (total[0] // 2, total[0] - total[0] // 2, total[1] // 2, "
            "total[1] - total[1] // 2)",
        new="return (total[0] - total[0] // 2, total[0] // 2, total[1] - total[1] // 2, "
            "total[1] // 2)",
        why="padding='same' with an even kernel puts the extra row/column before the input "
            "(PyTorch puts it after)",
    ),
    Mutant(
        name="linear_weight_not_transposed",
        stage="04",
        path=_LINEAR,
        old="        out = x @ w.T\n",
        new="        out = x @ w.reshape(w.shape[1], w.shape[0])\n",
        why="the weight (out, in) reshaped instead of transposed: the shapes fit, the values "
            "are scrambled",
    ),
    Mutant(
        name="linear_init_uses_fan_out",
        stage="04",
        path="ember/nn/modules/linear.py",
        old="bound = 1 / math.sqrt(self.in_features)",
        new="bound = 1 / math.sqrt(self.out_features)",
        why="the default bound 1/sqrt(fan_in) computed from the number of outputs",
    ),
    Mutant(
        name="max_pool_gradient_spread_over_the_window",
        stage="04",
        path=_POOL,
        old="routed[:, :, k // kernel[1], k % kernel[1]] = grad * (arg == k)",
        new="routed[:, :, k // kernel[1], k % kernel[1]] = grad / (kernel[0] * kernel[1])",
        why="max pooling's backward treated like average pooling's",
    ),
    Mutant(
        name="max_pool_ties_to_the_last_maximum",
        stage="04",
        path=_POOL,
        old="            better = candidate > out\n",
        new="            better = candidate >= out\n",
        why="ties send the gradient to the last maximum of the window (PyTorch: the first)",
    ),
    Mutant(
        name="adaptive_pool_end_rounded_down",
        stage="04",
        path=_POOL,
        old="return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]",
        new="return [(i * size // out, (i + 1) * size // out) for i in range(out)]",
        why="adaptive windows end at floor((i+1)·H/OH) instead of the ceiling: uneven sizes "
            "lose a row",
    ),
    Mutant(
        name="embedding_repeated_indices_overwrite",
        stage="04",
        path="ember/nn/_functional/sparse.py",
        old="        xp.add.at(grad_weight, flat, rows)\n",
        new="        grad_weight[flat] = rows\n",
        why="an index used twice keeps only one of its gradients (fancy assignment does not "
            "accumulate)",
    ),
    Mutant(
        name="dropout_without_rescaling",
        stage="04",
        path="ember/nn/_functional/dropout.py",
        old="    scale = 0.0 if p == 1 else 1 / (1 - p)\n",
        new="    scale = 0.0 if p == 1 else 1.0\n",
        why="dropout without the 1/(1-p) scaling: activations shrink in training",
    ),
)
