"""Certified ``sum_i w_i LSE(z_i)`` over logit rows at float speed.

``LSE(z_i) = m_i + log(S_i)`` with ``m_i = max_k z_ik`` and ``S_i = sum_k exp(z_ik - m_i)``, so
``S_i >= 1`` (the maximal entry contributes ``exp(0) = 1`` exactly) and every term is at most 1.
Errors are therefore measured *relative to the term*: terms computed with relative error
``eps`` move ``S_i`` by at most ``eps S_i``, whatever ``K`` is.

Method (vectorised NumPy over chunks of rows; ``u = 2**-53``, ``L = ln 2 / 2**16``)
--------------------------------------------------------------------------------
1. **Clamp and exact difference.** Only ``|m_i| <= 2**44`` is accepted, so ``fl(m - 90)`` is
   within ``2**-8`` of ``m - 90``. ``zc = max(z, fl(m - 90))`` (``-inf`` entries too): a replaced
   entry had ``exp(z - m) < 2**-129`` and is counted as ``exp(zc - m)``, equally small; each
   costs at most ``2**-128`` absolute (``K 2**-128`` is added per row). Knuth's TwoSum gives
   ``zc - m = dh + dl`` exactly, ``-90.005 <= dh <= 0``, ``|dl| <= u |dh|``.
2. **Reduction** ``d = c L + r``, ``c = rint(fl(dh * INV))``, ``INV = fl(1/L)``, ``|c| <
   2**23.03``. ``L = L1 + L2 + L3 + L4 + eta`` with ``L1, L2, L3`` of 29 bits (so ``c Lk`` is
   exact), ``|L - L1| < 2**-45``, ``|L - L1 - L2| < 2**-74``, ``|L4| < 2**-103``,
   ``|eta| < 2**-156`` (mpmath at 340 bits, checked at import). ``x1 = dh - c L1`` is exact:
   for ``c != 0``, ``|dh| >= 2**-18`` so both are multiples of ``2**-70`` (``L1`` lies on the grid
   ``2**-45``) and ``|x1| < 2**-17``. ``dl - c L2 = x2 + y2`` and ``x2 - c L3 = x3 + y3`` are
   exact FastTwoSums (``L2 = 2**-46.07 > 90.005 u >= |dl|``, so for ``c != 0`` the first operand
   is the larger, also in the second; for ``c = 0`` the other operand is 0; both checked at
   import), ``x1 + x3 = rh + y4`` a TwoSum, so ``r = rh + y4 + y3 + y2 - c L4 - c eta``, and
   ``rl = fl(fl(fl(y4 + y3) + y2) - fl(c L4))``. A priori ``|dh - c/INV| <= (1/2 + 2**-29.9)/INV``
   and ``|c| |1/INV - L| <= 2**-46.5``, hence ``|rh| <= L/2 + 2**-44 < 2**-17.5``; with
   ``|y4| <= u |rh|``, ``|y3|, |y2| <= 2**-74.8`` this bounds ``|rl| <= RL ~ 2**-70`` and
   ``|r - rh - rl| <= eps_r ~ 2**-122`` (:func:`_a_priori`).
3. **Table.** ``exp(c L) = 2**a B_b`` exactly (``c = 2**16 a + b``, ``0 <= b < 2**16``), with
   ``B_b = 2**(b/2**16)`` stored as three doubles ``B1 + B2 + B3`` (within ``2**-150 B_b``;
   built from two 256-entry fixed-point tables at 340 bits); ``W_j = 2**a B_j`` are exact
   (``a >= -130``).
4. **exp(r)** ``= 1 + rh + p2/2 + H3 + sigma + e_x`` with ``rh**2 = p2 + e2`` (Dekker's
   product, exact), ``H3 = fl(fl(p2 rh) fl(1/6))`` (within ``0.7 u R**3`` of ``rh**3/6``), and
   ``sigma = fl(e2/2 + rl s1 + p2**2 (1/24 + rh/120) + rl)`` summed in that order, where
   ``s1 = fl(rh + p2/2)`` (``rl s1`` carries the cross terms ``rho (rh + rh**2/2)`` of
   ``r**2/2`` and ``r**3/6``). Comparing term by term with the series of ``exp(rh + rho)``
   (``rho = rl + (r - rh - rl)``, ``|rho| <= RL + eps_r``) bounds ``|e_x|``: the dropped cross
   terms of ``rho``, the rounding of ``H3``, of the quartic and of ``sigma``, and the truncation
   ``R**6 e**R / 6!`` (:func:`_exp_error`).
5. **Products with W.** FastTwoSums (``|rh| >= |p2/2|``, ``|s1| >= |H3|``) give ``1 + qh + ql``
   with ``ql = fl(fl(e1 + e2') + sigma)``; ``W1 qh = a2 + a3`` (Dekker). The four arrays ``W1``,
   ``a2``, ``W2`` and ``tiny = fl(W2 qh + a3 + W3 + W1 ql)`` are summed. Omitted (``W2 ql``,
   ``W3 (qh + ql)``, ``W eta``) and rounded terms are bounded relative to ``W <= e**R E``: every
   term is within ``eps_el E``, ``eps_el < 2**-105.9`` (plus ``2**-1000`` absolute per term for
   gradual underflow).
6. **Exact row sums.** Error-free extraction with *global* splitters (every entry is at most
   2): ``sigma_1 = 2**k1`` with ``2**b >= n + 2`` (``n`` entries per row), ``k1 = b + 2``,
   ``k_{j+1} = k_j - 52 + b``; the pieces are multiples of ``2**(k_j - 53)`` and a row of them
   adds up exactly in floats, the residuals are at most ``2**(k_j - 53)``. Once ``K`` times the
   number of arrays times ``u`` times their residual bounds is below ``2**-112``, the residual
   arrays are added in floats (that much added to the bound), one more round is extracted, and
   the last residual is row-summed in floats (``(K-1) u`` times ``K`` times its bound). The exact
   round totals become a double-double ``Sh + Sl`` (TwoSum, then the small totals in floats
   with their rounding bounded per row, then a TwoSum, so ``|Sl| <= u Sh``). Rows wider than
   ``2**14`` go by blocks of columns: the splitters depend only on the row width (and a-priori
   bounds), so the blocks' round totals add up exactly and only the last residuals add in floats.
7. **The logarithm.** ``sum w_i log(Sh_i + Sl_i)`` comes from the log kernel
   (:func:`symxent.kernels.api._one_weight_vector`, with its own certified bound),
   ``sum w_i m_i`` exactly (Dekker products, extraction), and ``|log S_i - log(Sh_i + Sl_i)|
   <= 1.01 err_i / Sh_i``: ``|log a - log b| <= |a - b| / min(a, b)``, and both ``S_i`` and
   ``Sh_i + Sl_i`` are at least ``Sh_i (1 - 2**-50)`` because ``Sh_i >= 1 - 2**-40``,
   ``|Sl_i| <= u Sh_i`` and ``err_i <= 2**-90`` (checked); the 1.01 also covers the rounding of
   the float division and products. Dividing by ``Sh_i`` matters for wide rows: ``err_i`` grows
   with ``S_i``, the error of ``log S_i`` does not.

**Compiled rows.** When :func:`symxent.kernels.jit.load` hands out the compiled engine (Numba
installed, its arithmetic probed, ``SYMXENT_JIT`` not ``0``), steps 1-6 run as one loop per row
(:mod:`symxent.kernels._jit_logsumexp`): the same operations give the same four terms per
element (the exact products' error terms come from a fused multiply-add, the same doubles as
Dekker's unless they underflow, which the ``2**-1000`` per term covers), and step 6 is replaced
by an exact fixed-point extraction into int64 limbs (argued in that module), whose bound
``err_i`` enters step 7 unchanged.

The width ``hi - lo <= 2**-rel_bits max(1, |S|)`` is checked at the end (``|S| <= sum
w_i |LSE_i|``). Rows outside what the argument covers (``|m_i| > 2**44``, weights outside
``[2**-900, 2**900]``, a row whose own bound is too weak) are split off and summed by the exact
reference path on their own (:func:`_split_rows`); when the width check fails, or the data are
NaN or ``+inf``, or the probe of the FP environment failed, the kernel returns ``None`` and the
exact reference path answers for the whole array. The pipeline
is double-double: about ``2**-105`` per row, so ``rel_bits`` up to about ``104 + log2(mean
|LSE|)`` is certified.

>>> import numpy as np
>>> logsumexp_sum(np.array([[0.0, 0.0]]), rel_bits=100).decimal(20)     # log 2
'0.69314718055994530942'
>>> logsumexp_sum(np.array([[0.0, 0.0]]), rel_bits=128) is None          # beyond double-double
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np

from ..exact.enclosure import Enclosure
from . import fpenv, jit
from ..exact.sums import reference_logsumexp_sum
from .api import _NEG_INF, _W_HI, _W_LO, _one_weight_vector, _outward, as_float64
from .eft import SPLITTER, exact_sum, pow2, split, sum_upper, two_prod
from .wlog import _two_prod_into

__all__ = ["logsumexp_sum"]

J = 16  # 65536-entry table of 2**(b/2**J)
N_TAB = 1 << J
CUT = 90.0  # entries below m - CUT are clamped (exp(-90) < 2**-129)
CUT_BOUND = 90.005  # |dh| <= CUT_BOUND: fl(m - CUT) is within 2**-8 of m - CUT for |m| <= 2**44
M_MAX = 2.0**44
U = 2.0**-53
_U = Fraction(1, 2**53)
_CHUNK = 1 << 15  # elements per chunk of rows (measured with the scratch buffers: 2**15 ~ 2**16 < 2**14)
_WIDE = 1 << 14  # wider rows go by blocks of columns (cache-sized, like _CHUNK)
_POW2_OFFSET = 160
_POW2 = np.ldexp(1.0, np.arange(-_POW2_OFFSET, 1))  # 2**a for a in [-160, 0]
_C6H = 1.0 / 6.0
_PREC = 340  # fixed-point bits of the constants


def _split_bits(v: Fraction, bits: int) -> Fraction:
    """``v > 0`` truncated to ``bits`` significant bits."""
    e = v.numerator.bit_length() - v.denominator.bit_length()
    scale = pow2(bits - e)
    return Fraction(math.floor(v * scale)) / scale


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``B_b = 2**(b / 2**J)`` for ``0 <= b < 2**J`` as three doubles each (step 3): products of
    two 256-entry fixed-point tables (mpmath at ``_PREC + 20`` bits), each entry within a few
    units of ``2**-_PREC``, far inside the ``2**-150`` relative that the bound uses."""
    with mpmath.workprec(_PREC + 20):
        hi = [int(mpmath.floor(mpmath.ldexp(mpmath.power(2, mpmath.mpf(i) / 256), _PREC))) for i in range(256)]
        lo = [int(mpmath.floor(mpmath.ldexp(mpmath.power(2, mpmath.mpf(i) / N_TAB), _PREC))) for i in range(256)]
    return _three_columns([h * low for h in hi for low in lo], 2 * _PREC)


