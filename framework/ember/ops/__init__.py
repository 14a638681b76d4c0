"""The ops: one small ``ArrayFunction`` per operation, with the functional API around it.

Files group the ops by kind: ``elementwise`` (+ - * / ...), ``unary`` (exp, relu, ...),
``comparison``, ``reduction``, ``linalg`` (matmul), ``shape`` (views), ``join`` (cat,
split), ``indexing``, ``broadcast`` and ``conversion`` (dtypes).
"""
