"""Benchmarks: ``make bench`` prints each timing as a ratio to a baseline measured in the same run."""
