"""Benchmarks and the load generator for PeerSim (not part of the test suite). See bench/README.md."""
