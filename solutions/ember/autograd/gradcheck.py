"""``gradcheck``: compare a backward pass with finite differences (PyTorch's ``gradcheck``).

For a function ``y = f(x)`` the Jacobian ``J[k, m] = ∂y_m / ∂x_k`` (rows: the input's
elements, columns: the output's, PyTorch's layout) can be found two ways:

* **numerically**, one row per input element, by central differences
  ``J[k, :] ≈ (f(x + eps·e_k) - f(x - eps·e_k)) / (2·eps)``, whose error is O(eps²);
* **analytically**, one column per output element, by a backward pass with the one-hot
  upstream gradient ``e_m``: backward returns the vector-Jacobian product
  ``e_mᵀ Jᵀ``, i.e. column ``m``.

A correct backward makes both agree, element by element, within
``|analytical - numerical| <= atol + rtol·|numerical|`` (``allclose``). Inputs should be
float64: in float32 the rounding error of the difference quotient (~1e-7 / eps) swamps
the tolerance.

Example:
    >>> import ember
    >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    >>> gradcheck(lambda t: (t * t).sum(), (x,))
    True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ember import _creation
from ember._backend import get_array_module
from ember._creation import rand
from ember._tensor import Tensor
from ember.autograd.api import grad as _grad
from ember.autograd.grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when the analytical and numerical Jacobians disagree."""


def _as_tuple(value: Any) -> tuple:
    if isinstance(value, tuple):
        return value
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def _check_inputs(inputs: tuple) -> list[int]:
    """The positions of the inputs that require grad (PyTorch's warnings and errors)."""
    positions = []
    for index, value in enumerate(inputs):
        if isinstance(value, Tensor) and value.requires_grad:
            if value._data.dtype.kind != "c" and value._data.dtype.itemsize != 8:
                warnings.warn(f"Input #{index} requires gradient and is not a double precision "
                              "floating point or complex. This check will likely fail if all "
                              "the inputs are not of double precision floating point or "
                              "complex. ", stacklevel=3)
            positions.append(index)
    if not positions:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")
    return positions


def _outputs_data(func: Callable, inputs: tuple) -> list:
    """The arrays of ``func(*inputs)``'s tensor outputs (copies, as float64), without grad."""
    with no_grad():
        outputs = _as_tuple(func(*inputs))
    return [o._data.astype("float64") for o in outputs if isinstance(o, Tensor)]


def numerical_jacobian(func: Callable, inputs: tuple, position: int, eps: float) -> list:
    """Central-difference Jacobians of every tensor output w.r.t. ``inputs[position]``.

    Each input element ``k`` is nudged by ``+eps`` and ``-eps`` (and restored): row ``k``
    of the Jacobian is ``(f(x + eps·e_k) - f(x - eps·e_k)) / (2·eps)``.

    Returns:
        One float64 array per tensor output, of shape ``(input numel, output numel)``.
    """
    tensor = inputs[position]
    original = tensor._data
    xp = get_array_module(original)
    if original.size == 0:
        return [xp.zeros((0, out.size)) for out in _outputs_data(func, inputs)]
    tensor._data = original.copy()  # nudged in place through ``flat``, restored below
    flat = tensor._data.reshape(-1)
    try:
        # Hint: for each k: remember flat[k], evaluate _outputs_data(func, inputs) at
        # flat[k] + eps and at flat[k] - eps, put flat[k] back; row k of output i's
        # Jacobian is the flattened difference of the two evaluations over 2 * eps.
        ### BEGIN SOLUTION 05
        rows = []
        for k in range(flat.size):
            value = flat[k].item()
            flat[k] = value + eps
            plus = _outputs_data(func, inputs)
            flat[k] = value - eps
            minus = _outputs_data(func, inputs)
            flat[k] = value
            rows.append([((p - m) / (2 * eps)).reshape(-1)
                         for p, m in zip(plus, minus, strict=True)])
        return [xp.stack([row[i] for row in rows]) for i in range(len(rows[0]))]
        ### END SOLUTION
    finally:
        tensor._data = original


