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
6. **Sum by blocks** of ``BLOCK = 512`` elements (error-free extraction, Rump-Ogita-Oishi style,
   with integer accumulators, so the loop has no floating-point reduction and the compiler can
   vectorise it). With ``2**(ew - 1023)`` the leading power of two of the block's largest ``|w|``
   (an integer maximum of the bit patterns) put ``E = ew - 1012``: every ``|P1|, |P3| < 2**E``
   (``|Xh| < 2**9.48``, ``|sh| < 2**-13.9``), ``|P2| <= 2**(E - 53)``, ``|P4| < 2**(E - 74)``.
   Level ``k = 1..4`` has unit ``v_k = 2**(E - 40 - 41 (k - 1))`` and splitter
   ``sigma_k = 1.5 * 2**52 v_k``; for ``|v| <= 2**50 v_k``, ``s = fl(sigma_k + v)`` lies in the binade
   of ``sigma_k``, ``q = s - sigma_k`` is exact (Sterbenz) and a multiple of ``v_k``, ``q / v_k`` is
   the difference of the bit patterns of ``s`` and ``sigma_k``, and ``v - q`` is exact
   (FastTwoSum) with ``|v - q| <= v_k / 2``. Level 1 extracts ``P1, P3``; level 2 their residuals
   and ``P2, P4``; level 3 the four residuals; level 4 ``fl(fl(r1 + r2) + fl(r3 + r4))`` of the four
   residuals (each below ``2**(E - 123)``: the three roundings cost below ``2**(E - 172)``); the
   last residual, below ``v_4 / 2``, is dropped. Per element that is below ``2**(E - 163.9)``, per
   block below ``2**(E - 154.9) <= 2**-143.9 max |w|``. Each level's integer total stays below
   ``2**51.2`` (at most 2048 values of at most ``2**42.1`` units), so it is exact in int64 and as a
   double, and ``total * v_k`` is an exact double (the kernel declines a block whose ``v_4`` would
   be subnormal: largest ``|w| < 2**-869``). The four products per block go to a superaccumulator
   (:mod:`._jit_core`): 67 int64 chunks that hold any sum of doubles exactly.

Hence ``|sum - sum w log x| <= (C1 + 2**-14 rel) sum |w| + n 2**-1068`` with ``C1 = 2**-115``
(``2**-116`` from step 5, ``2**-126`` for ``Xl`` and the constants ``|e| (d2 + ...) + dj``,
``2**-143.9`` for step 6), ``|t| < 2**-14`` bounding ``sum |w t|``, and the last term for gradual
underflow (at most six operations per element may lose ``2**-1075`` each). ``sum |w|`` is a float
sum of nonnegative terms, within a factor ``1 + (n + 1) u`` of the truth: it is scaled up by
``1 + 2**-20`` (``n < 2**30``).

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
from ._jit_core import (acc_add, acc_normalize, accumulator_value, extract, f2i, i2f,
                        new_accumulator, two_prod, two_sum)
from .eft import pow2
from .table import B, FRAC_BITS, INDEX_BITS, log2_fixed, reduction_table
from .wlog import relative_bound

__all__ = ["kernel_log_sum", "constants_table", "self_test"]

_C1 = pow2(-115)
BLOCK = 512  # elements per block of step 6 (integer totals below 2**51.2)
_ABS = (1 << 63) - 1  # clears the sign bit
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
def _columns() -> tuple[np.ndarray, ...]:
    """The four columns of :func:`constants_table` as contiguous arrays (gathers vectorise)."""
    tab = constants_table()[0]
    return tuple(np.ascontiguousarray(tab[:, k]) for k in range(4))


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


@njit(inline="always")
def _pow2(k):
    """``2**k`` for a normal exponent ``k``."""
    return i2f((k + 1023) << 52)


@njit(cache=True)
def _kernel(y, w, tr, th, tm, tl, l2h, l2m, l2l, chunks):
    """Steps 1-6 for every element; returns ``(sum |w|, bits of max |t|, ok)``: ``ok`` is False
    when a block's largest weight is below ``2**-869`` (step 6 would need subnormal units)."""
    n = y.size
    sw = 0.0
    tbits = 0
    for s0 in range(0, n, BLOCK):
        s1 = min(n, s0 + BLOCK)
        wbits = 0
        for i in range(s0, s1):
            wbits = max(wbits, f2i(w[i]) & _ABS)
            sw += abs(w[i])
        big_e = (wbits >> 52) - 1012
        if big_e < -859:
            return sw, tbits, False
        sg1, sg2, sg3, sg4 = (1.5 * _pow2(big_e + 12), 1.5 * _pow2(big_e - 29),
                              1.5 * _pow2(big_e - 70), 1.5 * _pow2(big_e - 111))
        b1, b2, b3, b4 = f2i(sg1), f2i(sg2), f2i(sg3), f2i(sg4)
        i1 = 0
        i2 = 0
        i3 = 0
        i4 = 0
        for i in range(s0, s1):
            bits = f2i(y[i])  # step 1, as reduce_exact
            e = float((bits >> 52) - 1022)
            j = (bits >> _JSHIFT) & _JMASK
            mbits = (bits & _FRAC) | (1022 << 52)
            m = i2f(mbits)
            mh = i2f(mbits & _MH_MASK)
            r = tr[j]
            t = mh * r
            t -= 1.0
            t += (m - mh) * r
            tbits = max(tbits, f2i(t) & _ABS)
            lh, ll = _log1p_dd(t)  # step 4
            xh = e * l2h + th[j]  # step 3
            xm = e * l2m + tm[j]
            xl = e * l2l + tl[j]
            wi = w[i]  # step 5
            p1, p2 = two_prod(wi, xh)
            sh, sl = two_sum(lh, xm)
            p3, q = two_prod(wi, sh)
            p4 = q + wi * ((sl + ll) + xl)
            q1, ra = extract(p1, sg1, b1)  # step 6
            q2, rc = extract(p3, sg1, b1)
            i1 += q1 + q2
            q1, ra = extract(ra, sg2, b2)
            q2, rb = extract(p2, sg2, b2)
            q3, rc = extract(rc, sg2, b2)
            q4, rd = extract(p4, sg2, b2)
            i2 += (q1 + q2) + (q3 + q4)
            q1, ra = extract(ra, sg3, b3)
            q2, rb = extract(rb, sg3, b3)
            q3, rc = extract(rc, sg3, b3)
            q4, rd = extract(rd, sg3, b3)
            i3 += (q1 + q2) + (q3 + q4)
            q1, ra = extract((ra + rb) + (rc + rd), sg4, b4)
            i4 += q1
        acc_add(chunks, float(i1) * _pow2(big_e - 40))
        acc_add(chunks, float(i2) * _pow2(big_e - 81))
        acc_add(chunks, float(i3) * _pow2(big_e - 122))
        acc_add(chunks, float(i4) * _pow2(big_e - 163))
        if (s0 // BLOCK) % 64 == 63:
            acc_normalize(chunks)
    acc_normalize(chunks)
    return sw, tbits, True


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
    chunks = new_accumulator()
    sw, tbits, ok = _kernel(y, w, *_columns(), *constants_table()[1], chunks)  # type: ignore[call-arg]  # numba's Dispatcher.__call__ is typed without the jitted function's parameters
    tmax = float(np.int64(tbits).view(np.float64))
    if not ok or not tmax < _TMAX:
        return None
    bound_w = Fraction(sw) * (1 + pow2(-20))
    err = (_C1 + relative_bound(tmax, 8) * pow2(-B)) * bound_w + n * pow2(-1068)
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