def _three_columns(values: list[int], frac_bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``v / 2**frac_bits`` for integers with ``2**frac_bits <= v < 2**(frac_bits + 1)`` (values in
    ``[1, 2)``) as three doubles cut at fixed bit positions: bits ``frac_bits .. frac_bits - 52``,
    the next 53 and the next 53 (each an integer below ``2**53`` times a power of two: exact), so
    the truncation is below ``2**-158`` relative. Three list comprehensions of shifts, not a
    Python loop of float arithmetic per entry (a first call builds 65536 of them).

    >>> [c.tolist() for c in _three_columns([3 << 200], 201)] == [[1.5], [0.0], [0.0]]
    True
    """
    if not all(v.bit_length() == frac_bits + 1 for v in (min(values), max(values))):
        raise ValueError("values must lie in [2**frac_bits, 2**(frac_bits + 1))")
    mask = (1 << 53) - 1
    cols = []
    for k in range(3):
        shift = frac_bits - 52 - 53 * k
        part = np.array([(v >> shift) & mask for v in values], dtype=np.float64)  # exact: below 2**53
        cols.append(part * 2.0 ** (shift - frac_bits))  # a power of two: exact
    return cols[0], cols[1], cols[2]


@lru_cache(maxsize=1)
def _constants() -> tuple[float, float, float, float, float, float, float]:
    """``(INV, L1, L2, L3, L4, eps_el, R)`` as described in the module docstring."""
    with mpmath.workprec(_PREC):
        ln2 = mpmath.log(2)
        big_l = Fraction(int(mpmath.floor(mpmath.ldexp(ln2, _PREC - 20))), 2 ** (_PREC - 20) * N_TAB)
        inv = float(N_TAB / ln2)
    l1 = _split_bits(big_l, 29)
    l2 = _split_bits(big_l - l1, 29)
    l3 = _split_bits(big_l - l1 - l2, 29)
    l4 = float(big_l - l1 - l2 - l3)
    eta = abs(big_l - l1 - l2 - l3 - Fraction(l4)) + pow2(-300)  # + the error of big_l itself
    assert big_l - l1 < pow2(-45) and big_l - l1 - l2 < pow2(-74) and big_l - l1 - l2 - l3 < pow2(-103)
    # the FastTwoSums of _reduce: |c L2| > u 90.005 >= |dl| and |c| (L2 - u 90.005) > |c L3| for c != 0
    assert l2 > Fraction(CUT_BOUND) * _U * Fraction(101, 100) and l2 - Fraction(CUT_BOUND) * _U > 2 * l3
    eps_el, big_r = _a_priori(float(big_l), abs(l4), float(eta))
    return inv, float(l1), float(l2), float(l3), l4, eps_el, big_r


def _a_priori(big_l: float, l4: float, eta: float) -> tuple[float, float]:
    """``(eps_el, R)`` from the bounds of steps 2-5."""
    cm = CUT_BOUND * N_TAB / math.log(2) + 1.0  # |c| <= 90.005 * 2**16 / ln 2 + 1 < 2**23.03
    rh_max = big_l / 2 + 2.0**-44
    y = (U * rh_max + 2 * 2.0**-74.8 + cm * l4 * (1 + U)) * 1.01  # >= |y4| + |y3| + |y2| + |fl(c L4)|
    eps_r = 3.03 * U * y + U * cm * l4 + cm * eta
    return _exp_error(rh_max, y * (1 + 3 * U), eps_r)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth: ``a + b = s + e`` exactly."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _fast_two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker: ``a + b = s + e`` exactly when ``|a| >= |b|``."""
    s = a + b
    e = s - a
    np.subtract(b, e, out=e)
    return s, e


def _reduce(dh: np.ndarray, dl: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(c, rh, rl)``: ``dh + dl = c L + rh + rl`` within ``eps_r`` (step 2)."""
    inv, l1, l2, l3, l4 = _constants()[:5]
    c = dh * inv
    np.rint(c, out=c)
    x1 = c * l1
    np.subtract(dh, x1, out=x1)  # exact (step 2)
    x2, y2 = _fast_two_sum(c * -l2, dl)  # |c L2| >= |dl| unless c = 0 (step 2)
    x3, y3 = _fast_two_sum(x2, c * -l3)  # |x2| >= |c L3|
    rh, rl = _two_sum(x1, x3)
    rl += y3
    rl += y2
    rl -= c * l4
    return c, rh, rl


def _exp_error(rmax: float, rl_max: float, eps_r: float) -> tuple[float, float]:
    """``(eps_el, R)``: the relative error bound of one term (steps 4 and 5)."""
    big_r = (rmax + rl_max + eps_r) * 1.001
    p = rl_max + eps_r
    poly = big_r**4 / 20
    s_a = (U * big_r**2 / 2 + rl_max * big_r * 1.01) * 1.01  # e2/2 + rl s1
    s_sigma = (s_a + poly + rl_max) * 1.01  # >= |sigma| and its partial sums
    eps_sigma = U * (3 * s_a + poly + s_sigma) * 1.01
    eps_exp = (eps_r * (1 + big_r + big_r**2) + p * p * (1 + big_r) + 0.7 * U * big_r**3 + U * big_r**2 * p
               + big_r**3 * p / 5 + U * big_r**4 / 2 + U * p * big_r + big_r**6 / 700 + eps_sigma)
    xm = big_r + big_r**2 + big_r**3 + s_sigma  # >= |qh + ql|
    ql_max = (2 * U * big_r + s_sigma) * 1.01
    eps_ql = U * (2 * U * big_r + ql_max) * 1.01  # ql = fl(fl(e1 + e2) + sigma)
    small_t = (2 * U * big_r + 2.0**-105) * 1.01  # the terms of tiny before W1 ql
    eps_tiny = U * (4 * small_t + 2 * (small_t + ql_max)) * 1.01
    eps_el = (eps_exp + eps_ql + U * (ql_max + eps_exp) + 2.0**-105 * (xm + eps_exp) + 2.0**-150 * (1 + xm)
              + eps_tiny) * math.exp(big_r)
    return eps_el * 1.1, big_r


def _terms(zc: np.ndarray, m: np.ndarray) -> list[np.ndarray]:
    """The four arrays whose row sums give ``S_i`` within ``eps_el S_i`` (steps 1-5)."""
    b1t, b2t, b3t = _table()
    dh, dl = _two_sum(zc, -m[:, None])
    c, rh, rl = _reduce(dh, dl)
    ci = c.astype(np.int64)
    scale = _POW2[(ci >> J) + _POW2_OFFSET]  # 2**a, a >= -132: exact products below
    b = ci & (N_TAB - 1)
    w1, w2, w3 = np.take(b1t, b), np.take(b2t, b), np.take(b3t, b)
    w1 *= scale
    w2 *= scale
    w3 *= scale
    srh = split(rh)
    p2, e2 = two_prod(rh, rh, srh, srh)
    h2 = p2 * 0.5
    h3 = p2 * rh
    h3 *= _C6H
    s1, e1 = _fast_two_sum(rh, h2)  # |rh| >= |h2|
    qh, ql = _fast_two_sum(s1, h3)  # |s1| >= |h3|
    poly = rh * (1.0 / 120.0)
    poly += 1.0 / 24.0
    poly *= p2 * p2
    sig = e2 * 0.5  # the small terms first (step 4)
    sig += rl * s1  # rl (rh + rh**2 / 2): the cross terms of r**2 / 2 and r**3 / 6
    sig += poly
    sig += rl
    ql += e1
    ql += sig  # exp(r) = 1 + qh + ql + e_x (step 5)
    a2, a3 = two_prod(w1, qh)
    tiny = w2 * qh  # the small terms first, W1 ql last (step 5)
    tiny += a3
    tiny += w3
    tiny += w1 * ql
    return [w1, a2, w2, tiny]


class _Scratch:
    """Flat float64 and int64 buffers of ``_CHUNK`` entries, allocated once per kernel call and
    viewed as ``(rows, width)`` blocks: :func:`_terms_into` writes every intermediate into them
    (``out=``), so a block allocates nothing. (Fresh temporaries of a block, 128 KiB each, are
    served by ``mmap`` and page-fault on first touch: the same arithmetic then varied about
    threefold in time with the allocator's history.)"""

    def __init__(self, size: int) -> None:
        self.size = size
        self.f = [np.empty(size) for _ in range(13)]
        self.i = [np.empty(size, np.int64) for _ in range(2)]

    def views(self, shape: tuple[int, int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        m = shape[0] * shape[1]
        return ([b[:m].reshape(shape) for b in self.f], [b[:m].reshape(shape) for b in self.i])


def _split_to(a: np.ndarray, t: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> None:
    """:func:`.eft.split` (same operations, same order) into ``hi`` and ``lo``; ``t`` scratch."""
    np.multiply(a, SPLITTER, out=t)
    np.subtract(t, a, out=hi)
    np.subtract(t, hi, out=hi)
    np.subtract(a, hi, out=lo)


def _terms_into(z: np.ndarray, low: np.ndarray, m: np.ndarray, scratch: _Scratch) -> list[np.ndarray]:
    """:func:`_terms` of ``max(z, low)`` with the same operations on the same values in the same
    order (so steps 1-5 and their bounds hold as argued), every intermediate written into
    ``scratch``; the returned arrays are views of it (valid until the next call). One change that
    is not an operation change: the square ``rh * rh`` adds its cross product ``hi * lo`` twice
    from one multiplication (Dekker's ``ah bl`` and ``al bh`` are the same double)."""
    (b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12), (i0, i1) = scratch.views(z.shape)
    inv, l1, l2, l3, l4 = _constants()[:5]
    b1t, b2t, b3t = _table()
    negm = -m[:, None]
    zc = np.maximum(z, low, out=b3)
    # step 1: dh + dl = zc - m (TwoSum): dh b0, dl b2
    np.add(zc, negm, out=b0)
    np.subtract(b0, zc, out=b1)  # bb
    np.subtract(b0, b1, out=b2)
    np.subtract(zc, b2, out=b2)
    np.subtract(negm, b1, out=b1)
    np.add(b2, b1, out=b2)
    # step 2 (_reduce): c b3, x1 b1, x2 b4, y2 b5, x3 b2... rh b0, rl b7
    c = np.multiply(b0, inv, out=b3)
    np.rint(c, out=c)
    np.multiply(c, l1, out=b1)
    np.subtract(b0, b1, out=b1)  # x1, exact
    np.multiply(c, -l2, out=b0)  # a
    np.add(b0, b2, out=b4)  # x2
    np.subtract(b4, b0, out=b5)
    np.subtract(b2, b5, out=b5)  # y2
    np.multiply(c, -l3, out=b0)  # b
    np.add(b4, b0, out=b2)  # x3
    np.subtract(b2, b4, out=b6)
    np.subtract(b0, b6, out=b6)  # y3
    rh = np.add(b1, b2, out=b0)  # TwoSum(x1, x3)
    np.subtract(rh, b1, out=b4)  # bb
    np.subtract(rh, b4, out=b7)
    np.subtract(b1, b7, out=b7)
    np.subtract(b2, b4, out=b4)
    rl = np.add(b7, b4, out=b7)
    rl += b6
    rl += b5
    np.multiply(c, l4, out=b1)
    rl -= b1
    # step 3: W = 2**a B_b: w1 b2, w2 b4, w3 b5
    np.copyto(i0, c, casting="unsafe")  # c is an integer below 2**23.03: exact
    np.right_shift(i0, J, out=i1)
    i1 += _POW2_OFFSET
    scale = np.take(_POW2, i1, out=b1)
    np.bitwise_and(i0, N_TAB - 1, out=i1)
    w1, w2, w3 = np.take(b1t, i1, out=b2), np.take(b2t, i1, out=b4), np.take(b3t, i1, out=b5)
    w1 *= scale
    w2 *= scale
    w3 *= scale
    # step 4: p2 b1, e2 b8 (rh hi b3, lo b6)
    _split_to(rh, b1, b3, b6)
    p2, e2 = np.multiply(rh, rh, out=b1), np.multiply(b3, b3, out=b8)
    e2 -= p2
    np.multiply(b3, b6, out=b9)
    e2 += b9
    e2 += b9
    np.multiply(b6, b6, out=b9)
    e2 += b9
    h2 = np.multiply(p2, 0.5, out=b3)
    h3 = np.multiply(p2, rh, out=b6)
    h3 *= _C6H
    s1 = np.add(rh, h2, out=b9)  # FastTwoSum(rh, h2): e1 b10
    np.subtract(s1, rh, out=b10)
    e1 = np.subtract(h2, b10, out=b10)
    qh = np.add(s1, h3, out=b3)  # FastTwoSum(s1, h3): ql b11
    np.subtract(qh, s1, out=b11)
    ql = np.subtract(h3, b11, out=b11)
    poly = np.multiply(rh, 1.0 / 120.0, out=b6)
    poly += 1.0 / 24.0
    np.multiply(p2, p2, out=b12)
    poly *= b12
    sig = np.multiply(e2, 0.5, out=b0)
    np.multiply(rl, s1, out=b1)
    sig += b1
    sig += poly
    sig += rl
    ql += e1
    ql += sig
    # step 5: a2 b9, a3 b10, tiny b12 (w1 hi b1, lo b6; qh hi b7, lo b8)
    _split_to(w1, b0, b1, b6)
    _split_to(qh, b0, b7, b8)
    _two_prod_into(w1, qh, b1, b6, b7, b8, b9, b10, b0)  # a2 = fl(w1 qh) in b9, its error a3 in b10
    a2, a3 = b9, b10
    tiny = np.multiply(w2, qh, out=b12)
    tiny += a3
    tiny += w3
    np.multiply(w1, ql, out=b0)
    tiny += b0
    return [w1, a2, w2, tiny]


def _magnitudes() -> list[float]:
    """Bounds of the entries of the four arrays of :func:`_terms` (``W <= 1``)."""
    big_r = _constants()[6]
    return [1.0, (big_r + big_r**2) * 1.01, 2.0**-52, 2.0**-52]


def _extract(arrays: list[np.ndarray], mags: list[float], width: int) -> tuple[list[np.ndarray], np.ndarray, float]:
    """Step 6 on one block of columns of rows ``width`` wide (all entries at most 2,
    ``|arrays[i]| <= mags[i]``; the arrays are overwritten): the exact row totals of each
    extraction round, the float row sums of the last residual, and the bound of the roundings.
    The splitters depend only on ``width`` and ``mags``, so blocks of the same rows can add their
    round totals exactly."""
    rows, k = arrays[0].shape
    n = width * len(arrays)
    bits = int(n + 2).bit_length()
    kj = bits + 2
    work, mags = list(arrays), list(mags)
    totals = []
    err = 0.0
    q = np.empty_like(work[0])
    while True:
        if kj - 53 < -1000:
            raise ArithmeticError("extraction unit would underflow")
        sig, unit = 2.0**kj, 2.0 ** (kj - 53)
        tot = np.zeros(rows)
        for i, v in enumerate(work):
            if mags[i] >= unit / 2:  # else every piece is 0: sig + v rounds to sig
                np.add(v, sig, out=q)
                q -= sig
                v -= q  # exact, |v| <= unit now
                tot += q.sum(axis=1)  # multiples of unit, |partial sums| < sig: exact
                mags[i] = unit
        totals.append(tot)
        if len(work) == 1:
            break
        if width * len(work) * U * sum(mags) * 1.01 <= 2.0**-112:  # add the residuals in floats
            for v in work[1:]:
                work[0] += v
            err += k * len(work) * U * sum(mags) * 1.01
            mags = [sum(mags) * (1 + len(work) * U)]
            work = work[:1]
        kj = kj - 52 + bits
    err += k * k * U * mags[0] * 1.01  # the float row sum of the last residual, |v| <= mags[0]
    return totals, work[0].sum(axis=1), err


def _double_double(totals: list[np.ndarray], last: np.ndarray, err: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Sh, Sl, err)`` from exact round totals (decreasing) and the float ``last``: a TwoSum of
    the two largest, the rest added in floats smallest first (each rounding bounded), a TwoSum
    at the end so that ``|Sl| <= u |Sh|``."""
    sh, sl = _two_sum(totals[0], totals[1] if len(totals) > 1 else np.zeros_like(last))  # exact
    rest = last.copy()
    errs = err.copy()
    for t in reversed(totals[2:]):  # the small ones, smallest first
        rest += t
        errs += U * np.abs(rest)
    sl += rest
    errs += U * np.abs(sl)
    sh, sl = _two_sum(sh, sl)  # exact; |sl| <= ulp(sh)/2 <= u |sh|
    return sh, sl, errs * (1 + 8 * U)


def logsumexp_sum(z: Any, w: Any = None, *, rel_bits: int = 128) -> Enclosure | None:
    """Enclose ``sum_i w_i LSE(z_i)`` (the contract of :mod:`symxent.exact.sums`), or None.

    >>> import numpy as np
    >>> logsumexp_sum(np.array([[1.0, float("-inf")]]), rel_bits=90).decimal(10)
    '1.000000000'
    """
    if not fpenv.FP_ENV_OK or isinstance(rel_bits, bool) or not isinstance(rel_bits, int):
        return None
    if not 1 <= rel_bits <= 200:
        return None
    zs = as_float64(z, 2)
    if zs is None or np.isnan(zs).any() or (zs == np.inf).any():
        return None
    ws = None
    if w is not None:
        ws = as_float64(w, 1)
        if ws is None or ws.shape[0] != zs.shape[0] or not np.all(np.isfinite(ws)) or (ws < 0).any():
            return None
        keep = ws != 0
        if not keep.all():
            zs, ws = zs[keep], ws[keep]
        if ws.size and np.all(ws == 1.0):
            ws = None
    n, k = zs.shape
    if n == 0:
        return Enclosure.exact(0)
    if k == 0:
        return _NEG_INF
    m = zs.max(axis=1)
    if (m == -np.inf).any():
        return _NEG_INF
    hard = np.abs(m) > M_MAX
    if ws is not None:
        hard |= (ws < _W_LO) | (ws > _W_HI)
    try:
        if hard.any():
            return _split_rows(zs, m, ws, hard, rel_bits)
        return _kernel(zs, m, ws, rel_bits)
    except ArithmeticError:
        return None


def _split_rows(zs: np.ndarray, m: np.ndarray, ws: np.ndarray | None, hard: np.ndarray,
                rel_bits: int) -> Enclosure | None:
    """The rows the kernel cannot take (``|m_i| > 2**44``, weights outside ``[2**-900,
    2**900]``, rows whose own bound is too weak) summed by the exact reference path on their own,
    the rest by the kernel: the two enclosures add, and the total's width is checked against the
    contract (relative to ``max(1, |S_kernel| + sum |w LSE|`` over the split rows), a lower bound
    of ``sum |w_i LSE_i|``). The reference part is asked for 8 more bits, so that it costs the
    total almost nothing of its width."""
    easy = ~hard
    part = Enclosure.exact(0)
    if easy.any():
        got = _kernel(zs[easy], m[easy], None if ws is None else ws[easy], rel_bits)
        if got is None:
            return None
        part = got
    zh, wh = zs[hard], None if ws is None else ws[hard]
    ref = reference_logsumexp_sum(zh, wh, rel_bits=rel_bits + 8)
    total = part + ref
    mag_ref = _min_abs(ref) if ref.lo * ref.hi > 0 else Fraction(0)
    mag_ker = _min_abs(part) if part.lo * part.hi > 0 else Fraction(0)
    if total.hi - total.lo > pow2(-rel_bits) * max(Fraction(1), mag_ker + mag_ref):
        return None
    return total


def _block_sums(z: np.ndarray, m: np.ndarray, scratch: _Scratch | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Sh, Sl, err)`` for a block of rows; rows wider than ``_WIDE`` go by blocks of columns
    whose round totals add up exactly (same splitters) and whose last residuals add in floats."""
    low = (m - CUT)[:, None]
    width = z.shape[1]
    totals: list[np.ndarray] = []
    last, err = np.zeros(len(m)), np.zeros(len(m))
    for c0 in range(0, width, _WIDE):
        zb = z[:, c0:c0 + _WIDE]
        if scratch is None:
            arrays = _terms(np.maximum(zb, low), m)
        else:
            arrays = _terms_into(zb, low, m, scratch)
        tots, lst, e = _extract(arrays, _magnitudes(), width)
        if not totals:
            totals = tots
        else:
            for acc, t in zip(totals, tots):
                acc += t  # multiples of the same unit, below the same splitter: exact
        last += lst
        err += e + U * np.abs(last)
    return _double_double(totals, last, err)


def _numpy_rows(zs: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Sh, Sl, err)`` of every row by chunks of rows (steps 1-6, vectorised NumPy)."""
    n, k = zs.shape
    step = max(1, _CHUNK // k)
    sh, sl, err = np.empty(n), np.empty(n), np.empty(n)
    scratch = _Scratch(step * min(k, _WIDE))
    for s in range(0, n, step):
        sh[s:s + step], sl[s:s + step], err[s:s + step] = _block_sums(zs[s:s + step], m[s:s + step], scratch)
    return sh, sl, err


def _row_sums(zs: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Sh, Sl, err)`` with ``|S_i - Sh_i - Sl_i| <= err_i``: the compiled rows when
    :func:`.jit.load` hands them out (the same terms, an exact int64 step 6), else NumPy's."""
    compiled = jit.load("logsumexp")
    sh, sl, err = (_numpy_rows if compiled is None else compiled.row_sums)(zs, m)
    err += _constants()[5] * (sh * 1.001) + zs.shape[1] * (2.0**-128 + 2.0**-1000)  # steps 1-5
    return sh, sl, err


def _min_abs(e: Enclosure) -> Fraction | float:
    """``min(|lo|, |hi|)`` (written with ``-`` so that mypy keeps the type of the end points)."""
    lo, hi = e.lo, e.hi
    return min(lo if lo >= 0 else -lo, hi if hi >= 0 else -hi)


def _kernel(zs: np.ndarray, m: np.ndarray, ws: np.ndarray | None, rel_bits: int) -> Enclosure | None:
    n, k = zs.shape
    sh, sl, err = _row_sums(zs, m)
    if not sh.min() >= 1.0 - 2.0**-40 or not err.max() <= 2.0**-90:
        weak = ~((sh >= 1.0 - 2.0**-40) & (err <= 2.0**-90))
        if weak.all():
            return None
        return _split_rows(zs, m, ws, weak, rel_bits)
    # sum w (m + log S) with log S = log(Sh + Sl) + theta, |theta| <= 1.01 err / Sh
    log_part = _one_weight_vector(sh, sl, ws, rel_bits + 4)
    if log_part is None:
        return None
    mid, rad = log_part
    errs = err * 1.01 / sh if ws is None else err * 1.01 / sh * ws
    rad += sum_upper(errs) * (1 + 4 * pow2(-53))
    est = abs(float(mid)) + float(np.sum(np.abs(m) if ws is None else np.abs(m) * ws))
    tol = pow2(-rel_bits - 6) * Fraction(max(1.0, est))
    if ws is None:
        mv, me = exact_sum(m, tol)
    else:
        p, e = two_prod(ws, m)
        mv, me = exact_sum(p, tol / 2)
        v2, e2 = exact_sum(e, tol / 2)
        mv, me = mv + v2, me + e2 + n * pow2(-1000)
    mid, rad = mid + mv, rad + me
    lo, hi = _outward(mid - rad, mid + rad, rel_bits + 8)
    magnitude = max(Fraction(1), min(abs(lo), abs(hi)) if lo * hi > 0 else Fraction(1))
    if hi - lo > pow2(-rel_bits) * magnitude:
        return None
    return Enclosure(lo, hi)
