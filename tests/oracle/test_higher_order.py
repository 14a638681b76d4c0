"""Gradients of gradients (``create_graph=True``) and ``gradgradcheck`` against torch.

Every test runs the same code for a module ``m`` that is ``torch`` or ``ember`` and
compares first derivatives (which must now carry a graph), second and third derivatives,
the gradients reaching parameters through a gradient penalty, Hessian-vector products,
and the errors.
"""

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(11)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
V = RNG.standard_normal((3, 4))


def run(fn):
    """``fn(torch)`` and ``fn(ember)``."""
    return fn(torch), fn(ember)


def leaf(m, array, requires_grad=True):
    return m.tensor(array, dtype=m.float64, requires_grad=requires_grad)


def np_(t):
    return None if t is None else t.detach().numpy()


def assert_same(expected, actual, what):
    """Tensors (or None) of torch and ember with the same values, element by element."""
    assert len(expected) == len(actual), what
    for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
        assert (e is None) == (a is None), f"{what}[{i}]: torch {e}, ember {a}"
        if e is not None:
            assert tuple(a.shape) == tuple(e.shape), f"{what}[{i}]: shape"
            np.testing.assert_allclose(np_(a), np_(e), rtol=1e-10, atol=1e-12,
                                       err_msg=f"{what}[{i}]")


# ------------------------------------------------------------------ every covered op
# Each case is f(m, a, b) with a nonlinearity *after* the op under test, so that the
# gradient arriving at the op depends on the inputs: its tensor-level backward must
# carry that dependence on, or the second derivative comes out wrong.
CASES = {
    "add": lambda m, a, b: (a + b) ** 2,
    "sub": lambda m, a, b: (a - b) ** 2,
    "mul": lambda m, a, b: a * b * a,
    "div": lambda m, a, b: a / (b * b + 1),
    "div_by_number": lambda m, a, b: (a / 3) ** 3,
    "neg": lambda m, a, b: (-a) ** 3,
    "pow_number": lambda m, a, b: a ** 3,
    "pow_tensor": lambda m, a, b: (a * a + 1) ** (b * 0.5),
    "rpow": lambda m, a, b: 2 ** a,
    "exp": lambda m, a, b: m.exp(a * b),
    "log": lambda m, a, b: m.log(a * a + 1),
    "sqrt": lambda m, a, b: m.sqrt(a * a + 1),
    "tanh": lambda m, a, b: m.tanh(a * b),
    "sigmoid": lambda m, a, b: m.sigmoid(a * b),
    "relu": lambda m, a, b: m.relu(a) * b * a,
    "sin": lambda m, a, b: m.sin(a * b),
    "cos": lambda m, a, b: m.cos(a * b),
    "abs": lambda m, a, b: m.abs(a) * a * b,
    "where": lambda m, a, b: m.where(a > 0, a * b, b * b) ** 2,
    "matmul": lambda m, a, b: (a @ b.t()) ** 2,
    "mm_1d_left": lambda m, a, b: (a[0] @ b.t()) ** 2,
    "mm_1d_right": lambda m, a, b: (a @ b[0]) ** 2,
    "dot": lambda m, a, b: (a[0] @ b[1]) ** 2,
    "matmul_batched": lambda m, a, b: (a.reshape(3, 4, 1) @ b[:1, :2]) ** 2,
    "sum_all": lambda m, a, b: (a * b).sum() ** 2,
    "sum_dim": lambda m, a, b: (a * b).sum(dim=1) ** 2,
    "sum_keepdim": lambda m, a, b: (a * b).sum(dim=0, keepdim=True) ** 2 * a,
    "mean_all": lambda m, a, b: (a * b).mean() ** 2,
    "mean_dim": lambda m, a, b: (a * b).mean(dim=(0, 1)) ** 2,
    "reshape": lambda m, a, b: (a * b).reshape(4, 3) ** 2,
    "view": lambda m, a, b: (a * b).view(2, 6) ** 2,
    "unsqueeze_squeeze": lambda m, a, b: (a * b).unsqueeze(0).squeeze(0) ** 2,
    "transpose": lambda m, a, b: (a * b).transpose(0, 1) ** 2 * a.t(),
    "t": lambda m, a, b: (a * b).t() ** 2,
    "permute": lambda m, a, b: (a * b).reshape(3, 2, 2).permute(2, 0, 1) ** 2,
    "expand": lambda m, a, b: (a * b)[:, :1].expand(3, 5) ** 2,
    "broadcast": lambda m, a, b: (a + b[0]) ** 2 * b[0],
    "cast": lambda m, a, b: (a * b).float().double() ** 2,
    "linear": lambda m, a, b: m.nn.functional.linear(a, b, b[0, :3]) ** 2,
    "linear_no_bias": lambda m, a, b: m.nn.functional.linear(a, b) ** 2,
    "clone_contiguous": lambda m, a, b: (a * b).t().contiguous().clone() ** 2,
}


