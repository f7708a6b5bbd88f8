"""The argument-reduction table of the log kernel, and high-precision constants.

A positive normal double is ``x = 2**e * m`` with ``m`` in ``[1/2, 1)``. The top ``INDEX_BITS``
bits of the fraction of ``m`` pick a bucket ``j`` of width ``2**-(B + 2)``; its reducer is
``r_j = k_j / 2**B`` (``B = 12``, ``k_j`` an integer of at most ``B + 1`` bits, so ``r_j`` is an exact
double). The table is built so that every ``m`` of bucket ``j`` has ``|m * r_j - 1| < 2**-B``;
this is checked exactly (``Fraction``) when the table is built, and again on the data.

``L_j = log(r_j)`` and ``log 2`` are computed with mpmath at ``WORK_PREC`` bits, floored onto the
grid ``2**-FRAC_BITS``, and each is then only trusted to ``2**-TRUST_BITS`` absolute: a margin of
2**40 units, so the bound does not rest on mpmath rounding its logarithm correctly.

>>> t = reduction_table()
>>> int(t.r[0]), int(t.r[-1])          # m near 1/2 uses r = 2, m near 1 uses r = 1
(2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np

__all__ = ["B", "INDEX_BITS", "FRAC_BITS", "TRUST_BITS", "ReductionTable", "reduction_table", "log2_fixed"]

B = 12  # |t| < 2**-B after reduction
INDEX_BITS = B + 1
WORK_PREC = 360
FRAC_BITS = 340
TRUST_BITS = 300


@dataclass(frozen=True)
class ReductionTable:
    k: np.ndarray  # int64 numerators, r_j = k_j / 2**B
    r: np.ndarray  # float64 reducers (exact)
    log_r: tuple[int, ...]  # floor(log(r_j) * 2**FRAC_BITS), trusted to 2**-TRUST_BITS


def _check_bucket(j: int, k: int) -> None:
    lo = Fraction(1, 2) + Fraction(j, 2 ** (INDEX_BITS + 1))
    hi = lo + Fraction(1, 2 ** (INDEX_BITS + 1))  # open end
    r = Fraction(k, 2**B)
    bound = Fraction(1, 2**B)
    if not (abs(lo * r - 1) < bound and abs(hi * r - 1) <= bound):
        raise AssertionError(f"reduction table bucket j={j} with k={k} does not reduce below 2**-{B}")


def log_fixed(num: int, den_bits: int) -> int:
    """``floor(log(num / 2**den_bits) * 2**FRAC_BITS)`` computed at ``WORK_PREC`` bits."""
    with mpmath.workprec(WORK_PREC):
        v = mpmath.log(mpmath.mpf(num) / mpmath.mpf(2) ** den_bits)
        return int(mpmath.floor(mpmath.ldexp(v, FRAC_BITS)))


@lru_cache(maxsize=1)
def log2_fixed() -> int:
    """``floor(log(2) * 2**FRAC_BITS)``, trusted to ``2**-TRUST_BITS``.

    >>> abs(log2_fixed() / 2**FRAC_BITS - 0.6931471805599453) < 1e-16
    True
    """
    return log_fixed(2, 0)


@lru_cache(maxsize=1)
def reduction_table() -> ReductionTable:
    """Build (once) the table described in the module docstring, checking every bucket."""
    size = 2**INDEX_BITS
    ks = []
    for j in range(size):
        centre = Fraction(1, 2) + Fraction(2 * j + 1, 2 ** (INDEX_BITS + 2))
        k = round(Fraction(2**B) / centre)
        _check_bucket(j, k)
        ks.append(k)
    logs = tuple(0 if k == 2**B else log_fixed(k, B) for k in ks)
    k_arr = np.array(ks, dtype=np.int64)
    return ReductionTable(k=k_arr, r=k_arr.astype(np.float64) / 2**B, log_r=logs)
