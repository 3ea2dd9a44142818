"""Load benchmarks: a data generator and a load runner (not tests; pytest never collects them)."""
