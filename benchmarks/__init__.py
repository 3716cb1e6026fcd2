"""Benchmarks: synthetic data, serving (milgraph vs Oxigraph vs rdflib-endpoint), reasoning."""