def second_derivatives(m, case):
    """First derivatives (with graph) of <v, f(a, b)>, then derivatives of <w, them>."""
    a, b = leaf(m, A), leaf(m, B)
    y = CASES[case](m, a, b)
    v = leaf(m, RNG_V[case][: y.numel()].reshape(tuple(y.shape)))  # needs grad too
    first = m.autograd.grad(y, (a, b), grad_outputs=v, create_graph=True, allow_unused=True)
    weights = [leaf(m, W, requires_grad=False) for W in (A * 0.5 + 1, B - 0.5)]
    total = sum((g * w).sum() for g, w in zip(first, weights, strict=True) if g is not None)
    second = m.autograd.grad(total, (a, b, v), allow_unused=True)
    return first, second


RNG_V = {case: RNG.standard_normal(64) for case in CASES}


@pytest.mark.parametrize("case", sorted(CASES))
def test_second_derivative(case):
    (tf, ts), (ef, es) = run(lambda m: second_derivatives(m, case))
    assert_same(tf, ef, f"{case}: first derivatives")
    for t, e in zip(tf, ef, strict=True):
        if t is not None:
            assert e.requires_grad == t.requires_grad, f"{case}: the gradient has a graph"
    assert_same(ts, es, f"{case}: second derivatives")


@pytest.mark.parametrize("f", [
    lambda m, x: x ** 4,
    lambda m, x: m.exp(x * 0.5),
    lambda m, x: m.tanh(x),
    lambda m, x: m.sigmoid(x) * x,
    lambda m, x: m.log(x * x + 2),
], ids=["pow", "exp", "tanh", "sigmoid", "log"])
def test_third_derivative(f):
    def third(m):
        x = leaf(m, A[0])
        (g1,) = m.autograd.grad(f(m, x).sum(), x, create_graph=True)
        (g2,) = m.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = m.autograd.grad(g2.sum(), x)
        return g1, g2, g3

    expected, actual = run(third)
    assert_same(expected, actual, "d, d², d³")


# ------------------------------------------------------------------ what a user writes
def mlp(m, activation):
    """A 4-8-1 MLP whose weights come from one NumPy generator for both frameworks."""
    rng = np.random.default_rng(3)
    layers = m.nn.Sequential(m.nn.Linear(4, 8), activation(m), m.nn.Linear(8, 1)).double()
    with m.no_grad():
        for p in layers.parameters():
            p.copy_(m.tensor(rng.standard_normal(tuple(p.shape)) * 0.5, dtype=m.float64))
    return layers


ACTIVATIONS = {"tanh": lambda m: m.nn.Tanh(), "sigmoid": lambda m: m.nn.Sigmoid(),
               "relu": lambda m: m.nn.ReLU()}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradient_penalty(activation):
    """WGAN-GP's penalty (‖∂D/∂x‖ - 1)², backpropagated into the critic's parameters."""
    def penalty(m):
        critic = mlp(m, ACTIVATIONS[activation])
        x = leaf(m, A)
        (g,) = m.autograd.grad(critic(x).sum(), x, create_graph=True)
        loss = ((g.pow(2).sum(dim=1).sqrt() - 1) ** 2).mean()
        loss.backward()
        return [g, loss] + [p.grad for p in critic.parameters()]

    expected, actual = run(penalty)
    assert_same(expected, actual, "gradient, penalty, parameter gradients")


