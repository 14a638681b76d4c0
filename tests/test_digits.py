"""The shipped Digits data set: its split, its file and the script that regenerates it.

Digits is scaffold (no student code), so the reference in ``solutions/`` is tested; the
comparison with scikit-learn's copy runs when scikit-learn (a dev dependency) is installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
sys.path.insert(0, str(SOLUTIONS))

import ember  # noqa: E402
from ember.vision.datasets import Digits  # noqa: E402
from ember.vision.datasets.digits import DATA_FILE  # noqa: E402


def _make_digits():
    spec = importlib.util.spec_from_file_location("make_digits",
                                                  ROOT / "course/data/make_digits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def train():
    return Digits(train=True)


@pytest.fixture(scope="module")
def test():
    return Digits(train=False)


def test_reference_is_tested():
    assert Path(ember.__file__).resolve().is_relative_to(SOLUTIONS)


def test_file_is_small_and_in_the_package():
    assert DATA_FILE.is_file() and DATA_FILE.stat().st_size < 100_000
    assert (DATA_FILE.parent / "DIGITS_README.md").is_file()


def test_sizes(train, test):
    assert (len(train), len(test)) == (1437, 360)
    assert train.data.shape == (1437, 8, 8) and test.data.shape == (360, 8, 8)
    assert train.targets.shape == (1437,) and test.targets.shape == (360,)
    assert train.data.dtype is ember.uint8 and train.targets.dtype is ember.int64


def test_item(train):
    image, label = train[5]
    assert image.shape == (1, 8, 8) and image.dtype is ember.float32
    assert type(label) is int and 0 <= label <= 9
    assert label == int(train.targets[5])
    np.testing.assert_array_equal(image.numpy()[0], train.data.numpy()[5] / np.float32(16))
    pixels = np.stack([train[i][0].numpy() for i in range(len(train))])
    assert pixels.min() == 0.0 and pixels.max() == 1.0


def test_item_is_a_copy(train):
    image, _ = train[0]
    image.fill_(7.0)
    assert float(train[0][0].max()) <= 1.0


def test_transforms(train):
    seen = []
    dataset = Digits(train=True, transform=lambda x: seen.append(x) or x * 2,
                     target_transform=lambda y: y + 100)
    image, label = dataset[3]
    assert isinstance(seen[0], ember.Tensor) and seen[0].shape == (1, 8, 8)
    np.testing.assert_allclose(image.numpy(), 2 * train[3][0].numpy())
    assert label == train[3][1] + 100


def test_split_is_stratified_and_disjoint(train, test):
    n_train = np.bincount(train.targets.numpy(), minlength=10)
    n_test = np.bincount(test.targets.numpy(), minlength=10)
    assert n_train.sum() + n_test.sum() == 1797
    share = n_test / (n_train + n_test)
    assert np.all(np.abs(share - 360 / 1797) < 0.01), share
    with np.load(DATA_FILE) as arrays:
        test_indices = arrays["test_indices"]
    assert len(np.unique(test_indices)) == 360 and np.all(np.diff(test_indices) > 0)


def test_classes_and_repr(train, test):
    assert train.classes[0] == "0 - zero" and train.classes[9] == "9 - nine"
    assert train.class_to_idx["3 - three"] == 3
    assert repr(train) == "Dataset Digits\n    Number of datapoints: 1437\n    Split: Train"
    assert repr(test) == "Dataset Digits\n    Number of datapoints: 360\n    Split: Test"


def test_root_folder(tmp_path):
    (tmp_path / "digits.npz").write_bytes(DATA_FILE.read_bytes())
    dataset = Digits(root=tmp_path, train=False)
    assert len(dataset) == 360 and f"Root location: {tmp_path}" in repr(dataset)
    with pytest.raises(RuntimeError, match="Dataset not found"):
        Digits(root=tmp_path / "nowhere")


def test_split_is_reproducible():
    make = _make_digits()
    labels = np.repeat(np.arange(10), 180)
    first = make.stratified_test_indices(labels)
    np.testing.assert_array_equal(first, make.stratified_test_indices(labels))
    assert len(first) == make.N_TEST


def test_file_matches_scikit_learn_and_regenerates(tmp_path):
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    with np.load(DATA_FILE) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    np.testing.assert_array_equal(stored["images"], bunch.images)
    np.testing.assert_array_equal(stored["labels"], bunch.target)
    out = _make_digits().main(["--out", str(tmp_path / "digits.npz")])
    with np.load(out) as arrays:
        assert sorted(arrays.files) == sorted(stored)
        for name in stored:
            assert arrays[name].dtype == stored[name].dtype, name
            np.testing.assert_array_equal(arrays[name], stored[name], err_msg=name)
