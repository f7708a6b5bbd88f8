"""Is the floating-point environment the one the kernels' error bounds assume?

The bounds of :mod:`symxent.kernels` rely on IEEE binary64 arithmetic with round-to-nearest and
*gradual underflow*. Some processes run with flush-to-zero (FTZ: tiny results become 0) or
denormals-are-zero (DAZ: tiny inputs are read as 0), set by a library that was loaded earlier
(``-ffast-math`` builds). Both break error-free transformations silently, so the kernels probe
NumPy's own arithmetic once at import and decline (return ``None``, so the exact reference path
is used) when a probe fails.

>>> subnormals_survive()
True
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["subnormals_survive", "rounds_to_nearest", "FP_ENV_OK"]

_TINY = 2.0**-1074  # the smallest subnormal


def _np_mul(a: float, b: float) -> float:
    return float((np.array([a]) * np.array([b]))[0])


def _np_add(a: float, b: float) -> float:
    return float((np.array([a]) + np.array([b]))[0])


def subnormals_survive(mul: Callable[[float, float], float] = _np_mul) -> bool:
    """True when ``mul`` (NumPy's multiplication by default) neither flushes a subnormal result
    to zero (FTZ) nor reads a subnormal operand as zero (DAZ).

    >>> subnormals_survive(lambda a, b: 0.0 if abs(a * b) < 2.0**-1022 else a * b)   # an FTZ unit
    False
    """
    ftz_ok = mul(2.0**-1022, 0.5) == 2.0**-1023
    daz_ok = mul(_TINY, 2.0**60) == 2.0**-1014
    return bool(ftz_ok and daz_ok)


def rounds_to_nearest(add: Callable[[float, float], float] = _np_add) -> bool:
    """True when ``add`` rounds to nearest, ties to even (the only mode the bounds assume).

    >>> rounds_to_nearest(lambda a, b: a + b)
    True
    """
    eps = 2.0**-53
    return bool(add(1.0, eps) == 1.0 and add(1.0, 3 * eps) == 1.0 + 4 * eps
                and add(-1.0, -3 * eps) == -1.0 - 4 * eps and add(1.0, eps * 1.5) == 1.0 + 2 * eps)


FP_ENV_OK: bool = subnormals_survive() and rounds_to_nearest()
