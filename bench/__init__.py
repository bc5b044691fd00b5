"""Benchmarks: `make bench` (python -m bench). Medians and ratios, never assertions."""
