"""Benchmarks of ember against NumPy and PyTorch (run by ``make bench``, never by CI)."""
