"""Stage 08 · grad_modes: ``inference_mode``, grad-mode decorators on generators, threads.

Oracle: PyTorch's behaviour (``ember`` replaces ``torch``). Inside ``inference_mode()``
nothing is recorded and ``ember.is_inference_mode_enabled()`` is True; both switches come
back on exit, also after an exception. A grad-mode decorator on a generator function runs
the generator's body in the mode and gives the caller its own mode between ``yield``\\s.
The mode belongs to a thread: switching it in one thread leaves the others alone.
"""

import threading
import warnings

import pytest

import ember
from autograder.suites import helpers
from ember.autograd import Variable


def test_inference_mode_records_nothing():
    x = ember.ones(3, requires_grad=True)
    with ember.inference_mode():
        assert ember.is_inference_mode_enabled(), "inside inference_mode() it is enabled"
        assert not ember.is_grad_enabled(), "inference_mode() switches recording off"
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad, (
        "a result computed under inference_mode() has no grad_fn and needs no gradient")
    assert ember.is_grad_enabled() and not ember.is_inference_mode_enabled(), (
        "leaving inference_mode() restores both switches")
    assert (x * 2).requires_grad, "after the block operations are recorded again"


def test_inference_mode_false_and_nesting():
    with ember.inference_mode(False):
        assert ember.is_grad_enabled() and not ember.is_inference_mode_enabled(), (
            "inference_mode(False) changes nothing")
    with ember.no_grad():
        with ember.inference_mode():
            assert ember.is_inference_mode_enabled()
        assert not ember.is_grad_enabled(), "leaving inference_mode() restores no_grad's mode"
        assert not ember.is_inference_mode_enabled()
    assert ember.is_grad_enabled()


def test_inference_mode_is_restored_after_an_exception():
    with pytest.raises(KeyError):
        with ember.inference_mode():
            raise KeyError("inside")
    assert ember.is_grad_enabled() and not ember.is_inference_mode_enabled(), (
        "an exception inside inference_mode() must not leave it switched on")


def test_inference_mode_as_decorator():
    @ember.inference_mode()
    def called():
        return ember.is_inference_mode_enabled(), ember.is_grad_enabled()

    @ember.inference_mode
    def bare():
        return ember.is_inference_mode_enabled(), ember.is_grad_enabled()

    assert called() == (True, False), "@inference_mode() runs the function in the mode"
    assert bare() == (True, False), "@inference_mode (no parentheses) works too"
    assert called.__name__ == "called", "the decorator keeps the function's name"
    assert not ember.is_inference_mode_enabled()


# Generators and threads run beside ember (in its process): the facts come back as data.
@helpers.beside_ember
def _no_grad_generator_modes():
    @ember.no_grad()
    def batches():
        for k in range(3):
            yield k, ember.is_grad_enabled()

    inside, outside = [], []
    for _, mode in batches():
        inside.append(mode)
        outside.append(ember.is_grad_enabled())
    return inside, outside


def test_no_grad_on_a_generator_holds_only_inside_its_body():
    inside, outside = helpers.run_beside_ember(_no_grad_generator_modes)
    assert inside == [False, False, False], "the generator's body runs under no_grad"
    assert outside == [True, True, True], (
        "between two items the caller's loop runs in the caller's mode, not the generator's")


@helpers.beside_ember
def _enable_grad_generator_facts():
    @ember.enable_grad
    def gen():
        received = yield ember.is_grad_enabled()
        yield received, ember.is_grad_enabled()
        return "done"

    facts = {}
    with ember.no_grad():
        it = gen()
        facts["first"] = next(it)
        facts["caller"] = ember.is_grad_enabled()
        facts["sent"] = it.send("hello")
        try:
            next(it)
        except StopIteration as end:  # the generator's return value rides on it
            facts["returned"] = end.value
    return facts


def test_enable_grad_on_a_generator_inside_no_grad():
    facts = helpers.run_beside_ember(_enable_grad_generator_facts)
    assert facts["first"] is True, "@enable_grad: the body records even inside no_grad"
    assert facts["caller"] is False, "the caller keeps no_grad between items"
    assert facts["sent"] == ("hello", True), "send() reaches the generator"
    assert facts.get("returned") == "done", "the generator's return value comes through"


@helpers.beside_ember
def _set_grad_enabled_and_inference_generators():
    @ember.set_grad_enabled(False)
    def off():
        yield ember.is_grad_enabled()

    @ember.inference_mode()
    def inference():
        yield ember.is_inference_mode_enabled()

    unchanged = ember.is_grad_enabled()
    return (unchanged, list(off()), list(inference()), ember.is_grad_enabled(),
            ember.is_inference_mode_enabled())


def test_set_grad_enabled_and_inference_mode_on_generators():
    unchanged, off, inference, grad_after, inference_after = helpers.run_beside_ember(
        _set_grad_enabled_and_inference_generators)
    assert unchanged, "decorating with set_grad_enabled changes nothing yet"
    assert off == [False] and inference == [True]
    assert grad_after and not inference_after


@helpers.beside_ember
def _modes_seen_by_a_thread_started_in_inference_mode():
    seen = {}

    def worker():
        seen["grad"] = ember.is_grad_enabled()
        seen["inference"] = ember.is_inference_mode_enabled()

    with ember.inference_mode():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        seen["main"] = ember.is_inference_mode_enabled()
    return seen


def test_the_mode_is_thread_local():
    seen = helpers.run_beside_ember(_modes_seen_by_a_thread_started_in_inference_mode)
    assert seen["main"], "the main thread is still in the mode"
    assert (seen["grad"], seen["inference"]) == (True, False), (
        "a thread started inside inference_mode() has its own mode: recording on, "
        "inference mode off")


def test_volatile_warns_and_inference_mode_replaces_it():
    x = ember.ones(2)
    with pytest.warns(UserWarning, match="volatile was removed"):
        v = Variable(x, volatile=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert v.volatile is False, "x.volatile reads False, as since PyTorch 0.4"
    w = ember.ones(2, requires_grad=True)
    with ember.inference_mode():   # what volatile=True used to mean
        out = v * w
    assert not out.requires_grad, "the replacement of volatile: nothing recorded"
