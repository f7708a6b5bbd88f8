"""The row sums ``S_i = sum_k exp(z_ik - m_i)`` of the logsumexp kernel as one compiled loop
per row (Numba); loaded only through ``jit.load("logsumexp")``, which has checked the compiled
arithmetic first (fused FMA, no contraction or reassociation, subnormals, round to nearest).

Steps 1-5 (clamp, exact difference, Cody-Waite reduction, table, ``exp(r)``, products with
``W``) are those of :mod:`symxent.kernels.logsumexp`, with the same constants, the same table
and the same operations in the same order on every element, so the four terms
``(W1, a2, W2, tiny)`` of an element are the same doubles and the error argument of that
module's docstring holds unchanged (``eps_el`` per term relative to ``S_i``, ``2**-128`` per
clamped entry, ``2**-1000`` per term for gradual underflow). The one substitution: the two
exact products (``rh**2`` and ``W1 qh``) take their error term from one fused multiply-add,
``fl(a b - fl(a b))``, instead of Dekker's four split products. Both are the exact error
``a b - fl(a b)`` whenever nothing underflows, so the doubles agree; only when partial
products underflow (``0 < |rh| < 2**-480``) may they differ, the fused one within ``2**-1075``
of the exact error and Dekker's within a few units of ``2**-1074``, both inside the
``2**-1000`` per term already bounded. The constants and the table are the NumPy kernel's,
passed in at every call (Numba's on-disk cache is keyed on this file alone).

Step 6 differs, and is exact by a different argument: *fixed-point extraction into int64*.
For ``sig = 1.5 * 2**s`` and ``|v| <= 2**(s - 2)``, ``sig + v`` stays in the binade
``[2**s, 2**(s + 1))``, so ``q = fl(sig + v) - sig`` is a multiple of ``ulp = 2**(s - 52)``,
``q / ulp`` is the difference of the bit patterns of ``fl(sig + v)`` and ``sig`` (an exact
integer, ``|q / ulp| <= 2**50``), and ``v - q`` is exact (the rounding error of an addition),
at most ``ulp / 2``. Per element:

* limb 1 (``s = 2``, ``ulp = 2**-50``): ``W1 <= 1`` and ``|a2| <= 2**-17``;
* limb 2 (``s = -49``, ``ulp = 2**-101``): the two residuals (``<= 2**-51``), ``W2`` and
  ``tiny`` (both ``< 2**-52``);
* limb 3 (``s = -98``, ``ulp = 2**-150``): the four residuals of limb 2 (``<= 2**-102`` each)
  added in floats, ``(r1 + r2) + (r3 + r4)``, at most ``2**-100``; the rounding of those three
  additions (``<= 2**-152``) and the last residual (``<= 2**-151``) are dropped: at most
  ``2**-150`` per element, ``K 2**-150`` per row, added to the bound.

Integer sums are exact and independent of order (so the compiler may vectorise them). A block
of at most ``2**10`` columns keeps every limb below ``2**62``; after each block the limbs are
carried into a row accumulator ``A0 + A1 2**-50 + A2 2**-101 + A3 2**-150`` with
``0 <= A1 < 2**50``, ``0 <= A2 < 2**51``, ``0 <= A3 < 2**49`` (``A0 <= K``), which holds the
row's extracted sum exactly for any ``K``. Its four parts are exact doubles; TwoSums turn them
into ``Sh + Sl`` (``|Sl| <= u Sh``) with two roundings, both bounded per row in ``err``.

Measured on the bench case (``N = 10**4``, ``K = 1000``, one core of the shared machine): the
rows take about 75 ms (the loop vectorises, table look-ups as gathers); the same terms summed
by four ``acc_add`` of the superaccumulator of :mod:`._jit_core` per element took about 250 ms
(its data-dependent chunk updates do not vectorise), the NumPy rows about 350 ms.

>>> import numpy as np
>>> sh, sl, err = row_sums(np.array([[0.0, 0.0]]), np.array([0.0]))
>>> float(sh[0]), float(err[0]) < 2.0**-100
(2.0, True)
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import logsumexp as _lse
from ._jit_core import extract, fast_two_sum, fma, i2f, two_sum

__all__ = ["row_sums", "terms", "self_test"]

BLOCK = 1 << 10  # columns per block: every int64 limb of a block stays below 2**62
_SIG1 = 1.5 * 2.0**2  # ulp 2**-50
_SIG2 = 1.5 * 2.0**-49  # ulp 2**-101
_SIG3 = 1.5 * 2.0**-98  # ulp 2**-150
_B1, _B2, _B3 = (int(np.float64(s).view(np.int64)) for s in (_SIG1, _SIG2, _SIG3))
_ULP1, _ULP2, _ULP3 = 2.0**-50, 2.0**-101, 2.0**-150
_PER_ELEMENT = 2.0**-150  # limb 3: float additions and the dropped residual (module docstring)
_U = 2.0**-53
_C120, _C24 = 1.0 / 120.0, 1.0 / 24.0
_J = 16  # the table's index bits (checked against logsumexp.J and the table at every call)
_MASK = (1 << _J) - 1


@njit(inline="always")
def _element(zv, negm, low, cst, b1t, b2t, b3t):
    """Steps 1-5 of :mod:`.logsumexp` for one logit: the same operations as ``_terms``
    (``cst = (INV, L1, L2, L3, L4, fl(1/6))``, passed in: never frozen into the cached machine
    code; ``_J`` is checked against the table at every call)."""
    inv, l1, l2, l3, l4, c6h = cst
    zc = zv if zv > low else low  # np.maximum(z, low), the same double for every input here
    dh = zc + negm  # step 1: TwoSum(zc, -m)
    bb = dh - zc
    dl = (zc - (dh - bb)) + (negm - bb)
    c = np.rint(dh * inv)  # step 2
    x1 = dh - c * l1
    a = c * -l2
    x2 = a + dl
    y2 = dl - (x2 - a)
    b = c * -l3
    x3 = x2 + b
    y3 = b - (x3 - x2)
    rh = x1 + x3
    bb = rh - x1
    rl = (x1 - (rh - bb)) + (x3 - bb)
    rl = rl + y3
    rl = rl + y2
    rl = rl - c * l4
    ci = np.int64(c)  # step 3: c = 2**J a + b, 2**a built from its bits (a >= -132)
    scale = i2f(((ci >> _J) + 1023) << 52)
    k = ci & _MASK
    w1 = b1t[k] * scale
    w2 = b2t[k] * scale
    w3 = b3t[k] * scale
    p2 = rh * rh  # step 4
    e2 = fma(rh, rh, -p2)
    h2 = p2 * 0.5
    h3 = p2 * rh
    h3 = h3 * c6h
    s1 = rh + h2
    e1 = h2 - (s1 - rh)
    qh = s1 + h3
    ql = h3 - (qh - s1)
    poly = (rh * _C120 + _C24) * (p2 * p2)
    sig = e2 * 0.5 + rl * s1 + poly + rl
    ql = ql + e1 + sig
    a2 = w1 * qh  # step 5
    a3 = fma(w1, qh, -a2)
    tiny = w2 * qh + a3 + w3 + w1 * ql
    return w1, a2, w2, tiny


@njit(inline="always")
def _to_double_double(a0, a1, a2, a3):
    """``A0 + A1 2**-50 + A2 2**-101 + A3 2**-150`` as ``(Sh, Sl, bound of the error)``."""
    sh, sl = two_sum(np.float64(a0), a1 * _ULP1)  # every part an exact double
    x, ex = two_sum(a2 * _ULP2, a3 * _ULP3)
    y, ey = two_sum(sl, x)
    sh, sl = two_sum(sh, y)
    rest = ey + ex
    sl2 = sl + rest
    err = (_U * abs(rest) + _U * abs(sl2)) * (1.0 + 4 * _U)
    sh, sl = fast_two_sum(sh, sl2)  # |sh| >= 1/2 >= |sl2|: exact, |sl| <= u sh
    return sh, sl, err


@njit(cache=True)
def _row_sums(z, m, cut, cst, b1t, b2t, b3t, out_h, out_l, out_e):
    n, k = z.shape
    for i in range(n):
        negm = -m[i]
        low = m[i] - cut
        acc0 = acc1 = acc2 = acc3 = 0
        for j0 in range(0, k, BLOCK):
            i1 = i2 = i3 = 0
            for j in range(j0, min(k, j0 + BLOCK)):
                w1, a2, w2, tiny = _element(z[i, j], negm, low, cst, b1t, b2t, b3t)
                q1, r1 = extract(w1, _SIG1, _B1)
                q2, r2 = extract(a2, _SIG1, _B1)
                i1 += q1 + q2
                q1, r1 = extract(r1, _SIG2, _B2)
                q2, r2 = extract(r2, _SIG2, _B2)
                q3, r3 = extract(w2, _SIG2, _B2)
                q4, r4 = extract(tiny, _SIG2, _B2)
                i2 += (q1 + q2) + (q3 + q4)
                q1, r1 = extract((r1 + r2) + (r3 + r4), _SIG3, _B3)
                i3 += q1
            acc3 += i3  # carry: A3 in [0, 2**49), A2 in [0, 2**51), A1 in [0, 2**50)
            carry = acc3 >> 49
            acc3 -= carry << 49
            acc2 += i2 + carry
            carry = acc2 >> 51
            acc2 -= carry << 51
            acc1 += i1 + carry
            carry = acc1 >> 50
            acc1 -= carry << 50
            acc0 += carry
        sh, sl, err = _to_double_double(acc0, acc1, acc2, acc3)
        out_h[i] = sh
        out_l[i] = sl
        out_e[i] = err + k * _PER_ELEMENT


@njit(cache=True)
def _terms(z, m, cut, cst, b1t, b2t, b3t, out):
    n, k = z.shape
    for i in range(n):
        negm = -m[i]
        low = m[i] - cut
        for j in range(k):
            w1, a2, w2, tiny = _element(z[i, j], negm, low, cst, b1t, b2t, b3t)
            out[0, i, j] = w1
            out[1, i, j] = a2
            out[2, i, j] = w2
            out[3, i, j] = tiny


def _args() -> tuple:
    """The NumPy kernel's constants and table, as arguments of the compiled loops."""
    inv, l1, l2, l3, l4 = _lse._constants()[:5]
    tables = _lse._table()
    if _lse.J != _J or any(t.shape != (1 << _J,) for t in tables):
        raise RuntimeError("the compiled logsumexp rows assume a table of 2**16 entries")
    return (_lse.CUT, (inv, l1, l2, l3, l4, _lse._C6H)) + tables


