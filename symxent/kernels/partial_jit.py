"""Compiled (Numba) chunk step of the unit-weight partials: the same exact state as NumPy's.

:mod:`.partial` builds a partial from per-element quantities summed exactly. For the unit-weight
log terms (hard-label BCE, categorical CE from probabilities, the ``log S`` of each
log-sum-exp row) this module forms, in one compiled loop per element, *the same doubles* as the
NumPy code of :mod:`.partial` and adds them to a superaccumulator (:mod:`._jit_core`, exact):

* the reduction of :func:`.logsum.reduce_exact` bit for bit (subnormals scaled by ``2**64``);
* the exponent ``e'`` (an int64 total), the bucket ``j`` (a histogram: the table logarithms are
  then taken by the same exact matrix-vector product as NumPy's), and for ``t != 0`` the exponent
  ``ex`` of ``t`` (a histogram: the bound ``sum 2**(3 ex)``, ``sum 2**(2 ex)``, exact);
* the rows ``t``, ``hh``, ``hl`` of :func:`.partial._series_unit`: steps 1-5 of
  :func:`.wlog.tail_parts` at order ``UNIT_ORDER`` with the same operations in the same order
  (the FMA two-product returns the pair of Dekker's: both are exact, and nothing underflows for
  ``|t| >= 2**-67``), so the same doubles;
* the correction rows ``vh``, ``vl``, ``-(vh**2/2)`` of :func:`.partial._correction_block` for a
  double-double ``yh + yl`` (``1 - q`` of the BCE's zero labels, ``Sh + Sl`` of a row sum).

Exact sums of the same doubles are the same rationals, and the bounds are the same functions of
the same counts, so the partial is *identical* to NumPy's (``==``), whichever engine each worker
runs: :func:`self_test` checks that on telling data before :mod:`.partial` uses this module.

Rows the kernel does not take (a soft label, a value out of range) are reported back and go to
the NumPy code (which also names a bad row).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

from ._jit_core import NCHUNK, acc_add, acc_normalize, f2i, i2f, two_prod
from .table import INDEX_BITS, reduction_table

__all__ = ["log_terms", "bce_terms", "wlog_terms", "kl_close", "EX_OFFSET", "EX_SIZE"]

_FRAC = (1 << 52) - 1
_JMASK = (1 << INDEX_BITS) - 1
_JSHIFT = 52 - INDEX_BITS
_MH_MASK = ~((1 << INDEX_BITS) - 1)
_THIRD_H = 1.0 / 3.0
_TINY = 2.0**-1022
_SCALE = 2.0**64
EX_OFFSET = 2048  # histogram slot of exponent ex: ex + EX_OFFSET
EX_SIZE = 4096
_NORMALIZE_EVERY = 128  # elements between carries (at most 6 additions each, below 1024)
# stats slots
S_E, S_NZ, S_CORR, S_NEGINF, S_SKIP, S_BAD = range(6)


def _third_l() -> float:
    from fractions import Fraction

    return float(Fraction(1, 3) - Fraction(_THIRD_H))


_THIRD_L = _third_l()


@njit(inline="always")
def _unit_term(x, tr, acc, counts, exhist, st):
    """One positive finite ``x``: ``e'`` into ``st``, the bucket and ``ex`` histograms, and the
    rows ``t, hh, hl`` into ``acc`` (the operations of :func:`.partial._log_block`)."""
    eadj = 0
    if x < _TINY:
        x = x * _SCALE
        eadj = -64
    bits = f2i(x)
    e = (bits >> 52) - 1022
    j = (bits >> _JSHIFT) & _JMASK
    mbits = (bits & _FRAC) | (1022 << 52)
    m = i2f(mbits)
    mh = i2f(mbits & _MH_MASK)
    r = tr[j]
    t = mh * r
    t -= 1.0
    t += (m - mh) * r
    st[S_E] += e - (1 if j == 0 else 0) + eadj
    counts[j] += 1
    if t != 0.0:
        st[S_NZ] += 1
        exhist[((f2i(t) >> 52) & 0x7FF) - 1022 + EX_OFFSET] += 1
        # wlog.tail_parts at K = 8, the same operations in the same order
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
        # partial._series_unit's rows
        h2 = p2 * -0.5
        hh = h2 + gh
        hl = gh - (hh - h2)
        hl += gl
        hl += e2 * -0.5
        acc_add(acc, t)
        acc_add(acc, hh)
        acc_add(acc, hl)


@njit(inline="always")
def _correction(yh, yl, acc, st):
    """``log(1 + yl/yh)``: the rows of :func:`.partial._correction_block` (``yl != 0``)."""
    vh = yl / yh
    p, e = two_prod(vh, yh)
    vl = ((yl - p) - e) / yh
    st[S_CORR] += 1
    acc_add(acc, vh)
    acc_add(acc, vl)
    acc_add(acc, -(vh * vh * 0.5))


@njit(cache=True, nogil=True)
def _log_terms(xh, xl, low, tr, acc, counts, exhist, st):
    """``sum log(xh + xl)`` (``xl`` read only when ``low``): zeros counted as ``-inf`` terms;
    stops at the first entry not in ``[0, inf)`` (``st[S_BAD]`` its index)."""
    n = xh.size
    for s in range(0, n, _NORMALIZE_EVERY):
        for i in range(s, min(n, s + _NORMALIZE_EVERY)):
            x = xh[i]
            if not (x >= 0.0 and x < np.inf):
                st[S_BAD] = i
                return
            if x == 0.0:
                st[S_NEGINF] += 1
                continue
            _unit_term(x, tr, acc, counts, exhist, st)
            if low:
                v = xl[i]
                if v != 0.0:
                    _correction(x, v, acc, st)
        acc_normalize(acc)


@njit(cache=True, nogil=True)
def _bce_terms(y, q, tr, acc, counts, exhist, st):
    """``sum y log q + (1 - y) log(1 - q)`` over the rows with ``y`` in {0, 1} (``1 - q = yh + yl``
    exactly, as :func:`.api._complement_parts`); a soft label is skipped and counted; stops at
    the first row with ``y`` or ``q`` outside ``[0, 1]``."""
    n = q.size
    for s in range(0, n, _NORMALIZE_EVERY):
        for i in range(s, min(n, s + _NORMALIZE_EVERY)):
            yi, qi = y[i], q[i]
            if not (qi >= 0.0 and qi <= 1.0 and yi >= 0.0 and yi <= 1.0):
                st[S_BAD] = i
                return
            if yi == 1.0:
                if qi == 0.0:
                    st[S_NEGINF] += 1
                else:
                    _unit_term(qi, tr, acc, counts, exhist, st)
            elif yi == 0.0:
                yh = 1.0 - qi
                yl = -((yh - 1.0) + qi)
                if yh == 0.0:
                    st[S_NEGINF] += 1
                else:
                    _unit_term(yh, tr, acc, counts, exhist, st)
                    if yl != 0.0:
                        _correction(yh, yl, acc, st)
            else:
                st[S_SKIP] += 1
        acc_normalize(acc)


_W_MAX = 2.0**900
_W_MIN = 2.0**-700  # smaller weights go to NumPy: every product below stays exact (no underflow)


@njit(inline="always")
def _acc_prod(acc, a, b):
    """``a * b`` exactly into ``acc`` (the FMA two-product: exact while nothing underflows)."""
    p, e = two_prod(a, b)
    acc_add(acc, p)
    acc_add(acc, e)


@njit(inline="always")
def _dd_step(t, x, xl, ch, cl):
    """One double-double Horner level of :func:`.logsum._tail` (same operations, same order)."""
    p, e = two_prod(t, x)
    e += t * xl
    s = p + ch
    f = p - (s - ch)
    f += cl + e
    x2 = s + f
    return x2, f - (x2 - s)


@njit(cache=True, nogil=True)
def _wlog_terms(x, w, tr, lt, inexact, cf, acc2, acc, hused, hcube, st):
    """``sum w log x`` with the weighted rows of :func:`.partial._log_block`: ``w e'`` exactly into
    ``acc2``; ``w t``, ``w p2/2``, ``w e2/2``, ``w gh`` exactly, ``fl(w gl)`` and ``-w L_j`` (``L_j``
    the table logarithm as four doubles, exactly) into ``acc``; the histograms of ``ew`` (inexact
    buckets) and of ``3 ex + ew``. Zero weights are skipped, zero ``x`` counted as ``-inf``; stops
    at the first ``x`` outside ``[0, inf)`` or weight outside ``{0} u [2**-700, 2**900]``."""
    n = x.size
    for s in range(0, n, 32):
        for i in range(s, min(n, s + 32)):
            xi, wi = x[i], w[i]
            if not (xi >= 0.0 and xi < np.inf and wi >= 0.0 and wi <= _W_MAX):
                st[S_BAD] = i
                return
            if wi == 0.0:
                continue
            if wi < _W_MIN:
                st[S_BAD] = i
                return
            if xi == 0.0:
                st[S_NEGINF] += 1
                continue
            eadj = 0
            if xi < _TINY:
                xi = xi * _SCALE
                eadj = -64
            bits = f2i(xi)
            e = (bits >> 52) - 1022
            j = (bits >> _JSHIFT) & _JMASK
            mbits = (bits & _FRAC) | (1022 << 52)
            m = i2f(mbits)
            mh = i2f(mbits & _MH_MASK)
            r = tr[j]
            t = mh * r
            t -= 1.0
            t += (m - mh) * r
            ep = e - (1 if j == 0 else 0) + eadj
            if ep != 0:
                _acc_prod(acc2, wi, float(ep))
            ew = ((f2i(wi) >> 52) & 0x7FF) - 1022
            if inexact[j]:
                hused[ew + EX_OFFSET] += 1
                for k in range(4):
                    if lt[j, k] != 0.0:
                        _acc_prod(acc, -wi, lt[j, k])
            if t != 0.0:
                st[S_NZ] += 1
                hcube[3 * (((f2i(t) >> 52) & 0x7FF) - 1022) + ew + EX_OFFSET] += 1
                p2, e2 = two_prod(t, t)
                xx = cf[10, 0]  # logsum._tail at K = 10, k0 = 7
                xx = xx * t + cf[9, 0]
                xx = xx * t + cf[8, 0]
                xx = xx * t + cf[7, 0]
                xl = 0.0
                for k in range(6, 2, -1):
                    xx, xl = _dd_step(t, xx, xl, cf[k, 0], cf[k, 1])
                h3, l3 = two_prod(p2, t)
                l3 += e2 * t
                gh, gl = two_prod(h3, xx)
                gl += h3 * xl + l3 * xx
                _acc_prod(acc, wi, t)
                _acc_prod(acc, wi, p2 * -0.5)
                _acc_prod(acc, wi, e2 * -0.5)
                _acc_prod(acc, wi, gh)
                acc_add(acc, wi * gl)
        acc_normalize(acc)
        acc_normalize(acc2)


@lru_cache(maxsize=1)
def _weighted_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lt, inexact, cf)``: per bucket the table logarithm ``floor(log r_j 2**208) / 2**208``
    (the limbs of :func:`.logsum._sparse_table`, row 0 zero) as four doubles adding up to it
    exactly; the buckets whose logarithm is inexact; the coefficients of :func:`.logsum._coef_dd`."""
    from fractions import Fraction

    from .logsum import SHORT_BITS, _coef_dd, _sparse_table

    limbs = _sparse_table()[:, :-2].astype(np.int64)
    lt = np.zeros((limbs.shape[0], 4))
    for jj, row in enumerate(limbs.tolist()):
        rest = Fraction(sum(v << (16 * i) for i, v in enumerate(row)), 1 << SHORT_BITS)
        for k in range(4):
            lt[jj, k] = float(rest)
            rest -= Fraction(lt[jj, k])
        assert rest == 0, "four doubles hold a 208-bit logarithm"
    cf = np.zeros((11, 2))
    for k in range(3, 11):
        cf[k] = _coef_dd(k)
    return lt, np.ascontiguousarray(limbs.any(axis=1)), cf


