"""Hidden · stage 01: more of PyTorch's printing rules (sci mode, alignment, summaries).

Oracle: PyTorch's printing, written out by hand for each case below (``torch`` replaced by
``ember``): sci mode when the largest/smallest nonzero magnitude ratio exceeds 1000 or
values exceed 1e8 (or are below 1e-4), width set by the widest entry, summaries (first and
last three per dimension) above 1000 elements, ``size=`` for empty tensors of rank > 1.
"""

import pytest

import ember

CASES = [
    ('ember.tensor([-1e-5, 1.0])',
     'tensor([-1.0000e-05,  1.0000e+00])'),
    ('ember.tensor([float("nan"), 1.5])',
     'tensor([   nan, 1.5000])'),
    ('ember.tensor([[1.5, 2.0]], dtype=ember.float64, requires_grad=True)',
     'tensor([[1.5000, 2.0000]], dtype=ember.float64, requires_grad=True)'),
    ('ember.tensor(1.5, dtype=ember.float64)',
     'tensor(1.5000, dtype=ember.float64)'),
    ('ember.tensor(2.0, requires_grad=True)',
     'tensor(2., requires_grad=True)'),
    ('ember.tensor(-3)',
     'tensor(-3)'),
    ('ember.zeros(0, 3, dtype=ember.float64)',
     'tensor([], size=(0, 3), dtype=ember.float64)'),
    ('ember.tensor([], dtype=ember.int64)',
     'tensor([], dtype=ember.int64)'),
    ('ember.zeros(0, dtype=ember.bool)',
     'tensor([], dtype=ember.bool)'),
    ('ember.tensor([0.5, 500.0])',
     'tensor([  0.5000, 500.0000])'),
    ('ember.tensor([0.5, 1000.0])',
     'tensor([5.0000e-01, 1.0000e+03])'),
    ('ember.tensor([], dtype=ember.int32)',
     'tensor([], dtype=ember.int32)'),
    ('ember.ones(2, 0, 3, dtype=ember.int32)',
     'tensor([], size=(2, 0, 3), dtype=ember.int32)'),
    ('ember.tensor([[True, False], [False, True]])',
     'tensor([[ True, False],\n        [False,  True]])'),
    ('ember.tensor([[1, 200], [3, 4]], dtype=ember.uint8)',
     'tensor([[  1, 200],\n        [  3,   4]], dtype=ember.uint8)'),
    ('ember.tensor([1e8, 1.0])',
     'tensor([1.0000e+08, 1.0000e+00])'),
    ('ember.tensor([123456.0, 1.0])',
     'tensor([1.2346e+05, 1.0000e+00])'),
    ('ember.tensor([1e-10, 1e-12])',
     'tensor([1.0000e-10, 1.0000e-12])'),
    ('ember.tensor([1.0, 2.0]) * 1e20',
     'tensor([1.0000e+20, 2.0000e+20])'),
    ('ember.tensor([0.001, 0.01])',
     'tensor([0.0010, 0.0100])'),
    ('ember.tensor([-0.5, 0.25, 100.0])',
     'tensor([ -0.5000,   0.2500, 100.0000])'),
    ('ember.tensor([1.0, -2.0, 3.5], dtype=ember.float16)',
     'tensor([ 1.0000, -2.0000,  3.5000], dtype=ember.float16)'),
    ('ember.tensor([-7, 12, 300])',
     'tensor([ -7,  12, 300])'),
    ('ember.tensor([float("inf"), -float("inf"), 2.0])',
     'tensor([inf, -inf, 2.])'),
    ('ember.arange(12).view(2, 3, 2)',
     'tensor([[[ 0,  1],\n'
     '         [ 2,  3],\n'
     '         [ 4,  5]],\n'
     '\n'
     '        [[ 6,  7],\n'
     '         [ 8,  9],\n'
     '         [10, 11]]])'),
    ('ember.arange(1001.0)',
     'tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])'),
    ('ember.arange(3000).view(3, 1000)',
     'tensor([[   0,    1,    2,  ...,  997,  998,  999],\n'
     '        [1000, 1001, 1002,  ..., 1997, 1998, 1999],\n'
     '        [2000, 2001, 2002,  ..., 2997, 2998, 2999]])'),
    ('ember.arange(2000.0).view(1000, 2)',
     'tensor([[0.0000e+00, 1.0000e+00],\n'
     '        [2.0000e+00, 3.0000e+00],\n'
     '        [4.0000e+00, 5.0000e+00],\n'
     '        ...,\n'
     '        [1.9940e+03, 1.9950e+03],\n'
     '        [1.9960e+03, 1.9970e+03],\n'
     '        [1.9980e+03, 1.9990e+03]])'),
    ('ember.tensor([[0.5]], dtype=ember.float64)',
     'tensor([[0.5000]], dtype=ember.float64)'),
]


@pytest.mark.parametrize("source, expected", CASES, ids=[c[0] for c in CASES])
def test_repr_matches_pytorch(source, expected):
    t = eval(source, {"ember": ember})
    got = repr(t)
    assert got == expected, f"repr({source}) is\n{got}\nbut PyTorch prints\n{expected}"
    assert str(t) == expected, "str(t) must equal repr(t)"


def test_repr_of_views_and_non_contiguous_tensors():
    t = ember.arange(6).view(2, 3)
    assert repr(t.t()) == "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])"
    assert repr(t[:, ::2]) == "tensor([[0, 2],\n        [3, 5]])"


@pytest.mark.parametrize(
    "dtype, name",
    [("float32", "ember.float32"), ("float64", "ember.float64"), ("float16", "ember.float16"),
     ("int64", "ember.int64"), ("int32", "ember.int32"), ("uint8", "ember.uint8"),
     ("bool", "ember.bool")],
)
def test_dtype_repr_of_tensors(dtype, name):
    t = ember.zeros(1, dtype=getattr(ember, dtype))
    assert repr(t.dtype) == name and str(t.dtype) == name


def test_size_and_legacy_type_strings():
    assert repr(ember.tensor(1.0).shape) == "ember.Size([])"
    assert repr(ember.zeros(2, 0, 3).size()) == "ember.Size([2, 0, 3])"
    assert str(ember.zeros(4).shape) == "ember.Size([4])"
    assert ember.Tensor(2).type() == "ember.FloatTensor"
    assert ember.tensor([1]).double().type() == "ember.DoubleTensor"
    assert ember.tensor([1.0]).type("torch.LongTensor").type() == "ember.LongTensor", (
        "t.type() also accepts PyTorch's own type strings"
    )

