"""The ops: one small ``ArrayFunction`` per operation, with the functional API around it.

Files group the ops by kind: ``elementwise`` (+ - * ...), ``division`` (/ // %), ``unary``
(exp, relu, ...), ``comparison``, ``reduction`` (sum, mean, ...), ``extrema`` (max, argmax,
...), ``linalg`` (matmul), ``shape`` (views), ``join`` (cat, split), ``indexing``,
``broadcast`` and ``conversion`` (dtypes).
"""
