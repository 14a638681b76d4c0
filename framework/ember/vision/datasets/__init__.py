"""``ember.vision.datasets``: ready-made data sets (torchvision's ``torchvision.datasets``)."""

from ember.vision.datasets.digits import Digits

__all__ = ["Digits"]
