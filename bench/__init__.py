"""Benchmarks and large-scale data generators for Portcullis (issue 4). Not part of `make test`.

Entry points: `python -m bench.verify` (bulk data equals service-written data) and
`python -m bench.run --size N` (generate, measure, write bench/RESULTS.md and results.json).
"""
