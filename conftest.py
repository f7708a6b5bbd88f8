"""Collection rules for the whole tree (``pytest`` runs doctests over ``symxent/`` too)."""

from __future__ import annotations


def _numba_importable() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _matplotlib_importable() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


# The compiled kernels import Numba at module level; without the optional dependency their
# doctests cannot be collected (the NumPy kernels are used instead, and tested).
collect_ignore_glob = [] if _numba_importable() else ["symxent/kernels/_jit_*.py"]
# The drawing functions' doctests draw figures: without the optional extra 'plot' (matplotlib)
# they are skipped (symxent/plot/contributions.py computes without matplotlib and stays).
if not _matplotlib_importable():
    collect_ignore_glob += ["symxent/plot/__init__.py", "symxent/plot/distributions.py",
                            "symxent/plot/losses.py", "symxent/plot/heatmap.py", "symxent/plot/_mpl.py"]


def _dask_importable() -> bool:
    try:
        import dask.array  # noqa: F401
    except ImportError:
        return False
    return True


# symxent.dask imports Dask lazily, but its doctests run Dask (an optional dependency).
if not _dask_importable():
    collect_ignore_glob.append("symxent/dask.py")
