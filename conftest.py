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


def _dask_importable() -> bool:
    try:
        import dask.array  # noqa: F401
    except ImportError:
        return False
    return True


# symxent.dask imports Dask lazily, but its doctests run Dask (an optional dependency).
if not _dask_importable():
    collect_ignore_glob.append("symxent/dask.py")
