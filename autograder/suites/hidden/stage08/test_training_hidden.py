"""Stage 08 · hidden: the corners of grad modes, optimizers and save/load.

Oracle: PyTorch's behaviour (``ember`` replaces ``torch``), NumPy replays of Adam, and the
documented file format. Crafted files must fail with an error, never half-load or run code.
"""

import io
import pickle
import threading
import zipfile

import numpy as np
import pytest

import ember
from autograder.suites import helpers
from ember import nn
from ember.optim import Adam, AdamW


def _adam_numpy(p, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return p


@helpers.beside_ember
def _throw_and_close_log():
    log = []

    @ember.no_grad()
    def gen():
        try:
            while True:
                try:
                    yield ember.is_grad_enabled()
                except ValueError:
                    log.append(("caught", ember.is_grad_enabled()))
        finally:
            log.append(("finally", ember.is_grad_enabled()))

    it = gen()
    first = next(it)
    again = it.throw(ValueError("x"))
    caller = ember.is_grad_enabled()
    it.close()
    return first, again, caller, log, ember.is_grad_enabled()


def test_generator_throw_and_close_run_in_the_mode():
    first, again, caller, log, after = helpers.run_beside_ember(_throw_and_close_log)
    assert first is False and again is False, "after throw() the generator yields again"
    assert caller and after, "the caller's mode between items and after close()"
    assert log == [("caught", False), ("finally", False)], (
        f"throw() and close() reach the generator in its mode: {log}")


@helpers.beside_ember
def _main_thread_mode_while_another_is_in_inference_mode():
    inside, release = threading.Event(), threading.Event()

    def worker():
        with ember.inference_mode():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    entered = inside.wait(5)
    try:
        return (entered, ember.is_grad_enabled(), ember.is_inference_mode_enabled(),
                (ember.ones(1, requires_grad=True) * 2).requires_grad)
    finally:
        release.set()
        thread.join()


def test_inference_mode_in_a_thread_leaves_the_main_thread_alone():
    entered, grad, inference, recorded = helpers.run_beside_ember(
        _main_thread_mode_while_another_is_in_inference_mode)
    assert entered, "the other thread entered inference_mode()"
    assert grad and not inference and recorded, (
        "inference_mode() in another thread must not switch this thread's mode")


def test_adam_groups_with_their_own_options():
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal(3), rng.standard_normal(2)
    a = ember.tensor(a0, dtype=ember.float64, requires_grad=True)
    b = ember.tensor(b0, dtype=ember.float64, requires_grad=True)
    opt = Adam([{"params": [a]}, {"params": [b], "lr": 0.2, "betas": (0.5, 0.9),
                                  "weight_decay": 0.1}], lr=0.01)
    ga, gb = [], []
    for _ in range(15):
        ga.append(rng.standard_normal(3))
        gb.append(rng.standard_normal(2))
        a.grad = ember.tensor(ga[-1], dtype=ember.float64)
        b.grad = ember.tensor(gb[-1], dtype=ember.float64)
        opt.step()
    np.testing.assert_allclose(a.detach().numpy(), _adam_numpy(a0, ga, 0.01), rtol=1e-10)
    np.testing.assert_allclose(b.detach().numpy(),
                               _adam_numpy(b0, gb, 0.2, (0.5, 0.9), weight_decay=0.1),
                               rtol=1e-10, err_msg="each group steps with its own options")


def test_adam_in_float32_keeps_the_dtype():
    rng = np.random.default_rng(1)
    start = rng.standard_normal((4, 2)).astype(np.float32)
    grads = [rng.standard_normal((4, 2)).astype(np.float32) for _ in range(20)]
    w = ember.tensor(start, requires_grad=True)
    opt = AdamW([w], lr=0.01, weight_decay=0.0)
    for g in grads:
        w.grad = ember.tensor(g)
        opt.step()
    assert w.dtype is ember.float32 and opt.state[w]["exp_avg"].dtype is ember.float32
    expected = _adam_numpy(start.astype(np.float64), [g.astype(np.float64) for g in grads],
                           0.01)
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_freezing_a_feature_extractor_trains_only_the_head():
    ember.manual_seed(0)
    features, head = nn.Linear(4, 8), nn.Linear(8, 2)
    features.requires_grad_(False)
    frozen = {k: v.clone() for k, v in features.state_dict().items()}
    trainable = [p for p in [*features.parameters(), *head.parameters()] if p.requires_grad]
    assert sum(p.numel() for p in trainable) == 8 * 2 + 2
    opt = Adam(trainable, lr=0.1)
    x, y = ember.randn(16, 4), ember.randn(16, 2)
    for _ in range(3):
        opt.zero_grad()
        ((head(features(x).relu()) - y) ** 2).mean().backward()
        opt.step()
    assert features.weight.grad is None, "a frozen layer gets no gradient"
    for name, value in features.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), frozen[name].numpy())
    assert len(opt.state) == 2 and all(s["step"] == 3 for s in opt.state.values())


