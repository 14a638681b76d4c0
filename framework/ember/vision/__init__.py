"""``ember.vision``: data sets (and, from stage 10, transforms) for images, as torchvision.

``ember.vision.datasets.Digits`` ships with the package so that every notebook from stage 04
on can train on real data without a download.

Example:
    >>> from ember.vision.datasets import Digits
    >>> len(Digits(train=True)), len(Digits(train=False))
    (1437, 360)
"""

from ember.vision import datasets

__all__ = ["datasets"]
