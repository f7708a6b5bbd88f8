"""Collection rules for the whole tree (``pytest`` runs doctests over ``symxent/`` too)."""

from __future__ import annotations


def _numba_importable() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


# The compiled kernels import Numba at module level; without the optional dependency their
# doctests cannot be collected (the NumPy kernels are used instead, and tested).
collect_ignore_glob = [] if _numba_importable() else ["symxent/kernels/_jit_*.py"]