def test_hessian_vector_product():
    """H·v of an MSE loss w.r.t. the parameters, by double backward."""
    def hvp(m):
        model = mlp(m, ACTIVATIONS["tanh"])
        params = list(model.parameters())
        x, target = leaf(m, A, False), leaf(m, V[:, :1], False)
        loss = m.nn.functional.mse_loss(model(x), target)
        grads = m.autograd.grad(loss, params, create_graph=True)
        vs = [m.ones_like(p) * 0.1 for p in params]
        dot = sum((g * v).sum() for g, v in zip(grads, vs, strict=True))
        return m.autograd.grad(dot, params)

    expected, actual = run(hvp)
    assert_same(expected, actual, "H·v")


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_leaves_a_differentiable_grad():
    def steps(m):
        x = leaf(m, A[0])
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        requires = first.requires_grad
        (x ** 3).sum().backward(create_graph=True)  # accumulates, out of place
        second = x.grad
        (x.grad * x).sum().backward()  # no create_graph: adds 6x·x + 3x² into .grad
        return [first, second, x.grad], requires

    (expected, t_requires), (actual, e_requires) = run(steps)
    assert e_requires is t_requires is True
    assert_same(expected, actual, "x.grad after each backward")


def test_retain_graph_defaults_to_create_graph():
    def twice(m):
        x = leaf(m, A[0])
        y = (x.exp() * x).sum()
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (again,) = m.autograd.grad(y, x)  # the graph was kept
        return g, again

    expected, actual = run(twice)
    assert_same(expected, actual, "two passes through one graph")


def test_grad_outputs_that_require_grad():
    """The upstream gradient is an input of the backward graph, as in gradgradcheck."""
    def through_v(m):
        x, v = leaf(m, A), leaf(m, V)
        (g,) = m.autograd.grad(m.tanh(x), x, grad_outputs=v, create_graph=True)
        return m.autograd.grad((g * g).sum(), (x, v))

    expected, actual = run(through_v)
    assert_same(expected, actual, "d/dx, d/dv")


def test_hooks_see_tensors_with_a_graph():
    def hooked(m):
        x = leaf(m, A)
        h = x * x
        h.register_hook(lambda grad: grad * h)  # a hook result that depends on x
        (g,) = m.autograd.grad(h.sum(), x, create_graph=True)
        return g, m.autograd.grad(g.sum(), x)[0]

    expected, actual = run(hooked)
    assert_same(expected, actual, "gradient changed by a hook, and its derivative")


def test_first_order_results_have_no_graph():
    """Without create_graph nothing changes: gradients are plain tensors."""
    def plain(m):
        x = leaf(m, A)
        (g,) = m.autograd.grad((x ** 3).sum(), x)
        return g.requires_grad, g.grad_fn is None

    assert run(plain) == ((False, True), (False, True))


# ------------------------------------------------------------------ custom functions
def cube(m, correct=True):
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            seen.append(m.is_grad_enabled())
            # The planted bug: detach() makes the double backward miss 6x.
            return grad_output * 3 * (x if correct else x.detach()) ** 2

    seen = []
    return Cube, seen


def test_custom_function_double_backward():
    def double(m):
        fn, seen = cube(m)
        x = leaf(m, A[0])
        (g,) = m.autograd.grad(fn.apply(x).sum(), x, create_graph=True)
        (h,) = m.autograd.grad(g.sum(), x)
        m.autograd.grad(fn.apply(x).sum(), x)
        return (g, h), seen

    (expected, t_seen), (actual, e_seen) = run(double)
    assert_same(expected, actual, "custom Function: d, d²")
    assert e_seen == t_seen == [True, False], "backward runs with grad mode = create_graph"