def analytical_jacobian(output: Tensor, inputs: tuple, positions: list[int]) -> list:
    """Jacobians of ``output`` w.r.t. each ``inputs[p]`` from backward passes.

    Column ``m`` is the gradient of the inputs for the one-hot upstream gradient ``e_m``
    (one backward per output element, keeping the graph with ``retain_graph=True``).

    Returns:
        One float64 array per position, of shape ``(input numel, output numel)``.
    """
    xp = get_array_module(output._data)
    targets = [inputs[p] for p in positions]
    columns: list[list] = [[] for _ in positions]
    # Hint: ember.autograd.grad(output, targets, grad_outputs=one_hot, retain_graph=True,
    # allow_unused=True) gives one gradient per target (None when unused: zeros).
    ### BEGIN SOLUTION 05
    for m in range(output._data.size):
        one_hot = xp.zeros(output._data.size, dtype=output._data.dtype)
        one_hot[m] = 1
        grads = _grad(output, targets, grad_outputs=Tensor._make(one_hot.reshape(
            output._data.shape)), retain_graph=True, allow_unused=True)
        for column, target, g in zip(columns, targets, grads, strict=True):
            column.append(xp.zeros(target._data.size) if g is None
                          else g._data.astype("float64").reshape(-1))
    return [xp.stack(column, axis=1) if column else xp.zeros((target._data.size, 0))
            for column, target in zip(columns, targets, strict=True)]
    ### END SOLUTION


def worst_mismatch(analytical: Any, numerical: Any, atol: float, rtol: float) -> tuple | None:
    """The ``(row, column)`` where ``allclose`` fails worst, or None when all agree.

    ``allclose`` accepts ``|a - n| <= atol + rtol·|n|``; "worst" is the element whose
    difference exceeds its tolerance by the most.
    """
    xp = get_array_module(numerical)
    if analytical.size == 0:
        return None
    ### BEGIN SOLUTION 05
    excess = xp.abs(analytical - numerical) - (atol + rtol * xp.abs(numerical))
    excess = xp.where(xp.isnan(excess), xp.inf, excess)
    flat = int(xp.argmax(excess))
    if excess.reshape(-1)[flat] <= 0:
        return None
    return divmod(flat, numerical.shape[1])
    ### END SOLUTION


def _mismatch_message(analytical: Any, numerical: Any, where: tuple, out_index: int,
                      in_index: int, shapes: tuple) -> str:
    """PyTorch's message, then the worst element with its positions in input and output."""
    row, col = where
    in_pos = tuple(int(i) for i in get_array_module(numerical).unravel_index(row, shapes[0]))
    out_pos = tuple(int(i) for i in get_array_module(numerical).unravel_index(col, shapes[1]))
    return (f"Jacobian mismatch for output {out_index:d} with respect to input {in_index:d},\n"
            f"numerical:{_creation.tensor(numerical)}\n"
            f"analytical:{_creation.tensor(analytical)}\n"
            f"The worst element is row {row}, column {col}: d output[{out_index}]{list(out_pos)}"
            f" / d input[{in_index}]{list(in_pos)} is {numerical[row, col]:.6g} numerically "
            f"but {analytical[row, col]:.6g} analytically.\n")


