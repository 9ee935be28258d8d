"""Benchmarks: each figure measured beside a naive baseline in the same run."""
