"""Ember: a small PyTorch written on NumPy, rebuilt stage by stage in the course.

``import ember as torch`` runs ordinary PyTorch code of the kinds the course teaches.
Stage 01 provides tensors: creation, dtypes and promotion, NumPy interop, elementwise math
with broadcasting, matrix products, reductions, views and indexing.

Example:
    >>> import ember
    >>> x = ember.tensor([[1., 2.], [3., 4.]])
    >>> (x @ x.T).sum(dim=1)
    tensor([16., 36.])
"""

import builtins as _builtins

from ember import (
    _tensor_methods,  # noqa: F401 - binds the ops as Tensor methods
    autograd,
    nn,
    optim,
)
from ember._creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from ember._device import device
from ember._dtype import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int32,
    int64,
    long,
    set_default_dtype,
    uint8,
)
from ember._legacy import (
    BoolTensor,
    ByteTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
)
from ember._promotion import promote_types, result_type
from ember._random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from ember._size import Size
from ember._tensor import Tensor
from ember._tensor_str import set_printoptions
from ember.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ember.ops.broadcast import broadcast_shapes, broadcast_tensors, broadcast_to
from ember.ops.comparison import (
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    eq,
    equal,
    ge,
    gt,
    isclose,
    le,
    logical_and,
    logical_not,
    logical_or,
    lt,
    ne,
)
from ember.ops.division import div, floor_divide, remainder, true_divide
from ember.ops.elementwise import add, maximum, minimum, mul, pow, rsub, sub, where
from ember.ops.extrema import argmax, argmin, max, min
from ember.ops.join import cat, concat, concatenate, stack
from ember.ops.linalg import bmm, dot, matmul, mm, mv
from ember.ops.reduction import all, any, mean, prod, std, sum, var
from ember.ops.shape import (
    clone,
    flatten,
    permute,
    reshape,
    squeeze,
    swapaxes,
    t,
    transpose,
    unsqueeze,
)
from ember.ops.unary import (
    abs,
    clamp,
    clip,
    cos,
    exp,
    log,
    neg,
    relu,
    sigmoid,
    sign,
    sin,
    sqrt,
    tanh,
)
from ember.ops.views import chunk, split
from ember.serialization import load, save

multiply, subtract, divide, negative = mul, sub, div, neg

# Last: the tracer and the define-then-run engine use the functions above at import time.
from ember import jit, static  # noqa: E402


def is_tensor(obj: object) -> _builtins.bool:
    """True when ``obj`` is an ember tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> _builtins.int:
    """The number of elements of ``input``."""
    return input.numel()


__version__ = "0.1.0"

__all__ = [
    # tensors, dtypes, devices
    "Tensor", "Size", "device", "is_tensor", "numel", "dtype", "float16", "float32",
    "float64", "half", "float", "double", "uint8", "int32", "int64", "int", "long", "bool",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
    "set_printoptions", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor",
    "IntTensor", "ByteTensor", "BoolTensor",
    # creation and random numbers
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "arange",
    "linspace", "eye", "rand", "randn", "randint", "zeros_like", "ones_like", "empty_like",
    "full_like", "rand_like", "randn_like", "randint_like", "manual_seed", "seed",
    "initial_seed", "get_rng_state", "set_rng_state",
    # math
    "add", "sub", "rsub", "mul", "div", "true_divide", "floor_divide", "remainder", "pow",
    "maximum", "minimum", "where", "multiply", "subtract", "divide", "negative",
    "neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign",
    "clamp", "clip",
    "eq", "ne", "lt", "le", "gt", "ge", "equal", "allclose", "isclose", "logical_not",
    "logical_and", "logical_or", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "matmul", "mm", "bmm", "dot", "mv",
    "sum", "mean", "prod", "max", "min", "argmax", "argmin", "std", "var", "all", "any",
    # shapes
    "broadcast_shapes", "broadcast_tensors", "broadcast_to", "reshape", "permute",
    "transpose", "swapaxes", "t", "squeeze", "unsqueeze", "flatten", "clone", "cat",
    "concat", "concatenate", "stack", "split", "chunk",
    # autograd, modules, optimizers
    "autograd", "jit", "nn", "optim", "static", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "inference_mode", "is_inference_mode_enabled",
    # saving and loading
    "save", "load",
]
