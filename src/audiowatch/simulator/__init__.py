"""A simulated Head-Fi classifieds site on loopback, for tests, the demo and benchmarks."""
