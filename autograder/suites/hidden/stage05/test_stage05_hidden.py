"""Hidden · stage 05: custom Functions' corner cases, gradcheck's bookkeeping, XNOR layers.

Oracles: PyTorch's documented ``Function`` and ``gradcheck`` behaviour (``ember`` replaces
``torch``), hand-derived Jacobians, NumPy formulas for the binary layers, and float64
central differences with random upstream gradients.
"""

import numpy as np
import pytest

import ember
from autograder.suites.helpers import check_grad, grad_of
from ember import nn
from ember.autograd import Function, gradcheck
from ember.autograd.custom_function import once_differentiable
from ember.autograd.gradcheck import GradcheckError, analytical_jacobian, numerical_jacobian
from ember.nn.binary import binarize, binary_weight


def _double(*shape, seed=0, requires_grad=True):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(shape), dtype=ember.float64,
                        requires_grad=requires_grad)


class _Three(Function):
    """x + y, x * y and x - y."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x + y, x * y, x - y

    @staticmethod
    def backward(ctx, g_sum, g_prod, g_diff):
        x, y = ctx.saved_tensors
        return g_sum + g_prod * y + g_diff, g_sum + g_prod * x - g_diff


class _WithIndex(Function):
    """x * 2 and the (integer) index of the largest element."""

    seen = []

    @staticmethod
    def forward(ctx, x):
        return x * 2, x.argmax()

    @staticmethod
    def backward(ctx, grad, grad_index):
        _WithIndex.seen.append(grad_index)
        return grad * 2


class _Mask(Function):
    """A single output, marked non-differentiable."""

    @staticmethod
    def forward(ctx, x):
        mask = (x > 0).to(x.dtype)
        ctx.mark_non_differentiable(mask)
        return mask

    @staticmethod
    def backward(ctx, grad):
        return grad


class _SaveOutputs(Function):
    """exp(x) and exp(-x), both saved for backward."""

    @staticmethod
    def forward(ctx, x):
        up, down = x.exp(), (-x).exp()
        ctx.save_for_backward(up, down)
        return up, down

    @staticmethod
    def backward(ctx, g_up, g_down):
        up, down = ctx.saved_tensors
        return g_up * up - g_down * down


class _WrongSecond(Function):
    """Two outputs; the gradient through the second one is wrong (3 instead of 2)."""

    @staticmethod
    def forward(ctx, x):
        return x * 1, x * 2

    @staticmethod
    def backward(ctx, g1, g2):
        return g1 + 3 * g2


# ------------------------------------------------------------------ Function API
def test_three_outputs_gradients():
    check_grad(lambda x, y: _Three.apply(x, y), (3,), (3,), what="_Three (three outputs)")


def test_outputs_are_numbered_in_order():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = ember.tensor([3.0, 5.0], requires_grad=True)
    _, prod, _ = _Three.apply(x, y)
    prod.sum().backward()
    np.testing.assert_allclose(grad_of(x), [3.0, 5.0], err_msg="d(xy)/dx = y: the gradient "
                               "of output 1 must reach backward as its second argument")
    np.testing.assert_allclose(grad_of(y, "y"), [1.0, 2.0], err_msg="d(xy)/dy = x")


def test_integer_output_gets_no_history_and_zero_gradient():
    _WithIndex.seen.clear()
    x = ember.tensor([1.0, 4.0, 2.0], requires_grad=True)
    doubled, index = _WithIndex.apply(x)
    assert not index.requires_grad and index.grad_fn is None, "integer outputs have no grad"
    assert index.item() == 1, "argmax"
    doubled.sum().backward()
    np.testing.assert_allclose(grad_of(x), [2.0, 2.0, 2.0], err_msg="d(2x)/dx")
    (grad_index,) = _WithIndex.seen
    assert isinstance(grad_index, ember.Tensor) and grad_index.item() == 0, (
        f"the integer output's gradient is a zero tensor, got {grad_index!r}")


def test_single_non_differentiable_output():
    x = ember.tensor([1.0, -2.0], requires_grad=True)
    mask = _Mask.apply(x)
    assert not mask.requires_grad and mask.grad_fn is None, (
        "a single output marked non-differentiable does not require grad")
    with pytest.raises(RuntimeError, match="does not require grad"):
        mask.sum().backward()


def test_saved_output_modified_in_place_is_detected():
    x = ember.tensor([0.5, 1.0], requires_grad=True)
    up, down = _SaveOutputs.apply(x)
    check = (up + down).sum()
    down.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        check.backward()


def test_saved_outputs_gradients():
    check_grad(lambda x: _SaveOutputs.apply(x), (4,), what="_SaveOutputs")


def test_retain_graph_reuses_a_multi_output_node():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = ember.tensor([3.0, 4.0], requires_grad=True)
    total, prod, _ = _Three.apply(x, y)
    loss = (total + prod).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_allclose(grad_of(x), 2 * (1 + np.array([3.0, 4.0])),
                               err_msg="two backward calls accumulate")


def test_once_differentiable_with_a_plain_argument():
    class Power(Function):
        @staticmethod
        def forward(ctx, x, p):
            ctx.save_for_backward(x)
            ctx.p = p
            return x ** p

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * ctx.p * x ** (ctx.p - 1), None

    check_grad(lambda x: Power.apply(x, 3), (5,), what="Power.apply(x, 3)")


def test_gradient_for_the_third_argument_must_be_none():
    class Affine(Function):
        @staticmethod
        def forward(ctx, x, w, k):
            return x * w + k

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            return grad, grad, grad

    x, w = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned a gradient different than None at "
                                           r"position 3"):
        Affine.apply(x, w, 1.0).sum().backward()


def test_materialize_false_with_every_output_used():
    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            assert g1 is not None and g2 is not None, "both outputs were used"
            return 2 * g1 + 3 * g2

    check_grad(lambda x: Pair.apply(x), (3,), what="Pair (both outputs used)")


# ------------------------------------------------------------------ gradcheck
def test_numerical_jacobian_shape_for_a_reduction():
    x = _double(2, 3)
    (jac,) = numerical_jacobian(lambda t: t.sum(1), (x,), 0, 1e-6)
    expected = np.kron(np.eye(2), np.ones((3, 1)))  # 6 input elements x 2 outputs
    np.testing.assert_allclose(np.asarray(jac), expected, atol=1e-8, err_msg=(
        "numerical Jacobian: shape (input numel, output numel) = (6, 2)"))


def test_analytical_jacobian_of_a_matrix_product():
    a, b = _double(2, 3), _double(3, seed=1)
    out = a @ b
    jac_a, jac_b = analytical_jacobian(out, (a, b), [0, 1])
    b_np, a_np = b.detach().numpy(), a.detach().numpy()
    np.testing.assert_allclose(np.asarray(jac_a), np.kron(np.eye(2), b_np.reshape(3, 1)),
                               err_msg="d(a @ b)_i / d a_ij = b_j (rows: a's elements)")
    np.testing.assert_allclose(np.asarray(jac_b), a_np.T, err_msg="d(a @ b)_i / d b_j = a_ij")


def test_gradcheck_names_the_wrong_output():
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 1 with respect to "
                                             "input 0"):
        gradcheck(_WrongSecond.apply, (_double(3),))


def test_gradcheck_numbers_inputs_that_require_grad():
    constant = _double(3, requires_grad=False)

    class WrongY(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad):
            return None, grad * 7

    with pytest.raises(GradcheckError, match="with respect to input 0"):
        gradcheck(WrongY.apply, (constant, _double(3, seed=2)))


def test_gradcheck_accepts_a_single_tensor_and_a_scalar():
    assert gradcheck(lambda t: t.tanh(), _double(4)) is True, "inputs may be one tensor"
    x = ember.tensor(0.7, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t: t * t * t, (x,)) is True, "0-d inputs work"


def test_gradcheck_skips_integer_outputs():
    assert gradcheck(lambda t: (t.sin(), t.argmax()), (_double(5),)) is True


def test_gradcheck_atol_is_used():
    x = _double(3)
    assert gradcheck(_WrongSecond.apply, (x,), atol=10.0) is True, (
        "an error below atol passes")
    assert gradcheck(_WrongSecond.apply, (x,), raise_exception=False) is False


def test_gradcheck_restores_the_inputs():
    x = _double(2, 2)
    before = x.detach().numpy().copy()
    gradcheck(_WrongSecond.apply, (x,), raise_exception=False)
    np.testing.assert_array_equal(x.detach().numpy(), before,
                                  err_msg="gradcheck must leave its inputs unchanged")


def test_gradcheck_message_reports_both_values():
    class Off(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 4

    with pytest.raises(GradcheckError) as info:
        gradcheck(Off.apply, (ember.tensor([1.0, 2.0], dtype=ember.float64,
                                           requires_grad=True),))
    message = str(info.value)
    assert "3" in message and "4" in message and "numerical" in message, message


# ------------------------------------------------------------------ XNOR-Net
def test_binarize_float64_matrix():
    x = _double(3, 4, requires_grad=False)
    y = binarize(x)
    assert y.dtype == ember.float64 and tuple(y.shape) == (3, 4), "dtype and shape kept"
    np.testing.assert_array_equal(y.numpy(), np.where(x.numpy() >= 0, 1.0, -1.0))


def test_ste_with_random_upstream():
    rng = np.random.default_rng(11)
    values = rng.uniform(-2, 2, (4, 5))
    upstream = rng.standard_normal((4, 5))
    x = ember.tensor(values, dtype=ember.float64, requires_grad=True)
    binarize(x).backward(ember.tensor(upstream, dtype=ember.float64))
    np.testing.assert_allclose(grad_of(x), upstream * (np.abs(values) < 1))


def test_binary_weight_saturated_weights_only_get_alpha_gradient():
    w = np.array([[1.5, -2.0], [3.0, 1.0]])
    weight = ember.tensor(w, dtype=ember.float64, requires_grad=True)
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    binary_weight(weight).backward(ember.tensor(g, dtype=ember.float64))
    b = np.sign(w)
    expected = b / 2 * (g * b).sum(1, keepdims=True)  # |W| >= 1 everywhere: no STE part
    np.testing.assert_allclose(grad_of(weight, "weight"), expected)


def test_binary_conv_weight_values_per_channel():
    w = np.random.default_rng(12).standard_normal((3, 2, 3, 3))
    got = binary_weight(ember.tensor(w, dtype=ember.float64)).numpy()
    for o in range(3):
        np.testing.assert_allclose(np.abs(got[o]), np.abs(w[o]).mean(), err_msg=(
            f"channel {o}: every binary weight is ±alpha_{o} = mean |W[{o}]|"))


def test_binary_linear_without_bias_and_input_gradient():
    ember.manual_seed(3)
    layer = nn.BinaryLinear(3, 2, bias=False)
    assert layer.bias is None
    w = layer.weight.detach().numpy().astype(np.float64)
    wb = np.abs(w).mean(1, keepdims=True) * np.where(w >= 0, 1.0, -1.0)
    x = ember.tensor(np.random.default_rng(13).standard_normal((4, 3)), dtype=ember.float32,
                     requires_grad=True)
    out = layer(x)
    np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy() @ wb.T, rtol=1e-5,
                               atol=1e-6)
    g = np.random.default_rng(14).standard_normal((4, 2)).astype(np.float32)
    out.backward(ember.tensor(g))
    np.testing.assert_allclose(grad_of(x), g @ wb, rtol=1e-5, atol=1e-6,
                               err_msg="the input's gradient uses the binary weight")


def test_binary_conv2d_no_bias_padding():
    ember.manual_seed(4)
    conv = nn.BinaryConv2d(1, 2, 3, padding=1, bias=False)
    x = np.random.default_rng(15).standard_normal((1, 1, 4, 4))
    w = conv.weight.detach().numpy().astype(np.float64)
    wb = np.abs(w).reshape(2, -1).mean(1).reshape(2, 1, 1, 1) * np.where(w >= 0, 1.0, -1.0)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    want = np.zeros((1, 2, 4, 4))
    for i in range(4):
        for j in range(4):
            want[0, :, i, j] = np.einsum("ckl,ockl->o", padded[0, :, i:i + 3, j:j + 3], wb)
    got = conv(ember.tensor(x, dtype=ember.float32)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_binary_network_learns():
    ember.manual_seed(0)
    rng = np.random.default_rng(16)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -1.0, 0.5, 0.0]) > 0).astype(np.float32).reshape(-1, 1)
    model = nn.Sequential(nn.BinaryLinear(4, 8), nn.Linear(8, 1))
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    inputs, targets = ember.tensor(x), ember.tensor(y)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = ((model(inputs).sigmoid() - targets) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0], (
        f"training a BinaryLinear network must lower the loss: {losses[0]:.4f} -> "
        f"{losses[-1]:.4f}")
