"""Certified ``KL(P || Q) = sum p log(p/q)`` when ``P`` and ``Q`` nearly coincide: the log ratio,
term by term, with no cancellation.

``sum p log p - sum p log q`` loses every bit that the two sums share: at ``KL ~ 1e-18`` and sums
of order 10 that is about 60 bits, more than the 112-136 bits the fast sums certify leave for
30 digits. Here the close elements are summed in a form whose terms are all of the size of
their contribution to the result.

Identity (exact). For ``p, q > 0`` put ``d = p - q``, ``u = d / q`` and
``g(u) = (1 + u) log(1 + u) - u >= 0``. Then ``p log(p/q) = q (1+u) log(1+u) = q g(u) + d``, so

    ``sum p log(p/q) = sum_close T_i + sum_close d_i + sum_far (p log p - p log q)``,

``T = q g(u) = B (1 + 2 k(u))`` with ``B = d**2 / (2 q)``, ``k(u) = u m(u)`` and
``m(u) = sum_{j>=1} c_j u**(j-1)``, ``c_j = (-1)**j / ((j+1)(j+2))`` (``g = u**2 (1/2 + k)``).
Every ``T_i >= 0``, so a relative error ``rho`` per term is a relative error ``rho`` of their
sum; ``sum d`` is a sum of exact doubles, summed exactly.

Close elements: ``p > 0``, ``q`` in ``[2**-300, 2**300]`` and ``|d| <= 2**-8 q`` (then
``q/2 <= p <= 2q``, so ``d = fl(p - q)`` is exact by Sterbenz). Per element (``u0 = 2**-53``;
in this range every nonzero intermediate stays above ``2**-700``, far from underflow, and an
absolute ``2**-700`` per element is added all the same):

1. ``u = uh + ul + du``: ``uh = fl(d/q)``; ``r = d - uh q`` is a double (the remainder of a
   correctly rounded quotient, Bohlender-Walter-Kornerup-Matula 1991) and is computed exactly as
   ``(d - a) - b`` with ``a + b = uh q`` (Dekker's product; ``d - a`` exact by Sterbenz);
   ``ul = fl(r/q)``, so ``|du| <= u0**2 |u|``, ``|u - uh| <= u0 |u|``.
2. ``B = B1 + B2 + B3 + dB``: ``d**2 / 2 = m1 + m2`` exactly; ``B1 = fl(m1/q)``,
   ``R1 = m1 - B1 q`` exactly (as in 1), ``s + e = R1 + m2`` (TwoSum), ``B2 = fl(s/q)``,
   ``R2 = s - B2 q`` exactly, ``B3 = fl(fl(R2 + e)/q)``. ``|B - B1| <= gamma B`` with
   ``gamma = 2 u0/(1-u0)`` (``|m2| <= u0 m1``), ``|B - B1 - B2| = |R2 + e|/q <= beta B`` with
   ``beta = 2 u0 gamma/(1-u0)``, and ``|dB| <= (2 u0 + u0**2) beta B``.
3. ``m`` by Horner's scheme to degree ``K``: the inner levels ``K..L+1`` in plain doubles (with
   ``uh``), the outer levels ``L..1`` in double-double (``c_j`` as a double-double,
   ``u = uh + ul``; ``(ph, pl) = TwoProd(uh, yh)``, ``FastTwoSum(c_jh, ph)``, the cross terms
   ``uh yl + ul yh`` and ``c_jl`` rounded into the low part). ``k = u m`` as ``kh + kl``
   (``TwoProd(uh, mh)`` plus the rounded cross terms).
4. ``2 B k = P1 + P2 + P3 + dP``: ``(P1, P2) = TwoProd(B1, 2 kh)``,
   ``P3 = fl(fl(fl(B1 2 kl) + fl(B2 2 kh)) + B3)``.

The rows ``B1, B2, P1, P2, P3`` and ``d`` are summed by error-free extraction
(:func:`.eft.exact_sum_rows`; ``d`` exactly, the others to a tolerance that is added). The rounding
error of steps 1-4 is bounded by running the same operations on magnitudes: with ``tau = 2**c``
the chunk's bound on ``|uh|`` (a power of two, so the bound is cached per ``c``), every
rounding ``fl(x)`` costs at most ``u0 |x|``, every exact step nothing (the FastTwoSum
precondition ``|c_jh| >= |ph|`` is checked on the bounds), ``|c_j - c_jh - c_jl|`` and the
Horner truncation ``tau'**K / ((K+2)(K+3)(1 - tau'))`` (``tau' = tau/(1-u0) >= |u|``) are exact
rationals, and the result is a factor ``rho(c)`` with ``|T_i - (B1 + B2 + P1 + P2 + P3)_i| <=
rho B_i`` (:func:`series_plan`; ``rho`` is about ``2**-102 tau``: ``2**-110.2`` at the edge
``tau = 2**-8``, ``2**-130`` for ``|u| <= 2**-28``). The width adds ``rho sum B1 (1+u0)/(1-u0)``
per chunk (``B <= B1 (1+u0)/(1-u0)``). The far elements go through the certified sums of
:mod:`symxent.exact.sums` (weights scaled by an exact power of two so that their bound, relative
to ``max(1, |S|)``, is relative to the sum itself), with more bits if the total is not yet
decided to ``2**-rel_bits`` relative and the far part's width dominates.

:func:`symxent.kernels.losses.kl_divergence` calls :func:`kl_log_ratio` when the two sums do
not certify 30 digits, or first when an evenly spaced sample of the elements is all close
(:func:`looks_close`): then it is also the cheaper of the two.

>>> import numpy as np
>>> p = np.array([0.25, 0.75]); q = np.array([0.25 + 2.0**-40, 0.75 - 2.0**-40])
>>> e = kl_log_ratio(p, q)
>>> import mpmath
>>> with mpmath.workprec(600):
...     exact = sum(mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)) for a, b in zip(p, q))
...     lo, hi = (mpmath.mpf(x.numerator) / x.denominator for x in (e.lo, e.hi))
...     print(lo <= exact <= hi, hi - lo < 1e-35 * exact)
True True
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ..exact.enclosure import Enclosure, abs_bound
from . import fpenv, jit
from .eft import Dyadic, U, exact_sum_rows, pow2, sum_upper
from .wlog import Workspace, _split_into, _two_prod_into

__all__ = ["kl_log_ratio", "looks_close", "series_plan", "CLOSE"]

CLOSE = 2.0**-8  # |p - q| <= CLOSE q: a close element
Q_MIN, Q_MAX = 2.0**-300, 2.0**300
_CHUNK = 1 << 14
_BLOCK = 1 << 15
_ABS = pow2(-700)  # per element: any underflow (none occurs in the close range)
_MAX_K = 40
_INF = Enclosure(float("inf"), float("inf"))


@lru_cache(maxsize=None)
def _coef(j: int) -> tuple[float, float, Fraction, Fraction]:
    """``c_j`` as ``(hi, lo)`` doubles, its exact value and ``|c_j - hi - lo|``."""
    c = Fraction((-1) ** j, (j + 1) * (j + 2))
    hi = float(c)
    lo = float(c - Fraction(hi))
    return hi, lo, c, abs(c - Fraction(hi) - Fraction(lo))


def _horner_bound(c: int, big_k: int, big_l: int) -> tuple[Fraction, Fraction, Fraction] | None:
    """Bounds ``(E, Hh, Hl)`` for step 3 with ``|uh| <= 2**c``: ``|mh + ml - m_K(u)| <= E`` (``m_K``
    the degree-``K`` polynomial), ``|mh| <= Hh``, ``|ml| <= Hl``; None when a FastTwoSum
    precondition ``|c_jh| >= |ph|`` cannot be proven."""
    u0, t = U, pow2(c)
    tu = t / (1 - u0)  # |u| <= |uh| / (1 - u0)
    tl = u0 * tu * (1 + u0)  # |ul| <= (1 + u0) |r/q| <= (1 + u0) u0 |u|
    du = u0 * u0 * tu  # |uh + ul - u|
    true = [Fraction(0)] * (big_k + 2)  # true[j] >= |y_j(u)|
    for j in range(big_k, 0, -1):
        true[j] = abs(_coef(j)[2]) + tu * true[j + 1]
    hi0, _, cval, _ = _coef(big_k)
    e, hh, hl = abs(cval - Fraction(hi0)), abs(Fraction(hi0)), Fraction(0)
    for j in range(big_k - 1, big_l, -1):  # plain: y = fl(c_jh + fl(uh y))
        chj = abs(Fraction(_coef(j)[0]))
        prod = t * hh * (1 + u0)
        e = (abs(_coef(j)[2] - Fraction(_coef(j)[0])) + t * e + u0 * tu * true[j + 1]
             + u0 * t * hh + u0 * (chj + prod))
        hh = (chj + prod) * (1 + u0)
    for j in range(big_l, 0, -1):  # double-double
        chj, clj = abs(Fraction(_coef(j)[0])), abs(Fraction(_coef(j)[1]))
        ph = t * hh * (1 + u0)
        if chj < ph:
            return None
        pl = u0 * t * hh
        t1, t2 = t * hl * (1 + u0), tl * hh * (1 + u0)
        tt = (t1 + t2) * (1 + u0)
        sh = (chj + ph) * (1 + u0)
        sl = u0 * (chj + ph)
        v1 = (sl + pl) * (1 + u0)
        v2 = (v1 + tt) * (1 + u0)
        v3 = (v2 + clj) * (1 + u0)
        e = (_coef(j)[3] + (t + tl) * e + du * true[j + 1] + tl * hl
             + u0 * (t * hl + tl * hh + t1 + t2 + sl + pl + v1 + tt + v2 + clj))
        hh, hl = sh, v3
    return e, hh, hl


@lru_cache(maxsize=None)
def series_plan(c: int) -> tuple[int, int, Fraction] | None:
    """``(K, L, rho)`` for a chunk with ``|uh| <= 2**c`` (``c <= -8``): the degree, the number of
    double-double levels, and ``rho`` with ``|T_i - computed_i| <= rho B_i`` (module docstring).

    >>> k, l, rho = series_plan(-30)
    >>> (k, l), rho < Fraction(1, 2**130)
    ((4, 2), True)
    """
    if c > -8:
        return None
    u0, tu = U, pow2(c) / (1 - U)
    big_k = next((k for k in range(2, _MAX_K + 1)
                  if tu**k / ((k + 2) * (k + 3) * (1 - tu)) <= u0 * u0 / 64), None)
    if big_k is None:
        return None
    trunc = tu**big_k / ((big_k + 2) * (big_k + 3) * (1 - tu))
    bounds = [_horner_bound(c, big_k, big_l) for big_l in range(1, big_k)]
    ok = [(i + 1, b) for i, b in enumerate(bounds) if b is not None]
    if not ok:
        return None
    least = min(b[0] for _, b in ok)
    big_l, (em, hh, hl) = next((l, b) for l, b in ok if b[0] <= 2 * least)  # fewest levels
    return big_k, big_l, _product_bound(c, em + trunc, hh, hl)


def _product_bound(c: int, em: Fraction, hh: Fraction, hl: Fraction) -> Fraction:
    """``rho`` of steps 3 (``k = u m``) and 4 and of ``B3``, in units of ``B``, given
    ``|mh + ml - m(u)| <= em``, ``|mh| <= hh``, ``|ml| <= hl`` and ``|uh| <= 2**c``."""
    u0, t = U, pow2(c)
    tu = t / (1 - u0)
    tl = u0 * tu * (1 + u0)
    du = u0 * u0 * tu
    mt = Fraction(1, 6) + tu / (12 * (1 - tu))  # |m(u)|
    # step 3, k = u m: (kh, ke) = TwoProd(uh, mh), w = fl(fl(uh ml) + fl(ul mh)), kl = fl(ke + w)
    w1, w2 = t * hl * (1 + u0), tl * hh * (1 + u0)
    w = (w1 + w2) * (1 + u0)
    khb = t * hh * (1 + u0)
    ke = u0 * khb
    klb = (ke + w) * (1 + u0)
    ek = (du * mt + (t + tl) * em + tl * hl
          + u0 * (t * hl + tl * hh + w1 + w2 + ke + w))
    kt = tu * mt
    # step 4, in units of B
    gamma = 2 * u0 / (1 - u0)  # |B - B1| <= gamma B (|m2| <= u0 m1, B1 = fl(m1/q))
    beta = 2 * u0 * gamma / (1 - u0)  # |B - B1 - B2| = |R2 + e|/q <= 2 u0 |s|/q
    b1, b2 = (1 + u0) / (1 - u0), gamma * (1 + u0) / (1 - u0)
    b3 = beta * (1 + u0) ** 2
    x, y = 2 * b1 * klb * (1 + u0), 2 * b2 * khb * (1 + u0)
    z = (x + y) * (1 + u0)
    rho = (beta * (2 * u0 + u0 * u0)  # B3 against (R2 + e)/q
           + 2 * beta * kt + 2 * (1 + beta) * ek + 2 * b2 * klb
           + u0 * (2 * b1 * klb + 2 * b2 * khb + x + y + z + b3))
    return rho


def _chunk_terms(p: np.ndarray, q: np.ndarray, d: np.ndarray, rows: np.ndarray,
                 work: Workspace | None = None) -> tuple[Fraction, Fraction]:
    """Fill ``rows`` (shape ``(6, m)``) with ``B1, B2, P1, P2, P3, d`` for close elements (steps
    1-4 of the module docstring, every operation into a buffer of ``work``); return
    ``(rho, an upper bound of sum B1)``."""
    c, _ = _chunk_rows(p, q, d, rows, work)
    b1 = rows[0]
    plan = series_plan(c)
    assert plan is not None
    return plan[2], (sum_upper(b1) if b1.any() else Fraction(0))


def _chunk_rows(p: np.ndarray, q: np.ndarray, d: np.ndarray, rows: np.ndarray,
                work: Workspace | None = None) -> tuple[int, float]:
    """:func:`_chunk_terms` without Fractions: the rows, the exponent ``c`` of the plan
    (:func:`series_plan`) and the float sum of ``B1`` (``B1 >= 0``; rounded, for
    :func:`_close_part` to bound)."""
    m = d.size
    work = Workspace(m) if work is None else work
    g = lambda name: work.get(name, m)  # noqa: E731
    _split_into(q, g("qh"), g("ql"), g("tmp"))
    uh, ul = _ratio(d, q, g)
    tmax = max(float(uh.max()), -float(uh.min())) if m else 0.0
    c = -1000
    if tmax > 0:
        frac, c = math.frexp(tmax)
        c = c - 1 if frac == 0.5 else c  # 2**c >= tmax
    c = max(c, -1000)
    plan = series_plan(c)
    assert plan is not None  # |d| <= 2**-8 q, so |uh| = |fl(d/q)| <= 2**-8: c <= -8
    big_k, big_l, _ = plan
    b3 = _half_square_over_q(d, q, rows[0], rows[1], g)
    yh, yl = _m_series(uh, ul, big_k, big_l, g)
    _products(uh, ul, yh, yl, b3, rows, g)
    rows[5] = d
    return c, float(np.sum(rows[0]))


def _ratio(d: np.ndarray, q: np.ndarray, g) -> tuple[np.ndarray, np.ndarray]:
    """Step 1: ``u = d/q = uh + ul`` (``uh`` split into ``uhh + uhl`` for later products)."""
    tmp, a, b = g("tmp"), g("a"), g("b")
    uh, ul = g("uh"), g("ul")
    np.divide(d, q, out=uh)
    _split_into(uh, g("uhh"), g("uhl"), tmp)
    _two_prod_into(uh, q, g("uhh"), g("uhl"), g("qh"), g("ql"), a, b, tmp)
    np.subtract(d, a, out=ul)
    ul -= b  # r = d - uh q, exact
    ul /= q
    return uh, ul


def _half_square_over_q(d: np.ndarray, q: np.ndarray, b1: np.ndarray, b2: np.ndarray, g) -> np.ndarray:
    """Step 2: ``B = d**2/(2q) = B1 + B2 + B3`` into ``b1``, ``b2`` and a returned buffer (``B1``
    stays split in ``b1h + b1l``)."""
    tmp, a, b, qh, ql = g("tmp"), g("a"), g("b"), g("qh"), g("ql")
    dh, dl, n1, n2 = g("dh"), g("dl"), g("n1"), g("n2")
    _split_into(d, dh, dl, tmp)
    _two_prod_into(d, d, dh, dl, dh, dl, n1, n2, tmp)
    n1 *= 0.5
    n2 *= 0.5
    b1h, b1l, bh, bl = g("b1h"), g("b1l"), g("bh"), g("bl")
    np.divide(n1, q, out=b1)
    _split_into(b1, b1h, b1l, tmp)
    _two_prod_into(b1, q, b1h, b1l, qh, ql, a, b, tmp)
    r1, s, bb, e = g("r1"), g("s"), g("bb"), g("e")
    np.subtract(n1, a, out=r1)
    r1 -= b  # R1 = m1 - B1 q, exact
    np.add(r1, n2, out=s)  # TwoSum(R1, m2)
    np.subtract(s, r1, out=bb)
    np.subtract(s, bb, out=e)
    np.subtract(r1, e, out=e)
    np.subtract(n2, bb, out=bb)
    e += bb
    np.divide(s, q, out=b2)
    _split_into(b2, bh, bl, tmp)
    _two_prod_into(b2, q, bh, bl, qh, ql, a, b, tmp)
    b3 = g("b3")
    np.subtract(s, a, out=b3)
    b3 -= b  # R2 = s - B2 q, exact
    b3 += e
    b3 /= q
    return b3


def _m_series(uh: np.ndarray, ul: np.ndarray, big_k: int, big_l: int, g) -> tuple[np.ndarray, np.ndarray]:
    """Step 3: ``m(u)`` by Horner's scheme as ``yh + yl``: plain levels, then double-double ones
    (in place)."""
    tmp, a, b = g("tmp"), g("a"), g("b")
    uhh, uhl = g("uhh"), g("uhl")
    yh, yl, yhh, yhl, t = g("yh"), g("yl"), g("yhh"), g("yhl"), g("t")
    yh.fill(_coef(big_k)[0])
    for j in range(big_k - 1, big_l, -1):
        yh *= uh
        yh += _coef(j)[0]
    for j in range(big_l, 0, -1):
        chj, clj = _coef(j)[0], _coef(j)[1]
        _split_into(yh, yhh, yhl, tmp)
        _two_prod_into(uh, yh, uhh, uhl, yhh, yhl, a, b, tmp)  # (ph, pl)
        np.multiply(ul, yh, out=t)
        if j < big_l:  # yl is 0 after the plain levels
            np.multiply(uh, yl, out=tmp)
            np.add(tmp, t, out=t)
        np.add(a, chj, out=yh)  # sh
        np.subtract(yh, chj, out=yl)
        np.subtract(a, yl, out=yl)  # sl, FastTwoSum (|c_jh| >= |ph|, checked by the bound)
        yl += b
        yl += t
        yl += clj
    return yh, yl


def _products(uh, ul, yh, yl, b3, rows: np.ndarray, g) -> None:
    """Step 3 (``k = u m``, doubled) and step 4 (``2 B k = P1 + P2 + P3``, ``B3`` folded into
    ``P3``) into ``rows[2:5]``."""
    tmp, t = g("tmp"), g("t")
    yhh, yhl, kh, kl = g("yhh"), g("yhl"), g("kh"), g("kl")
    _split_into(yh, yhh, yhl, tmp)
    _two_prod_into(uh, yh, g("uhh"), g("uhl"), yhh, yhl, kh, kl, tmp)
    np.multiply(uh, yl, out=tmp)
    np.multiply(ul, yh, out=t)
    np.add(tmp, t, out=t)
    kl += t
    kh *= 2.0
    kl *= 2.0
    b1, b2 = rows[0], rows[1]
    _split_into(kh, yhh, yhl, tmp)
    _two_prod_into(b1, kh, g("b1h"), g("b1l"), yhh, yhl, rows[2], rows[3], tmp)
    np.multiply(b1, kl, out=rows[4])
    np.multiply(b2, kh, out=tmp)
    rows[4] += tmp
    rows[4] += b3


def _close_part(p: np.ndarray, q: np.ndarray, d: np.ndarray, rel_bits: int) -> tuple[Fraction, Fraction]:
    """``(mid, rad)`` with ``|sum_close p log(p/q) - mid| <= rad`` (``p``, ``q`` all close).

    The terms are formed chunk by chunk (temporaries in cache) into the rows of a block, and each
    block's rows are summed exactly in one call (fewer extraction rounds in Python). The compiled
    engine, where :func:`.jit.load` hands it out, forms the same rows and sums them exactly.
    ``d`` is ``p - q`` (exact in the close range)."""
    compiled = jit.load("klratio")
    if compiled is not None:
        return compiled.close_part(p, q, d)
    sums, errs = [Dyadic() for _ in range(6)], [Dyadic() for _ in range(6)]
    # per plan exponent c: the float sums of B1 of its chunks, exactly (a Dyadic), and their count;
    # sum_upper's bound of one chunk, s (1 + 2 (m + 1) u0) + m 2**-1074, is linear in s, so the
    # chunks of one plan are bounded together (no Fraction work per chunk)
    groups: dict[int, tuple[Dyadic, list[int]]] = {}
    rows = np.empty((6, min(_BLOCK, p.size)))
    work = Workspace(min(_CHUNK, p.size))
    for bstart in range(0, p.size, _BLOCK):
        bm = min(_BLOCK, p.size - bstart)
        bsum = 0.0
        for start in range(bstart, bstart + bm, _CHUNK):
            stop = min(start + _CHUNK, bstart + bm)
            c, csum = _chunk_rows(p[start:stop], q[start:stop], d[start:stop],
                                  rows[:, start - bstart:stop - bstart], work)
            if csum > 0:  # B1 >= 0: a zero sum is a chunk of zeros, bounded by 0
                acc, count = groups.setdefault(c, (Dyadic(), [0]))
                acc.add_float(csum)
                count[0] += stop - start
            bsum += csum
        tol = bsum * 2.0 ** -(rel_bits + 6)  # a target only: the residual bound added is rigorous
        exact_sum_rows(rows[:, :bm], [tol] * 5 + [0.0], sums, errs)
    m = min(_CHUNK, p.size)
    # sum_upper per chunk, summed; B <= B1 (1 + u0)/(1 - u0)
    rad = Fraction(0)
    for c, (acc, count) in groups.items():
        rho = series_plan(c)[2]  # type: ignore[index]
        rad += rho * (acc.value() * (1 + 2 * (m + 1) * U) + count[0] * pow2(-1074)) * (1 + U) / (1 - U)
    mid = sum((s.value() for s in sums), Fraction(0))
    rad += sum((e.value() for e in errs), Fraction(0)) + int(np.count_nonzero(d)) * _ABS  # d = 0: all 0
    return mid, rad


def _far_part(p: np.ndarray, q: np.ndarray, rel_bits: int) -> Enclosure:
    """``sum p log p - sum p log q`` by the certified sums, weights scaled by ``2**s`` (exact)."""
    from ..exact.sums import log_sum

    if p.size == 0:
        return Enclosure.exact(0)
    s = -math.frexp(float(np.sum(p)))[1]
    if not (math.ldexp(float(p.min()), s) >= 2.0**-1000 and math.ldexp(float(p.max()), s) <= 2.0**1000):  # 2.0**s overflows past 1023
        s = 0
    w = np.ldexp(p, s)
    return (log_sum(p, w, rel_bits=rel_bits) - log_sum(q, w, rel_bits=rel_bits)).scale(pow2(-s))


def _close_mask(q: np.ndarray, d: np.ndarray) -> np.ndarray:
    return (q >= Q_MIN) & (q <= Q_MAX) & (np.abs(d) <= q * CLOSE)


def looks_close(p: np.ndarray, q: np.ndarray, sample: int = 1024) -> bool:
    """Are the elements with ``p > 0`` of an evenly spaced sample of about ``sample`` entries all
    close (module docstring)? Cheap; a hint for which kernel to try first, never a guarantee.

    >>> looks_close(np.array([0.5, 0.5, 0.0]), np.array([0.5 + 2.0**-30, 0.5, 0.7]))
    True
    >>> looks_close(np.array([0.5, 0.5]), np.array([0.25, 0.75]))
    False
    """
    step = max(1, p.size // sample)
    a, b = p[::step], q[::step]
    return bool(np.all(_close_mask(b, a - b) | ~(a > 0)))


def kl_log_ratio(p: np.ndarray, q: np.ndarray, rel_bits: int = 112) -> Enclosure | None:
    """Enclose ``sum_i p_i log(p_i / q_i)`` (``0 log 0 = 0``; ``p > 0`` with ``q = 0`` gives
    ``+inf``) for float64 arrays, or None when the kernel cannot run (negative or non-finite
    entries, an environment that flushes subnormals).

    The close elements are summed through the log ratio (module docstring); the far ones by the
    certified sums, with more bits (up to ``2 rel_bits + 32``) until the width is at most
    ``2**-rel_bits`` of the value. The enclosure is returned even when that could not be
    reached; the caller decides whether it is enough.

    >>> kl_log_ratio(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    Enclosure(lo=Fraction(0, 1), hi=Fraction(0, 1))
    """
    if not fpenv.FP_ENV_OK:
        return None
    p = np.ascontiguousarray(p, dtype=np.float64)
    q = np.ascontiguousarray(q, dtype=np.float64)
    if p.ndim != 1 or p.shape != q.shape:
        return None
    if p.size == 0:
        return Enclosure.exact(0)
    pmin, qmin, pmax, qmax = float(p.min()), float(q.min()), float(p.max()), float(q.max())
    if not (pmin >= 0 and qmin >= 0 and math.isfinite(pmax) and math.isfinite(qmax)):
        return None
    pos = None if pmin > 0 else p > 0  # None: every p > 0 (no mask pass)
    if qmin == 0 and (pos is None or np.any(pos & (q == 0))):
        return _INF
    d = p - q
    if qmin >= Q_MIN and qmax <= Q_MAX:  # the range test holds for all: only |d| <= 2**-8 q
        close = np.abs(d) <= q * CLOSE
    else:
        close = _close_mask(q, d)
    if pos is not None:
        close &= pos
    mid, rad = Fraction(0), Fraction(0)
    if close.all():
        fp = fq = p[:0]
    else:
        far = ~close if pos is None else pos & ~close
        fp, fq = np.compress(far, p), np.compress(far, q)
        p, q, d = np.compress(close, p), np.compress(close, q), np.compress(close, d)
    if d.size:
        try:
            mid, rad = _close_part(p, q, d, rel_bits)
        except ArithmeticError:  # an extraction unit would underflow (not expected in the close range)
            return None
    enc = Enclosure(mid - rad, mid + rad)
    for bits in (rel_bits + 16, 2 * rel_bits + 32):
        far_enc = _far_part(fp, fq, bits)
        total = enc + far_enc
        lo, hi = total.lo, total.hi
        if (hi - lo <= pow2(-rel_bits) * min(abs_bound(lo), abs_bound(hi)) or fp.size == 0
                or far_enc.hi - far_enc.lo <= 2 * rad):  # more bits for the far part would not help
            break
    return _snap(total, rel_bits + 40)


def _snap(e: Enclosure, bits: int) -> Enclosure:
    """``e`` widened outwards to a grid ``2**bits`` times finer than its magnitude (keeps the
    rationals short; adds at most ``2**(1 - bits)`` of the magnitude to each end)."""
    mag = max(abs_bound(e.lo), abs_bound(e.hi))
    if mag == 0:
        return e
    assert isinstance(mag, Fraction), "only a finite enclosure is snapped"
    g = mag.numerator.bit_length() - mag.denominator.bit_length() - bits
    scale = pow2(g)
    return Enclosure(math.floor(e.lo / scale) * scale, math.ceil(e.hi / scale) * scale)
