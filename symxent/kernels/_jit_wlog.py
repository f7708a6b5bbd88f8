"""Compiled ``sum_i w_i log(x_i)`` with float weights: one fused loop per element (Numba).

Loaded through :func:`symxent.kernels.jit.load` (``"wlog"``) and tried first by
:func:`symxent.kernels.api.log_sum` for weighted sums (entropy, KL, soft labels); when it
declines (returns None) the NumPy kernel of :mod:`.logsum` answers, with its tighter bound.

Per element (``u = 2**-53``; ``x`` a positive normal double, ``w`` a nonzero weight with
``2**-900 <= |w| <= 2**900``, checked by the caller):

1. **Reduction**, bit for bit the one of :func:`.logsum.reduce_exact`: ``x = 2**e (1 + t) / r_j``
   exactly, ``|t| < 2**-14`` (checked on the data: the kernel declines otherwise), ``|e| <= 1024``.
   So ``log x = e log 2 + rho_j + log(1 + t)`` with ``rho_j = -log r_j``.
2. **Constants on grids.** ``log 2 = L2h + L2m + L2l + d2`` with ``L2h`` a multiple of ``2**-42``,
   ``L2m`` a multiple of ``2**-84`` (``|L2m| <= 2**-43 + 2**-85``), ``L2l`` a double
   (``|L2l| <= 2**-85``) and ``|d2| <= 2**-138 + 2**-300``; ``rho_j = Rh + Rm + Rl + dj`` on the same
   grids, same bounds (the table of :mod:`.table` is trusted to ``2**-300``). The bucket with
   ``r_j = 2`` stores exactly ``-(L2h, L2m, L2l)``, so ``log 1`` comes out exactly 0.
3. **Exact high parts.** ``Xh = e L2h + Rh``: ``e L2h`` has at most 11 + 42 bits and is below
   ``2**10``; the sum is a multiple of ``2**-42`` below ``2**10 + 1``: both operations are exact.
   ``Xm = e L2m + Rm`` likewise (multiples of ``2**-84`` below ``2**-32.9``). ``Xl = fl(fl(e L2l) +
   Rl)`` is within ``2**-127`` of ``e L2l + Rl``.
4. **log(1 + t)** as ``Lh + Ll``: steps 1-6 of :mod:`.wlog` with ``K = 8`` (the same operations,
   so the same doubles: the FMA-based two-product returns the same pair as Dekker's), within
   ``rel |t|`` of the true value, ``rel = wlog.relative_bound(max |t|, 8)`` (below ``2**-102``;
   ``REL_U2 = 13`` there covers the 6.1 of steps 1-6 with room), ``|Ll| <= 2.02 u |t|``.
5. **Rows.** ``(P1, P2) = TwoProduct(w, Xh)`` exact; ``(sh, sl) = TwoSum(Lh, Xm)`` exact
   (``|sh| <= 2**-13.99``, ``|sl| <= 2**-67``); ``(P3, q) = TwoProduct(w, sh)`` exact;
   ``P4 = fl(q + fl(w fl(fl(sl + Ll) + Xl)))``: the operands are below ``2**-65.4``, ``2**-65.3``,
   ``|w| 2**-65.3`` and ``|w| 2**-64.9``, so the four roundings add at most
   ``|w| (2**-118.4 + 2**-118.3 + 2**-118.3 + 2**-117.9) <= |w| 2**-116``.
6. **Exact sum** of ``P1 .. P4`` over all elements in a superaccumulator (:mod:`._jit_core`).

Hence ``|sum - sum w log x| <= C1 sum |w| + rel sum |w t| + n 2**-1068`` with ``C1 = 2**-115``
(``2**-116`` from step 5, ``2**-126`` for ``Xl`` and the constants ``|e| (d2 + ...) + dj``), the last
term for gradual underflow (at most six operations per element may lose ``2**-1075`` each).
``sum |w|`` and ``sum |w t|`` are float sums of nonnegative terms, within a factor
``1 + (n + 1) u`` of the truth: they are scaled up by ``1 + 2**-20`` (``n < 2**30``).

>>> import numpy as np
>>> e = kernel_log_sum(np.array([0.5, 0.25]), np.array([0.5, 0.5]), 110)
>>> e.decimal(20)                                     # -(3/2) log 2
'-1.0397207708399179641'
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
from numba import njit

from ..exact.enclosure import Enclosure
from ._jit_core import (ADDS_PER_NORMALIZE, acc_add, acc_normalize, accumulator_value, f2i, i2f,
                        new_accumulator, two_prod, two_sum)
from .eft import pow2
from .table import B, FRAC_BITS, INDEX_BITS, log2_fixed, reduction_table
from .wlog import relative_bound

__all__ = ["kernel_log_sum", "constants_table", "self_test"]

_C1 = pow2(-115)
_PER_BLOCK = ADDS_PER_NORMALIZE // 4  # four superaccumulator additions per element
_MAX_N = 1 << 30
_THIRD_H = 1.0 / 3.0
_THIRD_L = float(Fraction(1, 3) - Fraction(_THIRD_H))
_FRAC = (1 << 52) - 1
_MH_MASK = ~((1 << INDEX_BITS) - 1)
_JMASK = (1 << INDEX_BITS) - 1
_JSHIFT = 52 - INDEX_BITS
_TMAX = 2.0**-B


def _grid_pieces(f: int) -> tuple[float, float, float]:
    """``f / 2**FRAC_BITS`` as a multiple of ``2**-42``, a multiple of ``2**-84`` and a double
    (each rounded to nearest; the remainders are those of the module docstring)."""
    s1, s2 = FRAC_BITS - 42, FRAC_BITS - 84
    hi = (f + (1 << (s1 - 1))) >> s1
    rem = f - (hi << s1)
    mid = (rem + (1 << (s2 - 1))) >> s2
    low = rem - (mid << s2)
    return hi / 2.0**42, mid / 2.0**84, float(Fraction(low, 1 << FRAC_BITS))


@lru_cache(maxsize=1)
def constants_table() -> tuple[np.ndarray, tuple[float, float, float]]:
    """``(tab, (L2h, L2m, L2l))``: per bucket ``j`` the row ``(r_j, Rh, Rm, Rl)`` of
    ``-log r_j`` (step 2 of the module docstring), and the pieces of ``log 2``."""
    t = reduction_table()
    l2 = _grid_pieces(log2_fixed())
    tab = np.zeros((t.r.size, 4))
    tab[:, 0] = t.r
    for j, f in enumerate(t.log_r):
        if f:
            tab[j, 1:] = _grid_pieces(-f)
    two = t.r == 2.0
    tab[two, 1:] = [-v for v in l2]
    return tab, l2


@njit(inline="always")
def _log1p_dd(t):
    """Step 4: ``log(1 + t) = Lh + Ll`` by steps 1-6 of :mod:`.wlog` with ``K = 8``, the same
    operations in the same order (so the same doubles)."""
    p2, e2 = two_prod(t, t)
    rr = -0.125 * t + 1.0 / 7.0
    rr = rr * t + (-1.0 / 6.0)
    rr = rr * t + 0.2
    rr = rr * p2
    a4 = t * -0.25
    ch = a4 + _THIRD_H
    ce = _THIRD_H - ch
    ce += a4
    ce += _THIRD_L
    ce += rr
    c3, d3 = two_prod(t, p2)
    z = t * e2
    z += d3
    gh, gl = two_prod(c3, ch)
    ce *= c3
    z *= ch
    ce += z
    gl += ce
    h2 = p2 * -0.5
    s1 = t + h2
    r1 = t - s1
    r1 += h2
    lh = s1 + gh
    r2 = s1 - lh
    r2 += gh
    r1 += r2
    r1 += e2 * -0.5
    r1 += gl
    return lh, r1


@njit(cache=True)
def _kernel(y, w, tab, l2h, l2m, l2l, chunks):
    """Steps 1-6 for every element; returns ``(sum |w|, sum |w t|, max |t|)`` as floats."""
    n = y.size
    sw = 0.0
    swt = 0.0
    tmax = 0.0
    for s in range(0, n, _PER_BLOCK):
        for i in range(s, min(n, s + _PER_BLOCK)):
            bits = f2i(y[i])
            e = float((bits >> 52) - 1022)
            j = (bits >> _JSHIFT) & _JMASK
            mbits = (bits & _FRAC) | (1022 << 52)
            m = i2f(mbits)
            mh = i2f(mbits & _MH_MASK)
            r = tab[j, 0]
            t = mh * r
            t -= 1.0
            t += (m - mh) * r
            lh, r1 = _log1p_dd(t)
            # step 3: the constants, step 5: the rows
            xh = e * l2h + tab[j, 1]
            xm = e * l2m + tab[j, 2]
            xl = e * l2l + tab[j, 3]
            wi = w[i]
            p1, p2w = two_prod(wi, xh)
            sh, sl = two_sum(lh, xm)
            p3, q = two_prod(wi, sh)
            p4 = q + wi * ((sl + r1) + xl)
            acc_add(chunks, p1)
            acc_add(chunks, p2w)
            acc_add(chunks, p3)
            acc_add(chunks, p4)
            aw = abs(wi)
            at = abs(t)
            sw += aw
            swt += aw * at
            if at > tmax:
                tmax = at
        acc_normalize(chunks)
    return sw, swt, tmax


@njit(cache=True)
def log1p_dd(t):
    """Step 4 alone, per element: ``(Lh, Ll)`` (for tests: bit-identical to :mod:`.wlog`)."""
    out = np.empty((2, t.size))
    for i in range(t.size):
        out[0, i], out[1, i] = _log1p_dd(t[i])
    return out


def kernel_log_sum(y: np.ndarray, w: np.ndarray, rel_bits: int) -> Enclosure | None:
    """Enclose ``sum w_i log y_i`` (positive normal doubles ``y``, nonzero weights within
    ``[2**-900, 2**900]`` in magnitude, float64 and contiguous); None when the bound of the module
    docstring does not reach ``2**-rel_bits * max(1, |S|)`` (the NumPy kernel then answers)."""
    n = y.size
    if n == 0:
        return Enclosure.exact(0)
    if n >= _MAX_N:
        return None
    tab, (l2h, l2m, l2l) = constants_table()
    chunks = new_accumulator()
    sw, swt, tmax = _kernel(y, w, tab, l2h, l2m, l2l, chunks)
    if not tmax < _TMAX:
        return None
    grow = 1 + pow2(-20)
    err = _C1 * Fraction(sw) * grow + relative_bound(tmax, 8) * Fraction(swt) * grow + n * pow2(-1068)
    value = accumulator_value(chunks)
    lo, hi = value - err, value + err
    magnitude = max(Fraction(1), min(abs(lo), abs(hi)) if lo * hi > 0 else Fraction(1))
    if hi - lo > pow2(-rel_bits) * magnitude:
        return None
    return Enclosure(lo, hi)


def self_test() -> bool:
    """Compile the kernel and check it on a sum known exactly: ``sum = -(3/2) log 2`` here, and
    ``log 2`` lies in ``[0.693147180559945309417232121458, ...458177]`` (30 digits, either side)."""
    e = kernel_log_sum(np.array([0.5, 0.25, 1.0]), np.array([0.5, 0.5, 7.0]), 100)
    lo2, hi2 = Fraction("0.693147180559945309417232121458"), Fraction("0.693147180559945309417232121459")
    return e is not None and -Fraction(3, 2) * hi2 <= e.lo <= e.hi <= -Fraction(3, 2) * lo2
