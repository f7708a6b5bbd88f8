"""The argument-reduction table of the log kernel, and high-precision constants.

A positive normal double is ``x = 2**e * m`` with ``m`` in ``[1/2, 1)``. The top ``INDEX_BITS``
bits of the fraction of ``m`` pick a bucket ``j`` of width ``2**-(B + 2)``; its reducer is
``r_j = k_j / 2**B`` (``B = 14``, ``k_j`` an integer of at most ``B + 1`` bits, so ``r_j`` is an exact
double). The table is built so that every ``m`` of bucket ``j`` has ``|m * r_j - 1| < 2**-B``;
this is checked exactly (in integers) when the table is built, and again on the data.

``log 2`` is computed with mpmath at ``WORK_PREC`` bits and floored onto the grid
``2**-FRAC_BITS``; ``L_j = log(r_j)`` comes from an integer chain of ``atanh`` series (see
:func:`_logs_by_chain`). Each is then only trusted to ``2**-TRUST_BITS`` absolute: a margin of
more than 2**36 units, so the bound does not rest on mpmath rounding its logarithm correctly.

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


_GUARD = 16


def _log1p_recip(m: int, bits: int) -> int:
    """``log(1 + 1/m) * 2**bits`` from below, within 32 units: ``2 atanh(1/(2m+1))`` summed in
    integers, each of the (at most 16 for ``m >= 2**B``) floored terms off by less than one unit."""
    q = 2 * m + 1
    q2, term, total, i = q * q, (1 << bits) // q, 0, 0
    while term:
        total += term // (2 * i + 1)
        term //= q2
        i += 1
    return 2 * total


def _logs_by_chain(ks: list[int]) -> tuple[int, ...]:
    """``log(k / 2**B)`` on the grid ``2**-FRAC_BITS`` for every k in ``[2**B, 2**(B+1)]``, by the
    chain ``log(k/2**B) = log((k-1)/2**B) + log(1 + 1/(k-1))`` in integers with ``_GUARD``
    extra bits: at most ``2**B`` steps of at most 32 units of ``2**-(FRAC_BITS + _GUARD)`` each,
    so every entry is within ``2**(B + 5 - FRAC_BITS - _GUARD) = 2**-337`` of the true value,
    far inside the trusted ``2**-TRUST_BITS``. Pure integer arithmetic, no mpmath.
    """
    bits = FRAC_BITS + _GUARD
    chain = {2**B: 0}
    acc = 0
    for k in range(2**B + 1, max(ks) + 1):
        acc += _log1p_recip(k - 1, bits)
        chain[k] = acc
    return tuple(chain[k] >> _GUARD for k in ks)


@lru_cache(maxsize=1)
def reduction_table() -> ReductionTable:
    """Build (once) the table described in the module docstring, checking every bucket."""
    ks = _choose_and_check(2**INDEX_BITS)
    logs = _logs_by_chain(ks)
    k_arr = np.array(ks, dtype=np.int64)
    return ReductionTable(k=k_arr, r=k_arr.astype(np.float64) / 2**B, log_r=logs)
