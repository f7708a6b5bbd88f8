"""Exact oracles for ML losses and adapters to the libraries that compute them."""