def test_state_dict_before_any_step_and_skipped_parameters():
    a = ember.zeros(2, requires_grad=True)
    b = ember.zeros(2, requires_grad=True)
    opt = Adam([{"params": [a]}, {"params": [b]}])
    assert opt.state_dict()["state"] == {}, "no step yet: no state"
    a.grad = ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"]) == [0], "a parameter whose .grad is None gets no state"
    assert sd["state"][0]["step"] == 1


def _storage_replaced(data, array):
    """The file ``data`` with its first storage replaced by ``array`` (saved with pickle)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            if name == "data/0.npy":
                member = io.BytesIO()
                np.save(member, array, allow_pickle=True)
                archive.writestr(name, member.getvalue())
            else:
                archive.writestr(name, source.read(name))
    return out.getvalue()


def test_an_object_array_in_a_storage_is_refused():
    buffer = io.BytesIO()
    ember.save({"w": ember.ones(3)}, buffer)
    crafted = _storage_replaced(buffer.getvalue(), np.array([print, None, 3], dtype=object))
    with pytest.raises((RuntimeError, ValueError, pickle.UnpicklingError)):
        ember.load(io.BytesIO(crafted))


def test_a_tensor_that_does_not_fit_its_storage_is_refused():
    buffer = io.BytesIO()
    ember.save(ember.ones(4, dtype=ember.float64), buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    # A hand-made index: the same storage, but a shape far larger than its 4 numbers.
    index = io.BytesIO()

    placeholder = object()

    class Forger(pickle.Pickler):
        def persistent_id(self, obj):
            if obj is placeholder:
                return ("tensor", 0, "0", "<f8", 0, (1000,), (8,), False, "tensor")
            return None

    Forger(index, protocol=4).dump(placeholder)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, index.getvalue() if name == "data.pkl" else source.read(name))
    with pytest.raises(RuntimeError):
        ember.load(io.BytesIO(out.getvalue()))


@helpers.beside_ember
def _refused_global_message():
    class Sneaky:
        def __reduce__(self):
            return (eval, ("1 + 1",))

    buffer = io.BytesIO()
    ember.save([ember.zeros(1), {"nested": Sneaky()}], buffer)
    buffer.seek(0)
    try:
        ember.load(buffer)
    except pickle.UnpicklingError as exc:
        return str(exc)
    return None


def test_weights_only_names_the_refused_global():
    message = helpers.run_beside_ember(_refused_global_message)
    assert message is not None and "builtins.eval" in message, (
        f"weights_only=True refuses eval and names it: {message}")


def test_map_location_cpu_and_parameters_come_back_as_parameters():
    layer = nn.Linear(2, 3)
    buffer = io.BytesIO()
    ember.save({"w": layer.weight, "sd": layer.state_dict()}, buffer)
    buffer.seek(0)
    loaded = ember.load(buffer, map_location="cpu")
    assert loaded["w"].requires_grad, "a saved parameter keeps requires_grad"
    np.testing.assert_array_equal(loaded["sd"]["bias"].numpy(), layer.bias.detach().numpy())
    buffer.seek(0)
    kept = ember.load(buffer)
    assert isinstance(kept["w"], nn.Parameter), "a parameter loads as a Parameter"


def _dropout_run(model, opt, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()


def _dropout_net():
    return nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.5), nn.Linear(8, 1))


def test_a_checkpoint_with_the_rng_state_resumes_dropout_bit_exactly(tmp_path):
    ember.manual_seed(0)
    x, y = ember.randn(16, 3), ember.randn(16, 1)
    start = {k: v.clone() for k, v in _dropout_net().state_dict().items()}

    ember.manual_seed(1)
    straight = _dropout_net()
    straight.load_state_dict(start)
    opt = Adam(straight.parameters(), lr=0.01)
    _dropout_run(straight, opt, x, y, 8)

    ember.manual_seed(1)
    half = _dropout_net()
    half.load_state_dict(start)
    opt_half = Adam(half.parameters(), lr=0.01)
    _dropout_run(half, opt_half, x, y, 4)
    ember.save({"model": half.state_dict(), "optimizer": opt_half.state_dict(),
                "rng": ember.get_rng_state()}, tmp_path / "checkpoint.pt")

    ember.manual_seed(123)   # a new process would start from some other state
    checkpoint = ember.load(tmp_path / "checkpoint.pt")
    resumed = _dropout_net()
    resumed.load_state_dict(checkpoint["model"])
    opt_resumed = Adam(resumed.parameters(), lr=0.01)
    opt_resumed.load_state_dict(checkpoint["optimizer"])
    ember.set_rng_state(checkpoint["rng"])
    _dropout_run(resumed, opt_resumed, x, y, 4)
    for name, value in resumed.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), straight.state_dict()[name].numpy(),
                                      err_msg=f"{name}: dropout masks continue the same stream")
