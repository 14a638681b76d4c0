"""The implementations behind ``ember.nn.functional``, one file per family of layers.

``ember.nn.functional`` re-exports them; each file holds the functions and the fused
``ArrayFunction``s they need (``linear.py``: ``Addmm``; ``conv.py``: ``Convolution``;
``loss.py``: the fused cross-entropy; ``normalization.py``: ``NativeBatchNorm``; ...).
"""
