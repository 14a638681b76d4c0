"""Stage 01 · repr: tensors print exactly as PyTorch prints them (with ``ember``).

Oracle: PyTorch's printing rules, written out by hand: 4 digits after the point,
integer-valued floats print as ``1.``, scientific notation when the values span a
large range, columns right-aligned, a ``dtype=`` suffix unless the dtype is a default
one (float32, int64, bool).
"""

import ember


def check_repr(t, expected):
    got = repr(t)
    assert got == expected, f"repr is\n{got}\nbut PyTorch prints\n{expected}"


def test_float_matrix():
    check_repr(ember.tensor([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])")


def test_integer_vector():
    check_repr(ember.tensor([1, 2, 3]), "tensor([1, 2, 3])")


def test_non_integer_floats_use_four_decimals():
    check_repr(ember.tensor([1.23456, 2.0]), "tensor([1.2346, 2.0000])")
    check_repr(ember.tensor([0.1, 0.25]), "tensor([0.1000, 0.2500])")


def test_zero_dimensional():
    check_repr(ember.tensor(3.5), "tensor(3.5000)")
    check_repr(ember.tensor(3), "tensor(3)")
    check_repr(ember.tensor(True), "tensor(True)")


def test_dtype_suffix_when_not_default():
    check_repr(ember.tensor([1.0, 2.0], dtype=ember.float64),
               "tensor([1., 2.], dtype=ember.float64)")
    check_repr(ember.tensor([1, 2], dtype=ember.int32), "tensor([1, 2], dtype=ember.int32)")
    check_repr(ember.tensor([1, 2], dtype=ember.uint8), "tensor([1, 2], dtype=ember.uint8)")
    check_repr(ember.tensor([1, 2], dtype=ember.float16), "tensor([1., 2.], dtype=ember.float16)")


def test_bool_values_are_aligned():
    check_repr(ember.tensor([True, False]), "tensor([ True, False])")


def test_columns_are_right_aligned():
    check_repr(ember.tensor([-1.0, 2.0]), "tensor([-1.,  2.])")
    check_repr(ember.tensor([100.0, 2.5]), "tensor([100.0000,   2.5000])")
    check_repr(ember.tensor([[-1, 10], [100, 2]]), "tensor([[ -1,  10],\n        [100,   2]])")


def test_scientific_notation():
    check_repr(ember.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])")
    check_repr(ember.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])")


def test_nan_and_inf():
    check_repr(ember.tensor([float("nan"), float("inf"), 1.0]), "tensor([nan, inf, 1.])")


def test_requires_grad_suffix():
    check_repr(ember.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)")


def test_empty_tensors():
    check_repr(ember.tensor([]), "tensor([])")
    check_repr(ember.zeros(2, 0), "tensor([], size=(2, 0))")


def test_three_dimensional_tensor():
    check_repr(
        ember.zeros(2, 2, 2),
        "tensor([[[0., 0.],\n         [0., 0.]],\n\n        [[0., 0.],\n         [0., 0.]]])",
    )


def test_long_tensors_are_summarised():
    check_repr(ember.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])")


def test_str_is_repr_and_size_dtype_device_reprs():
    t = ember.tensor([1.0, 2.0])
    assert str(t) == "tensor([1., 2.])"
    assert repr(t.shape) == "ember.Size([2])"
    assert repr(ember.zeros(10, 5).shape) == "ember.Size([10, 5])"
    assert repr(t.dtype) == "ember.float32"
    assert repr(t.device) == "device(type='cpu')"
