"""The operations of ``ember.static``: each call adds a node, none computes a value.

A node knows its static shape and dtype as soon as it is built, so some mistakes
(``[2, 3] @ [4, 5]``) are caught while the graph is described; the values are computed
later, by ``Session.run``, with ember's own tensor ops (``Node.compute``).

Example:
    >>> from ember import static
    >>> static.reset_default_graph()
    >>> x = static.placeholder("float32", shape=(None, 3), name="x")
    >>> static.reduce_sum(x * 2.0, axis=1)
    <ember.static.Node 'Sum:0' shape=(?,) dtype=float32>
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from ember import _creation
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.ops import comparison, division, elementwise, linalg, reduction, unary
from ember.static.graph import Node, as_static_dtype, format_shape, get_default_graph

# ----------------------------------------------------------------- static shapes


def _shape_error(a: tuple, b: tuple, x: Any, y: Any, name: str) -> ValueError:
    return ValueError(f"Dimensions must be equal, but are {x} and {y} for '{name}' with "
                      f"input shapes: {format_shape(a, 'list')}, {format_shape(b, 'list')}.")


def broadcast_static(a: tuple | None, b: tuple | None, name: str) -> tuple | None:
    """The broadcast of two static shapes (``None`` sizes are unknown until run time)."""
    if a is None or b is None:
        return None
    ndim = max(len(a), len(b))
    pa, pb = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
    out = []
    for x, y in zip(pa, pb, strict=True):
        if x == 1 or x == y:
            out.append(y)
        elif y == 1 or y is None:
            out.append(x)
        elif x is None:
            out.append(y)
        else:
            raise _shape_error(a, b, x, y, name)
    return tuple(out)


def _matmul_static(a: tuple | None, b: tuple | None, name: str) -> tuple | None:
    """The shape of ``a @ b`` (matrices, with broadcast batch dimensions)."""
    if a is None or b is None or not a or not b:
        return None
    if len(a) == 1 or len(b) == 1:
        # A vector is a one-row (left) or one-column (right) matrix, that dim dropped after.
        rows, cols = (1,) + a if len(a) == 1 else a, b + (1,) if len(b) == 1 else b
        dims = list(_matmul_static(rows, cols, name))
        if len(b) == 1:
            dims.pop(-1)
        if len(a) == 1:
            dims.pop(-1 if len(b) == 1 else -2)
        return tuple(dims)
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise _shape_error(a, b, a[-1], b[-2], name)
    batch = broadcast_static(a[:-2], b[:-2], name)
    return batch + (a[-2], b[-1])


def _reduced_static(shape: tuple | None, axis: Any, keepdims: bool) -> tuple | None:
    if shape is None:
        return None
    axes = range(len(shape)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    axes = {a % len(shape) for a in axes}
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _probe_dtype(fn: Callable[..., Any], dtypes: list, ndim: int = 1) -> Any:
    """The dtype ``fn`` gives for inputs of ``dtypes``, found by running it on ones."""
    with no_grad():
        return fn(*[_creation.ones((1,) * ndim, dtype=dt) for dt in dtypes]).dtype


# ----------------------------------------------------------------- sources


def constant(value: Any, dtype: Any = None, name: str | None = None) -> Node:
    """A node whose value is ``value`` (a number, nested list, array or ember tensor)."""
    dt = None if dtype is None else as_static_dtype(dtype)
    if dt is not None and not isinstance(value, Tensor):
        value = numpy.asarray(value, dtype=dt.numpy)  # straight to dtype: no float32 detour
    tensor = _creation.as_tensor(value, dtype=dt).clone()
    return Node("Const", get_default_graph().unique_name(name or "Const"),
                shape=tuple(tensor.shape), dtype=tensor.dtype, compute=lambda: tensor,
                attrs={"value": tensor})


def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Node:
    """A node whose value must be fed: ``session.run(y, feed_dict={x: value})``.

    Args:
        dtype: the dtype fed values are converted to.
        shape: the shape fed values must have (``None`` entries match any size), or
            ``None`` to accept any shape.
        name: the node's name (``"Placeholder"`` by default).
    """
    shape = None if shape is None else tuple(shape)
    return Node("Placeholder", get_default_graph().unique_name(name or "Placeholder"),
                shape=shape, dtype=as_static_dtype(dtype))


def convert_to_node(value: Any, like: Node | None = None) -> Node:
    """``value`` itself if it is a node, else a constant (of ``like``'s dtype for numbers)."""
    if isinstance(value, Node):
        return value
    dtype = None
    if like is not None and like.dtype is not None and isinstance(value, (int, float)):
        if like.dtype.is_floating_point or isinstance(value, int):
            dtype = like.dtype
    return constant(value, dtype=dtype)


# ----------------------------------------------------------------- elementwise and matmul


def _binary(op: str, default_name: str, fn: Callable[..., Any]) -> Callable[..., Node]:
    def build(x: Any, y: Any, name: str | None = None) -> Node:
        x = convert_to_node(x, like=y if isinstance(y, Node) else None)
        y = convert_to_node(y, like=x)
        name = get_default_graph().unique_name(name or default_name)
        if op == "MatMul":
            shape = _matmul_static(x.shape, y.shape, name)
            dtype = _probe_dtype(fn, [x.dtype, y.dtype], ndim=2)
        else:
            shape = broadcast_static(x.shape, y.shape, name)
            dtype = _probe_dtype(fn, [x.dtype, y.dtype])
        return Node(op, name, (x, y), shape=shape, dtype=dtype, compute=fn)

    build.__name__ = default_name
    build.__doc__ = f"A node computing ``{fn.__name__}(x, y)`` (op ``{op}``) with broadcasting."
    return build


def _unary(op: str, default_name: str, fn: Callable[..., Any]) -> Callable[..., Node]:
    def build(x: Any, name: str | None = None) -> Node:
        x = convert_to_node(x)
        name = get_default_graph().unique_name(name or default_name)
        return Node(op, name, (x,), shape=x.shape, dtype=_probe_dtype(fn, [x.dtype]),
                    compute=fn)

    build.__name__ = default_name
    build.__doc__ = f"A node computing ``{fn.__name__}(x)`` elementwise (op ``{op}``)."
    return build


add = _binary("AddV2", "add", elementwise.add)
subtract = _binary("Sub", "sub", elementwise.sub)
multiply = _binary("Mul", "mul", elementwise.mul)
divide = _binary("RealDiv", "truediv", division.div)
matmul = _binary("MatMul", "MatMul", linalg.matmul)
maximum = _binary("Maximum", "Maximum", elementwise.maximum)
minimum = _binary("Minimum", "Minimum", elementwise.minimum)
equal = _binary("Equal", "Equal", comparison.eq)
not_equal = _binary("NotEqual", "NotEqual", comparison.ne)
less = _binary("Less", "Less", comparison.lt)
less_equal = _binary("LessEqual", "LessEqual", comparison.le)
greater = _binary("Greater", "Greater", comparison.gt)
greater_equal = _binary("GreaterEqual", "GreaterEqual", comparison.ge)
logical_and = _binary("LogicalAnd", "LogicalAnd", comparison.logical_and)
logical_or = _binary("LogicalOr", "LogicalOr", comparison.logical_or)

negative = _unary("Neg", "Neg", unary.neg)
abs = _unary("Abs", "Abs", unary.abs)  # noqa: A001 - TensorFlow's name
exp = _unary("Exp", "Exp", unary.exp)
log = _unary("Log", "Log", unary.log)
sqrt = _unary("Sqrt", "Sqrt", unary.sqrt)
square = _unary("Square", "Square", lambda t: t * t)
tanh = _unary("Tanh", "Tanh", unary.tanh)
sigmoid = _unary("Sigmoid", "Sigmoid", unary.sigmoid)
identity = _unary("Identity", "Identity", lambda t: t)
logical_not = _unary("LogicalNot", "LogicalNot", comparison.logical_not)


def _reduction(op: str, fn: Callable[..., Any]) -> Callable[..., Node]:
    def build(input_tensor: Any, axis: Any = None, keepdims: bool = False,
              name: str | None = None) -> Node:
        x = convert_to_node(input_tensor)
        axis = tuple(axis) if isinstance(axis, list) else axis
        dims = axis

        def compute(t: Tensor) -> Tensor:
            return fn(t, dim=tuple(range(t.dim())) if dims is None else dims, keepdim=keepdims)

        return Node(op, get_default_graph().unique_name(name or op), (x,),
                    shape=_reduced_static(x.shape, axis, keepdims),
                    dtype=_probe_dtype(fn, [x.dtype]), compute=compute)

    build.__name__ = f"reduce_{op.lower()}"
    build.__doc__ = (f"A node computing the {op.lower()} over ``axis`` (all axes when None), "
                     "keeping reduced axes as size 1 when ``keepdims``.")
    return build


reduce_sum = _reduction("Sum", reduction.sum)
reduce_mean = _reduction("Mean", reduction.mean)


def cast(x: Any, dtype: Any, name: str | None = None) -> Node:
    """A node converting ``x`` to ``dtype``."""
    x, dt = convert_to_node(x), as_static_dtype(dtype)
    return Node("Cast", get_default_graph().unique_name(name or "Cast"), (x,), shape=x.shape,
                dtype=dt, compute=lambda t: t.to(dt))


# ----------------------------------------------------------------- operators on nodes


def _reflected(fn: Callable[..., Node]) -> Callable[[Node, Any], Node]:
    return lambda self, other: fn(other, self)


_OPERATORS = {
    "__add__": add, "__sub__": subtract, "__mul__": multiply, "__truediv__": divide,
    "__matmul__": matmul, "__lt__": less, "__le__": less_equal, "__gt__": greater,
    "__ge__": greater_equal, "__eq__": equal, "__ne__": not_equal, "__and__": logical_and,
    "__or__": logical_or,
}
for _dunder, _fn in _OPERATORS.items():
    setattr(Node, _dunder, _fn)
for _dunder, _fn in {"__radd__": add, "__rsub__": subtract, "__rmul__": multiply,
                     "__rtruediv__": divide, "__rmatmul__": matmul}.items():
    setattr(Node, _dunder, _reflected(_fn))
Node.__neg__ = negative
Node.__abs__ = abs
Node.__invert__ = logical_not