def row_sums(z: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Sh, Sl, err)`` per row, ``|S_i - Sh_i - Sl_i| <= err_i + eps_el S_i + K 2**-128``
    (the caller adds the last two, as for the NumPy rows); ``m`` the row maxima, finite,
    ``|m| <= 2**44``."""
    z = np.ascontiguousarray(z, dtype=np.float64)
    n = z.shape[0]
    sh, sl, err = np.empty(n), np.empty(n), np.empty(n)
    _row_sums(z, np.ascontiguousarray(m, dtype=np.float64), *_args(), sh, sl, err)  # type: ignore[call-arg]  # numba's Dispatcher.__call__ is typed without the jitted function's parameters
    return sh, sl, err


def terms(z: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The four per-element terms ``(W1, a2, W2, tiny)`` as a ``(4, N, K)`` array (for tests:
    the same doubles as the NumPy kernel's ``_terms``)."""
    z = np.ascontiguousarray(z, dtype=np.float64)
    out = np.empty((4,) + z.shape)
    _terms(z, np.ascontiguousarray(m, dtype=np.float64), *_args(), out)  # type: ignore[call-arg]  # numba's Dispatcher.__call__ is typed without the jitted function's parameters
    return out


def self_test() -> bool:
    """Compile the loops and check them where the answer is exact (a row of ``K`` equal logits
    has ``S = K``: every term is ``exp(0) = 1``), and that the terms of a mixed row (with an
    entry clamped at ``m - CUT``) are those of the NumPy kernel."""
    z = np.array([[0.5] * 5, [-3.0] * 5])
    sh, sl, err = row_sums(z, z.max(axis=1))
    if not (sh.tolist() == [5.0, 5.0] and sl.tolist() == [0.0, 0.0] and float(err.max()) <= 2.0**-100):
        return False
    mixed = np.array([[0.0, -1.0, 3.25, -80.0, -95.0, 0.125]])
    m = mixed.max(axis=1)
    ref = _lse._terms(np.maximum(mixed, (m - _lse.CUT)[:, None]), m)
    return all(np.array_equal(a, b) for a, b in zip(ref, terms(mixed, m)))