def _fail(error: GradcheckError, raise_exception: bool) -> bool:
    if raise_exception:
        raise error
    return False


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-06,  # noqa: PLR0913
              atol: float = 1e-05, rtol: float = 0.001, raise_exception: bool = True,
              nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False,
              masked: bool | None = None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.

    Args:
        func: a function of tensors (and plain values) returning a tensor or a tuple.
        inputs: a tensor or a tuple of arguments; those that require grad are checked
            (make them float64).
        eps: the finite-difference step.
        atol, rtol: the tolerances of ``|analytical - numerical| <= atol + rtol·|numerical|``.
        raise_exception: raise ``GradcheckError`` on a mismatch (else return False).
        nondet_tol, check_undefined_grad, check_grad_dtypes, masked: accepted for
            PyTorch compatibility (no effect).
        check_batched_grad, check_batched_forward_grad, check_forward_ad, fast_mode:
            must be False (not supported); check_backward_ad must be True.

    Returns:
        True when every Jacobian matches.

    Raises:
        GradcheckError: a Jacobian differs (the message shows both Jacobians and the worst
            element), when ``raise_exception`` is True.

    Example:
        >>> import ember
        >>> x = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
        >>> gradcheck(ember.sigmoid, (x,), eps=1e-6, atol=1e-4)
        True
    """
    if check_batched_grad or check_batched_forward_grad or check_forward_ad or fast_mode \
            or not check_backward_ad:
        raise NotImplementedError("ember's gradcheck supports only the slow backward-mode "
                                  "check (check_batched_grad, check_forward_ad and fast_mode "
                                  "must be False)")
    inputs = _as_tuple(inputs)
    positions = _check_inputs(inputs)
    outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]
    numerical = [numerical_jacobian(func, inputs, p, eps) for p in positions]
    differentiable = [i for i, o in enumerate(outputs) if o.requires_grad]
    if not differentiable:
        if all(float(abs(n).max(initial=0)) == 0 for per_input in numerical for n in per_input):
            return True
        return _fail(GradcheckError("Numerical gradient for function expected to be zero"),
                     raise_exception)
    # As in PyTorch, outputs and inputs are numbered among those that take part.
    for i, index in enumerate(differentiable):
        output = outputs[index]
        analytical = analytical_jacobian(output, inputs, positions)
        for j, position in enumerate(positions):
            a, n = analytical[j], numerical[j][index]
            where = worst_mismatch(a, n, atol, rtol)
            if where is not None:
                shapes = (inputs[position]._data.shape, output._data.shape)
                return _fail(GradcheckError(_mismatch_message(a, n, where, i, j, shapes)),
                             raise_exception)
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Any = None, *,  # noqa: PLR0913
                  eps: float = 1e-06, atol: float = 1e-05, rtol: float = 0.001,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check the second derivatives of ``func`` against finite differences of its gradients.

    The gradient of ``func``'s outputs ``y`` for upstream gradients ``v``,
    ``g(x, v) = vᵀ ∂y/∂x`` (one ``autograd.grad`` call with ``create_graph=True``), is
    itself a function of ``x`` and ``v``; ``gradgradcheck`` runs ``gradcheck`` on it. Its
    Jacobian with respect to ``x`` holds the second derivatives (``vᵀ ∂²y/∂x²``), the one
    with respect to ``v`` the first derivatives again: a backward written in tensor ops
    (or an op's ``tensor_backward``) must get both right.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of arguments; those that require grad are checked
            (make them float64).
        grad_outputs: the upstream gradients ``v``, one per differentiable output; None:
            random ones in [-1, 1) that require grad (so ``v`` is checked too).
        eps, atol, rtol, raise_exception: as for ``gradcheck``.
        gen_non_contig_grad_outputs, nondet_tol, check_undefined_grad,
            check_grad_dtypes, masked: accepted for PyTorch compatibility (no effect).
        check_batched_grad, check_fwd_over_rev, fast_mode: must be False (not supported);
            check_rev_over_rev must be True.

    Returns:
        True when every second-order Jacobian matches.

    Raises:
        GradcheckError: a Jacobian differs, when ``raise_exception`` is True.

    Example:
        >>> import ember
        >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
        >>> gradgradcheck(lambda t: (t ** 3).sum(), (x,))
        True
    """
    if check_batched_grad or check_fwd_over_rev or fast_mode or not check_rev_over_rev:
        raise NotImplementedError("ember's gradgradcheck supports only the slow reverse-over-"
                                  "reverse check (check_batched_grad, check_fwd_over_rev and "
                                  "fast_mode must be False)")
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    if grad_outputs is None:
        outputs = [o for o in _as_tuple(func(*inputs))
                   if isinstance(o, Tensor) and o.requires_grad]
        grad_outputs = tuple(_random_like(o) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)

    def gradient(*args: Any) -> tuple:
        """``vᵀ ∂y/∂x`` for every input x that requires grad, as a differentiable graph."""
        with enable_grad():  # gradcheck evaluates this under no_grad for the differences
            values, vs = args[:count], args[count:]
            outputs = [o for o in _as_tuple(func(*values))
                       if isinstance(o, Tensor) and o.requires_grad]
            targets = [t for t in values if isinstance(t, Tensor) and t.requires_grad]
            grads = _grad(outputs, targets, grad_outputs=list(vs), create_graph=True,
                          allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(gradient, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _random_like(output: Tensor) -> Tensor:
    """An upstream gradient for ``output``: uniform in [-1, 1), float64-safe, needing grad."""
    with no_grad():  # ember.rand draws from the global generator: manual_seed repeats it
        v = rand(tuple(output.shape), dtype=output.dtype) * 2 - 1
    return v.requires_grad_()


__all__ = ["GradcheckError", "analytical_jacobian", "gradcheck", "gradgradcheck",
           "numerical_jacobian"]
