"""Benchmarks for kdeprecate (run by hand: `python benchmarks/run.py`; not part of the tests)."""