def wlog_terms(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(acc2, acc, hused, hcube, stats)`` of ``sum w log x`` (float64, contiguous)."""
    lt, inexact, cf = _weighted_tables()
    st = np.zeros(6, np.int64)
    st[S_BAD] = -1
    acc2, acc = np.zeros(NCHUNK, np.int64), np.zeros(NCHUNK, np.int64)
    hused, hcube = np.zeros(EX_SIZE, np.int64), np.zeros(EX_SIZE, np.int64)
    _wlog_terms(x, w, _table_r(), lt, inexact, cf, acc2, acc, hused, hcube, st)
    return acc2, acc, hused, hcube, st


@njit(cache=True, nogil=True)
def _kl_close(p, q, big_k, big_l, ch, cl, acc, accb, st):
    """The rows ``B1, B2, P1, P2, P3, d`` of :func:`.partial._kl_close_rows` (the same operations:
    in the close range nothing underflows, so the FMA two-product gives Dekker's pair) into
    ``acc``, ``B1`` also into ``accb``, the count of ``d != 0`` into ``st[S_NZ]``."""
    n = p.size
    for s in range(0, n, 128):
        for i in range(s, min(n, s + 128)):
            qi = q[i]
            d = p[i] - qi
            if d == 0.0:
                continue
            st[S_NZ] += 1
            uh = d / qi
            a, b = two_prod(uh, qi)
            ul = ((d - a) - b) / qi
            n1, n2 = two_prod(d, d)
            n1 *= 0.5
            n2 *= 0.5
            b1 = n1 / qi
            a, b = two_prod(b1, qi)
            r1 = (n1 - a) - b
            sm = r1 + n2
            bb = sm - r1
            e = (r1 - (sm - bb)) + (n2 - bb)
            b2 = sm / qi
            a, b = two_prod(b2, qi)
            b3 = (((sm - a) - b) + e) / qi
            yh = ch[big_k]
            for j in range(big_k - 1, big_l, -1):
                yh = yh * uh + ch[j]
            yl = 0.0
            for j in range(big_l, 0, -1):
                ph, pl = two_prod(uh, yh)
                t = ul * yh
                if j < big_l:
                    t = uh * yl + t
                sh = ph + ch[j]
                yl = ph - (sh - ch[j])
                yl += pl
                yl += t
                yl += cl[j]
                yh = sh
            kh, kl = two_prod(uh, yh)
            kl += uh * yl + ul * yh
            kh *= 2.0
            kl *= 2.0
            p1, p2 = two_prod(b1, kh)
            p3 = (b1 * kl + b2 * kh) + b3
            acc_add(acc, b1)
            acc_add(acc, b2)
            acc_add(acc, p1)
            acc_add(acc, p2)
            acc_add(acc, p3)
            acc_add(acc, d)
            acc_add(accb, b1)
        acc_normalize(acc)
        acc_normalize(accb)


def kl_close(p: np.ndarray, q: np.ndarray, big_k: int, big_l: int, ch: np.ndarray,
             cl: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(acc, accb, stats)`` of the log ratio's close elements (float64, contiguous)."""
    st = np.zeros(6, np.int64)
    st[S_BAD] = -1
    acc, accb = np.zeros(NCHUNK, np.int64), np.zeros(NCHUNK, np.int64)
    _kl_close(p, q, big_k, big_l, ch, cl, acc, accb, st)
    return acc, accb, st


@lru_cache(maxsize=1)
def _table_r() -> np.ndarray:
    return np.ascontiguousarray(reduction_table().r)


def _state() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    st = np.zeros(6, np.int64)
    st[S_BAD] = -1
    return (np.zeros(NCHUNK, np.int64), np.zeros(1 << INDEX_BITS, np.int64), np.zeros(EX_SIZE, np.int64), st)


def log_terms(xh: np.ndarray, xl: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """``(acc, counts, exhist, stats)`` of ``sum log(xh + xl)`` (float64, contiguous)."""
    acc, counts, exhist, st = _state()
    low = xl is not None
    _log_terms(xh, xl if low else xh, low, _table_r(), acc, counts, exhist, st)
    return acc, counts, exhist, st


def bce_terms(y: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(acc, counts, exhist, stats)`` of the hard-label BCE log terms (float64, contiguous)."""
    acc, counts, exhist, st = _state()
    _bce_terms(y, q, _table_r(), acc, counts, exhist, st)
    return acc, counts, exhist, st