def test_custom_function_with_an_unused_output():
    def two_outputs(m):
        class Split(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x, x * 2

            @staticmethod
            def backward(ctx, grad_square, grad_double):
                (x,) = ctx.saved_tensors
                return grad_square * 2 * x + grad_double * 2

        x = leaf(m, A[0])
        square, _ = Split.apply(x)
        (g,) = m.autograd.grad(square.sum(), x, create_graph=True)
        return g, m.autograd.grad((g * g).sum(), x)[0]

    expected, actual = run(two_outputs)
    assert_same(expected, actual, "zeros for the unused output, with a graph")


def test_once_differentiable_refuses_double_backward():
    def once(m):
        class Square(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @m.autograd.function.once_differentiable
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad

        x, v = leaf(m, A[0]), leaf(m, V[0])
        (g,) = m.autograd.grad(Square.apply(x), x, grad_outputs=v, create_graph=True)
        try:
            g.sum().backward()
        except RuntimeError as exc:
            return np_(g), g.requires_grad, str(exc)
        return np_(g), g.requires_grad, None

    (t_g, t_req, t_err), (e_g, e_req, e_err) = run(once)
    np.testing.assert_allclose(e_g, t_g)
    assert e_req is t_req is True
    assert t_err == e_err == ("trying to differentiate twice a function that was marked "
                              "with @once_differentiable")


# ------------------------------------------------------------------ gradgradcheck
GRADGRAD_FUNCTIONS = {
    "polynomial": (lambda m, a, b: (a ** 3 * b).sum(), 2),
    "mlp_like": (lambda m, a, b: m.tanh(m.nn.functional.linear(a, b)) ** 2, 2),
    "softplus_like": (lambda m, a, b: m.log(1 + m.exp(a)) * m.sigmoid(b), 2),
    "two_outputs": (lambda m, a, b: (a * b, m.exp(a).sum()), 2),
    "reductions": (lambda m, a, b: (a.sum(dim=0) * b.mean(dim=0)) ** 2, 2),
}


def small(m, requires_grad=True):
    return (leaf(m, A[:2, :3], requires_grad), leaf(m, B[:2, :3], requires_grad))


@pytest.mark.parametrize("name", sorted(GRADGRAD_FUNCTIONS))
def test_gradgradcheck_passes_on_correct_code(name):
    f, _ = GRADGRAD_FUNCTIONS[name]
    for m in (torch, ember):
        assert m.autograd.gradgradcheck(lambda a, b, m=m: f(m, a, b), small(m)) is True


def test_gradgradcheck_with_given_grad_outputs():
    for m in (torch, ember):
        a, b = small(m)
        v = leaf(m, V[:2, :3])
        assert m.autograd.gradgradcheck(lambda x, y, m=m: m.sin(x * y), (a, b), (v,))


def test_gradgradcheck_catches_a_wrong_double_backward():
    for m in (torch, ember):
        fn, _ = cube(m, correct=False)
        x = leaf(m, A[0])
        assert m.autograd.gradcheck(fn.apply, (x,)), "the first derivative is right"
        assert m.autograd.gradgradcheck(fn.apply, (x,), raise_exception=False) is False
        with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect "
                                               "to input 0"):
            m.autograd.gradgradcheck(fn.apply, (x,))
    assert issubclass(ember.autograd.GradcheckError, RuntimeError)


def test_gradgradcheck_is_exported_where_torch_has_it():
    from ember.autograd.gradcheck import gradgradcheck

    assert ember.autograd.gradgradcheck is gradgradcheck
    assert "gradgradcheck" in ember.autograd.__all__
    assert callable(torch.autograd.gradgradcheck)


# ------------------------------------------------------------------ unsupported ops
def test_an_op_without_tensor_backward_raises_naming_it():
    x = leaf(ember, A)
    y = x.clamp(min=0.1) ** 2
    with pytest.raises(RuntimeError, match=r"^ember: create_graph=True is not supported "
                                           r"through ClampBackward1: "):
        ember.autograd.grad(y.sum(), x, create_graph=True)
    # The same graph differentiates once without create_graph.
    (g,) = ember.autograd.grad((x.clamp(min=0.1) ** 2).sum(), x)
    assert not g.requires_grad


def test_freed_graph_under_create_graph():
    def freed(m):
        x = leaf(m, A[0])
        y = (x * x).sum()
        m.autograd.grad(y, x)
        try:
            m.autograd.grad(y, x, create_graph=True)
        except RuntimeError as exc:
            return str(exc).split(".")[0]
        return None

    expected, actual = run(freed)
    assert expected is not None and actual == expected
