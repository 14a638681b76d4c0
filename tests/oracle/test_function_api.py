"""Custom ``autograd.Function``s, ``gradcheck`` and the XNOR-Net layers against torch.

Every test writes the same PyTorch code once, for a module ``m`` that is ``torch`` or
``ember``, and compares values, gradients, node names, error messages and warnings.
"""

import warnings

import numpy as np
import pytest
import torch

import ember

MODULES = pytest.mark.parametrize("m", [torch, ember], ids=["torch", "ember"])
RNG = np.random.default_rng(5)
A = RNG.standard_normal((3, 4))


def run(fn):
    """``fn(torch)`` and ``fn(ember)``."""
    return fn(torch), fn(ember)


def error(fn, m):
    """The exception ``fn(m)`` raises (type name and message), or None."""
    try:
        fn(m)
    except Exception as exc:  # noqa: BLE001 - compared between frameworks
        return type(exc).__mro__[1].__name__ if type(exc).__name__ == "GradcheckError" \
            else type(exc).__name__, str(exc).replace("torch.", "ember.")
    return None


def leaf(m, array=A, dtype="float32", requires_grad=True):
    return m.tensor(array, dtype=getattr(m, dtype), requires_grad=requires_grad)


def np_(t):
    return t.detach().numpy()


# ------------------------------------------------------------------ Function classes
def relu(m):
    class MyReLU(m.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    return MyReLU


def scale(m, grads):
    """``x * k + y``; backward returns ``grads(g, ctx)``."""
    class MyFn(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y):
            ctx.k = k
            return x * k + y

        @staticmethod
        def backward(ctx, g):
            return grads(g, ctx)

    return MyFn


def test_custom_relu_values_grads_and_name():
    def f(m):
        x = leaf(m)
        y = relu(m).apply(x)
        y.backward(m.tensor(A * 0 + 2.0, dtype=m.float32))
        return np_(y), np_(x.grad), type(y.grad_fn).__name__, repr(y.grad_fn).split(" ")[0]
    (tv, tg, tn, tr), (ev, eg, en, er) = run(f)
    np.testing.assert_allclose(ev, tv, rtol=1e-6)
    np.testing.assert_allclose(eg, tg)
    assert (en, er.split(".")[-1]) == (tn, tr.split(".")[-1])


@pytest.mark.parametrize("returned", ["tuple", "extra_none"])
def test_gradients_returned_in_several_forms(returned):
    forms = {"tuple": lambda g, ctx: (g * ctx.k, None, g),
             "extra_none": lambda g, ctx: (g * ctx.k, None, g, None)}

    def f(m):
        x, y = leaf(m), leaf(m, A[0])
        scale(m, forms[returned]).apply(x, 3.0, y).sum().backward()
        return np_(x.grad), np_(y.grad)
    (tx, ty), (ex, ey) = run(f)
    np.testing.assert_allclose(ex, tx)
    np.testing.assert_allclose(ey, ty)


@pytest.mark.parametrize("case", ["too_few", "too_many", "non_tensor", "bad_shape", "list"])
def test_backward_errors(case):
    forms = {"too_few": lambda g, ctx: g,
             "list": lambda g, ctx: [g * ctx.k, None, g],
             "too_many": lambda g, ctx: (g, None, g, g),
             "non_tensor": lambda g, ctx: (g, g.sum(), g),
             "bad_shape": lambda g, ctx: (g.sum(0), None, g)}

    def f(m):
        x, y = leaf(m), leaf(m, A[0])
        scale(m, forms[case]).apply(x, 3.0, y).sum().backward()
    expected, got = error(f, torch), error(f, ember)
    assert expected is not None and got == expected


def test_needs_input_grad_and_grad_mode_in_forward_and_backward():
    def f(m):
        seen = []

        class Probe(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y, k):
                seen.append(("fwd", m.is_grad_enabled(), x.requires_grad, ctx.needs_input_grad))
                return x * y * k

            @staticmethod
            def backward(ctx, g):
                seen.append(("bwd", m.is_grad_enabled(), g.requires_grad, ctx.needs_input_grad))
                return g, None, None

        out = Probe.apply(leaf(m), leaf(m, requires_grad=False), 2.0)
        out.sum().backward()
        with m.no_grad():
            quiet = Probe.apply(leaf(m), leaf(m), 2.0)
        seen.append((quiet.requires_grad, quiet.grad_fn is None))
        return seen
    expected, got = run(f)
    assert got == expected


def test_saved_tensors_freed_and_modified_in_place():
    def freed(m):
        x = leaf(m)
        y = relu(m).apply(x)
        y.sum().backward()
        return y.grad_fn.saved_tensors

    def modified(m):
        x = leaf(m).clone()
        y = relu(m).apply(x)
        x.mul_(2)
        y.sum().backward()
    assert error(freed, ember) == error(freed, torch)
    (kind, text), (ekind, etext) = error(modified, torch), error(modified, ember)
    assert ekind == kind
    prefix = text.split(" is at version")[0].split(", which is output")[0]
    assert etext.startswith(prefix), (etext, prefix)
    assert "is at version 1; expected version 0 instead" in etext


def test_saved_variables_is_deprecated():
    def f(m):
        class Old(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    (x,) = ctx.saved_variables
                seen.extend((w.category, str(w.message)) for w in caught)
                return g * 2

        seen = []
        x = leaf(m)
        Old.apply(x).sum().backward()
        return seen, np_(x.grad)
    (tw, tg), (ew, eg) = run(f)
    assert ew == tw
    np.testing.assert_allclose(eg, tg)


def test_save_for_backward_rejects_non_tensors():
    def f(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

        Bad.apply(leaf(m))
    assert error(f, ember) == error(f, torch)


@pytest.mark.parametrize("materialize", [True, False])
def test_multi_output_mark_non_differentiable_and_materialize(materialize):
    def f(m):
        seen = []

        class Split(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                mask = (x > 0).to(x.dtype)
                ctx.mark_non_differentiable(mask)
                return x * 2, x * 3, mask, x.argmax()

            @staticmethod
            def backward(ctx, ga, gb, gm, gi):
                seen.append([None if g is None else (np_(g).tolist(), str(g.dtype)[6:])
                             for g in (ga, gb, gm, gi)])
                return ga * 2 + (0 if gb is None else gb * 3)

        x = leaf(m)
        a, b, mask, index = Split.apply(x)
        flags = [(t.requires_grad, t.grad_fn is None) for t in (a, b, mask, index)]
        a.sum().backward()
        return flags, seen, np_(x.grad)
    (tf, ts, tg), (ef, es, eg) = run(f)
    assert ef == tf
    assert es == ts
    np.testing.assert_allclose(eg, tg)


def test_once_differentiable():
    def f(m):
        from_module = (torch.autograd.function if m is torch
                       else ember.autograd.function).once_differentiable

        class Sq(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @from_module
            def backward(ctx, g):
                """Doc."""
                (x,) = ctx.saved_tensors
                out = 2 * x * g
                seen.append((m.is_grad_enabled(), out.requires_grad))
                return out

        seen = []
        x = leaf(m)
        Sq.apply(x).sum().backward()
        return seen, np_(x.grad), Sq.backward.__name__, Sq.backward.__doc__
    (ts, tg, tn, td), (es, eg, en, ed) = run(f)
    assert (es, en, ed) == (ts, tn, td)
    np.testing.assert_allclose(eg, tg)


def test_backward_may_edit_grad_output_in_place():
    def f(m):
        class Twice(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                g.mul_(2)
                return g

        x, w = leaf(m), leaf(m)
        (w + Twice.apply(x)).backward(m.tensor(A, dtype=m.float32))
        (Twice.apply(x) + w).backward(m.tensor(A, dtype=m.float32))
        return np_(x.grad), np_(w.grad)
    (tx, tw), (ex, ew) = run(f)
    np.testing.assert_allclose(ex, tx, rtol=1e-6)
    np.testing.assert_allclose(ew, tw, rtol=1e-6)


def test_forward_returning_an_input_and_plain_values():
    def f(m):
        class Ident(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x, k

            @staticmethod
            def backward(ctx, g, gk):
                return g * 5, None

        x = leaf(m)
        y, k = Ident.apply(x, 7)
        (y * 1).sum().backward()
        return y is x, y.requires_grad, k, np_(x.grad)
    (ti, tr, tk, tg), (ei, er, ek, eg) = run(f)
    assert (ei, er, ek) == (ti, tr, tk)
    np.testing.assert_allclose(eg, tg)


# ------------------------------------------------------------------ gradcheck
def _wrong_mul(m):
    class WrongMul(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, 2 * g * x

    return WrongMul


GRADCHECK_CASES = {
    "relu": lambda m: (relu(m).apply, (leaf(m, A + 0.1 * np.sign(A), "float64"),)),
    "wrong_mul": lambda m: (_wrong_mul(m).apply,
                            (leaf(m, A, "float64"), leaf(m, A[::-1].copy(), "float64"))),
    "plain_arg": lambda m: (lambda t, k: (t.sigmoid() * k, t.sum()),
                            (leaf(m, A, "float64"), 2.0)),
    "float32": lambda m: (lambda t: t * 2, (leaf(m, A),)),
    "no_grad_input": lambda m: (lambda t: t * 2, (leaf(m, A, "float64", False),)),
    "exp_rtol": lambda m: (m.exp, (leaf(m, [10.0], "float64"),)),
}


@pytest.mark.parametrize("case", sorted(GRADCHECK_CASES))
@pytest.mark.parametrize("raise_exception", [True, False])
def test_gradcheck_agrees_with_torch(case, raise_exception):
    def f(m):
        func, inputs = GRADCHECK_CASES[case](m)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = m.autograd.gradcheck(func, inputs, eps=1e-3 if case == "exp_rtol"
                                              else 1e-6, raise_exception=raise_exception)
            except Exception as exc:  # noqa: BLE001 - compared between frameworks
                result = (type(exc).__mro__[1].__name__ if "Gradcheck" in type(exc).__name__
                          else type(exc).__name__, str(exc).split("\n")[0])
        return result, [str(w.message) for w in caught if "gradcheck" not in str(w.message)]
    expected, got = run(f)
    assert got == expected


def test_gradcheck_error_class_and_module():
    from ember.autograd.gradcheck import GradcheckError

    assert issubclass(GradcheckError, RuntimeError)
    assert callable(ember.autograd.gradcheck) and callable(torch.autograd.gradcheck)
    assert ember.autograd.GradcheckError is GradcheckError


# ------------------------------------------------------------------ XNOR-Net
def test_binary_linear_matches_torch_with_the_same_binary_weight():
    ember.manual_seed(0)
    layer = ember.nn.BinaryLinear(4, 3)
    w = torch.tensor(layer.weight.detach().numpy(), requires_grad=True)
    b = torch.tensor(layer.bias.detach().numpy(), requires_grad=True)
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    g = RNG.standard_normal((5, 3)).astype(np.float32)

    class Ste(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return torch.where(t >= 0, 1.0, -1.0)

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved_tensors
            return grad * (t.abs() < 1)

    alpha = w.abs().mean(dim=1, keepdim=True)
    expected = torch.nn.functional.linear(torch.tensor(x), alpha * Ste.apply(w), b)
    expected.backward(torch.tensor(g))
    got = layer(ember.tensor(x))
    got.backward(ember.tensor(g))
    np.testing.assert_allclose(np_(got), np_(expected), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.numpy(), w.grad.numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.numpy(), b.grad.numpy(), rtol=1e-5)
    assert repr(layer) == "BinaryLinear(in_features=4, out_features=3, bias=True)"
