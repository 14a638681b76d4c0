"""Regenerate ``solutions/ember/vision/datasets/digits.npz`` from scikit-learn's copy.

The data: the 1,797 8×8 images of the UCI ML "Optical Recognition of Handwritten Digits"
data set (E. Alpaydin and C. Kaynak, 1998), as bundled with scikit-learn (BSD-3-Clause).
Each pixel counts the "on" cells of a 4×4 block of a 32×32 bitmap: an integer in 0..16.

The split: a fixed, stratified train/test split of 1,437/360 images (about 80/20 in every
class), drawn with NumPy's PCG64 generator seeded with :data:`SEED`, so it is the same on
every machine and NumPy version. The file stores the images (uint8, 0..16), the labels
(uint8) and the indices of the test images (sorted, int16).

Usage (scikit-learn is a dev-only dependency: ``pip install -e .[dev]``)::

    python course/data/make_digits.py [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

SEED = 2016
N_TEST = 360
DEFAULT_OUT = (Path(__file__).resolve().parents[2]
               / "solutions" / "ember" / "vision" / "datasets" / "digits.npz")


def load_sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits as ``(images uint8 (1797, 8, 8), labels uint8 (1797,))``."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = bunch.images.astype(np.uint8)
    if not np.array_equal(images, bunch.images):
        raise ValueError("scikit-learn's digits are no longer integers in 0..16")
    return images, bunch.target.astype(np.uint8)


def stratified_test_indices(labels: np.ndarray, n_test: int = N_TEST,
                            seed: int = SEED) -> np.ndarray:
    """Sorted indices of ``n_test`` images, each class represented in proportion.

    Class ``c`` with ``n_c`` images gets ``floor(n_test * n_c / N)`` test images; the
    images left over go to the classes with the largest remainders (ties: smaller class
    label first). Within a class the images are chosen by a seeded permutation.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    classes, counts = np.unique(labels, return_counts=True)
    exact = n_test * counts / counts.sum()
    quota = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[: n_test - quota.sum()]] += 1
    chosen = [rng.permutation(np.flatnonzero(labels == c))[:q]
              for c, q in zip(classes, quota, strict=True)]
    return np.sort(np.concatenate(chosen)).astype(np.int16)


def make_arrays() -> dict[str, np.ndarray]:
    """The arrays stored in ``digits.npz``."""
    images, labels = load_sklearn_digits()
    return {"images": images, "labels": labels,
            "test_indices": stratified_test_indices(labels)}


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the .npz to write")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **make_arrays())
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return args.out


if __name__ == "__main__":
    main()
