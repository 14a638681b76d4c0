"""The 8×8 handwritten digits, shipped with ember: 1,437 training and 360 test images.

The data are the 1,797 images of the UCI ML "Optical Recognition of Handwritten Digits"
data set (E. Alpaydin and C. Kaynak, 1998, https://archive.ics.uci.edu/dataset/80), in the
copy bundled with scikit-learn (``sklearn.datasets.load_digits``, BSD-3-Clause licence, see
``DIGITS_README.md`` next to the data file). Each pixel counts the "on" cells of a 4×4
block of a 32×32 bitmap, so it is an integer in 0..16.

``digits.npz`` stores the images (uint8), the labels (uint8) and a fixed, stratified split:
the indices of 360 test images, about 20% of every class, drawn with a seeded generator by
``course/data/make_digits.py`` (which regenerates the file from scikit-learn).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import ember

#: The file shipped in the package.
DATA_FILE = Path(__file__).with_name("digits.npz")
#: The largest pixel value (16 cells of a 4×4 block).
MAX_PIXEL = 16


class Digits:
    """The 8×8 handwritten digits (torchvision-style data set).

    ``dataset[i]`` is ``(image, label)``: by default ``image`` is a float32 tensor of shape
    ``(1, 8, 8)`` (one channel) with values ``pixel / 16`` in ``[0, 1]``, and ``label`` a
    Python ``int`` in 0..9. A ``transform`` receives that tensor (torchvision's data sets
    hand their transforms a PIL image instead; ember's transforms, stage 10, take tensors),
    a ``target_transform`` the ``int`` label.

    Args:
        root: a folder holding ``digits.npz``; ``None`` (default) uses the copy shipped in
            the package. Nothing is ever downloaded.
        train: the 1,437 training images if ``True``, else the 360 test images.
        transform: a callable applied to each image tensor.
        target_transform: a callable applied to each label.

    Attributes:
        data: uint8 tensor ``(N, 8, 8)`` of raw pixels in 0..16.
        targets: int64 tensor ``(N,)`` of labels.
        classes: ``['0 - zero', '1 - one', ...]`` (as torchvision's MNIST).

    Data: UCI ML Optical Recognition of Handwritten Digits (Alpaydin and Kaynak, 1998), via
    scikit-learn (BSD-3-Clause).

    Example:
        >>> from ember.vision.datasets import Digits
        >>> train = Digits(train=True)
        >>> image, label = train[0]
        >>> image.shape, image.dtype, type(label)
        (ember.Size([1, 8, 8]), ember.float32, <class 'int'>)
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: str | Path | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None) -> None:
        self.root = None if root is None else str(root)
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        images, labels = _load_split(DATA_FILE if root is None else Path(root) / DATA_FILE.name,
                                     self.train)
        self.data = ember.from_numpy(images)
        self.targets = ember.from_numpy(labels.astype(np.int64))
        # Scaled once, so that __getitem__ only copies one image.
        self._images = (images.astype(np.float32) / MAX_PIXEL)[:, None]
        self._labels = labels.tolist()

    @property
    def class_to_idx(self) -> dict[str, int]:
        """``{'0 - zero': 0, ...}`` (torchvision's attribute)."""
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image = ember.from_numpy(self._images[index].copy())
        target = self._labels[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"

    def __repr__(self) -> str:
        lines = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines += self.extra_repr().splitlines()
        for name in ("transform", "target_transform"):
            value = getattr(self, name)
            if value is not None:
                label = "Transforms" if name == "transform" else "Target transforms"
                text = repr(value).splitlines()
                lines.append(f"{label}: {text[0]}")
                lines += [" " * (len(label) + 2) + line for line in text[1:]]
        return "\n".join([f"Dataset {type(self).__name__}"] + ["    " + line for line in lines])


def _load_split(path: Path, train: bool) -> tuple[np.ndarray, np.ndarray]:
    """The images and labels of one split stored in ``path``."""
    if not path.is_file():
        raise RuntimeError(f"Dataset not found at {path}: the digits ship with ember; "
                           "pass root=None or regenerate them with course/data/make_digits.py")
    with np.load(path) as arrays:
        images, labels = arrays["images"], arrays["labels"]
        is_test = np.zeros(len(labels), dtype=bool)
        is_test[arrays["test_indices"]] = True
    keep = ~is_test if train else is_test
    return np.ascontiguousarray(images[keep]), np.ascontiguousarray(labels[keep])
