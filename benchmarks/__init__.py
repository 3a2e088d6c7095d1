"""Benchmarks of the partnership graph: a synthetic corpus generator and the runner.

``python -m benchmarks.generate`` writes a corpus; ``python -m benchmarks.run`` measures
builds, queries and the endpoint and writes ``BENCHMARKS.md``.
"""
