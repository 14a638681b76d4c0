"""Stage 07 · fan_gain: ``nn.init.calculate_gain`` and the fan computation behind every init.

Oracle: hand-derived values. A weight of shape ``(out, in, *kernel)`` has
fan_in = in · prod(kernel) and fan_out = out · prod(kernel) (a ``Linear`` weight is
``(out_features, in_features)``); the gains are PyTorch's table: 1 for linear, conv and
sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu, 3/4 for selu.
"""

import math

import pytest

import ember
from ember.nn import init


@pytest.mark.parametrize("name", ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                  "conv_transpose2d", "conv_transpose3d", "sigmoid"])
def test_gain_is_one_for_linear_like_functions(name):
    assert init.calculate_gain(name) == 1, f"calculate_gain({name!r}) must be 1"


@pytest.mark.parametrize("name, want", [("tanh", 5.0 / 3), ("relu", math.sqrt(2.0)),
                                        ("selu", 0.75)])
def test_gain_of_tanh_relu_selu(name, want):
    got = init.calculate_gain(name)
    assert got == pytest.approx(want, rel=1e-12), f"calculate_gain({name!r}) = {got}, want {want}"


@pytest.mark.parametrize("slope", [None, 0.2, 1, 0.0, 3.5])
def test_gain_of_leaky_relu(slope):
    want = math.sqrt(2.0 / (1 + (0.01 if slope is None else slope) ** 2))
    got = init.calculate_gain("leaky_relu", slope)
    assert got == pytest.approx(want, rel=1e-12), (
        f"calculate_gain('leaky_relu', {slope}) = {got}, want sqrt(2 / (1 + slope**2)) = "
        f"{want} (the default negative slope is 0.01)")


def test_gain_errors():
    with pytest.raises(ValueError, match="^Unsupported nonlinearity tanhh$"):
        init.calculate_gain("tanhh")
    for bad in (True, "0.2"):
        with pytest.raises(ValueError, match=f"^negative_slope {bad} not a valid number$"):
            init.calculate_gain("leaky_relu", bad)  # a bool is not a slope, nor is a string


@pytest.mark.parametrize("shape, fans", [
    ((3, 5), (5, 3)),                     # Linear(5, 3).weight
    ((16, 3, 5, 5), (75, 400)),           # Conv2d(3, 16, 5).weight
    ((8, 4, 3), (12, 24)),                # Conv1d(4, 8, 3).weight
    ((2, 3, 1, 1), (3, 2)),               # 1x1 convolution
    ((4, 2, 3, 3, 3), (54, 108)),         # Conv3d(2, 4, 3).weight
])
def test_fan_in_and_fan_out(shape, fans):
    got = init._calculate_fan_in_and_fan_out(ember.empty(*shape))
    assert tuple(got) == fans, (
        f"fans of a weight of shape {shape}: got {got}, want {fans} (fan_in = size(1) times "
        "the receptive field, fan_out = size(0) times the receptive field)")


def test_fan_needs_two_dimensions():
    message = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
    for t in (ember.empty(5), ember.tensor(1.0)):
        with pytest.raises(ValueError, match=message):
            init._calculate_fan_in_and_fan_out(t)


def test_correct_fan_modes():
    w = ember.empty(16, 3, 5, 5)
    assert init._calculate_correct_fan(w, "fan_in") == 75, "mode 'fan_in' gives fan_in"
    assert init._calculate_correct_fan(w, "fan_out") == 400, "mode 'fan_out' gives fan_out"
    assert init._calculate_correct_fan(w, "FAN_OUT") == 400, "the mode is case-insensitive"
    with pytest.raises(ValueError, match=r"^Mode fan_avg not supported, please use one of "
                                         r"\['fan_in', 'fan_out'\]$"):
        init._calculate_correct_fan(w, "fan_avg")
