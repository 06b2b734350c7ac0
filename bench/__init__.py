"""Benchmarks against the anchor engines (``make bench``); see bench/README.md."""
