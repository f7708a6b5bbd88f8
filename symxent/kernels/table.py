"""The argument-reduction table of the log kernel, and high-precision constants.

A positive normal double is ``x = 2**e * m`` with ``m`` in ``[1/2, 1)``. The top ``INDEX_BITS``
bits of the fraction of ``m`` pick a bucket ``j`` of width ``2**-(B + 2)``; its reducer is
``r_j = k_j / 2**B`` (``B = 14``, ``k_j`` an integer of at most ``B + 1`` bits, so ``r_j`` is an exact
double). The table is built so that every ``m`` of bucket ``j`` has ``|m * r_j - 1| < 2**-B``;
this is checked exactly (in integers) when the table is built, and again on the data.

``log 2`` and the logs of primes are computed with mpmath at ``WORK_PREC`` bits and floored onto
the grid ``2**-FRAC_BITS``; ``L_j = log(r_j)`` is the sum over the prime factors of ``k_j`` minus
``B log 2``. Each is then only trusted to ``2**-TRUST_BITS`` absolute: a margin of 2**40 units,
so the bound does not rest on mpmath rounding its logarithm correctly.

>>> t = reduction_table()
>>> int(t.r[0]), int(t.r[-1])          # m near 1/2 uses r = 2, m near 1 uses r = 1
(2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

__all__ = ["B", "INDEX_BITS", "FRAC_BITS", "TRUST_BITS", "ReductionTable", "reduction_table", "log2_fixed"]

B = 14  # |t| < 2**-B after reduction
INDEX_BITS = B + 1
WORK_PREC = 360
FRAC_BITS = 340
TRUST_BITS = 300


@dataclass(frozen=True)
class ReductionTable:
    k: np.ndarray  # int64 numerators, r_j = k_j / 2**B
    r: np.ndarray  # float64 reducers (exact)
    log_r: tuple[int, ...]  # floor(log(r_j) * 2**FRAC_BITS), trusted to 2**-TRUST_BITS


def _choose_and_check(size: int) -> list[int]:
    """The numerators ``k_j``, with the reduction bound checked exactly for both ends of every
    bucket, in integers: bucket ``j`` holds ``m`` in ``[(2**I + j) / 2**(I+1), (2**I + j + 1) /
    2**(I+1))`` (``I = INDEX_BITS``), and ``|m k / 2**B - 1| < 2**-B`` at an end ``a / 2**(I+1)``
    is ``|a k - 2**(I+1+B)| < 2**(I+1)`` (``<=`` at the open upper end).
    """
    j = np.arange(size, dtype=np.int64)
    den = 2 ** (INDEX_BITS + 1) + 2 * j + 1  # the bucket centre is den / 2**(I+2)
    num = np.int64(2 ** (B + INDEX_BITS + 2))
    k = (2 * num + den) // (2 * den)  # round(2**B / centre)
    lo_end = np.abs((2**INDEX_BITS + j) * k - 2 ** (INDEX_BITS + 1 + B))
    hi_end = np.abs((2**INDEX_BITS + j + 1) * k - 2 ** (INDEX_BITS + 1 + B))
    bad = (lo_end >= 2 ** (INDEX_BITS + 1)) | (hi_end > 2 ** (INDEX_BITS + 1))
    if bad.any():
        raise AssertionError(f"reduction table bucket j={int(np.argmax(bad))} does not reduce below 2**-{B}")
    return k.tolist()


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


def _logs_by_factoring(ks: list[int]) -> tuple[int, ...]:
    """``log(k / 2**B)`` on the grid ``2**-FRAC_BITS`` for every k, as sums of the logs of k's
    prime factors (one mpmath logarithm per prime, not per entry). Each prime's log is floored,
    so an entry is off by at most ``Omega(k) + B + 1 < 2**6`` units of ``2**-FRAC_BITS``,
    far inside the trusted ``2**-TRUST_BITS``.
    """
    top = max(ks)
    spf = list(range(top + 1))  # smallest prime factor sieve
    for p in range(2, int(top**0.5) + 1):
        if spf[p] == p:
            for m in range(p * p, top + 1, p):
                if spf[m] == m:
                    spf[m] = p
    cache: dict[int, int] = {}
    out = []
    for k in ks:
        if k == 2**B:
            out.append(0)
            continue
        total, m = -B * log2_fixed(), k
        while m > 1:
            p = spf[m]
            if p not in cache:
                cache[p] = log_fixed(p, 0)
            total += cache[p]
            m //= p
        out.append(total)
    return tuple(out)


@lru_cache(maxsize=1)
def reduction_table() -> ReductionTable:
    """Build (once) the table described in the module docstring, checking every bucket."""
    ks = _choose_and_check(2**INDEX_BITS)
    logs = _logs_by_factoring(ks)
    k_arr = np.array(ks, dtype=np.int64)
    return ReductionTable(k=k_arr, r=k_arr.astype(np.float64) / 2**B, log_r=logs)
