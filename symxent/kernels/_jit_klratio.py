"""Compiled close part of :mod:`.klratio` (Numba): the same terms, one loop, summed exactly.

Loaded through :func:`symxent.kernels.jit.load` (``"klratio"``) by :func:`.klratio._close_part`.
Steps 1-4 of :mod:`.klratio` run per element with the same operations in the same order (the
two-products take their error term from an FMA, which gives the same double as Dekker's product
in the close range, where nothing underflows), so every row ``B1, B2, P1, P2, P3, d`` holds the
doubles of the NumPy kernel (a test compares them). The rows are added to a superaccumulator
(:mod:`._jit_core`): their sum is exact, where the NumPy kernel sums them to a tolerance.
One plan ``(K, L, rho)`` of :func:`.klratio.series_plan` serves all elements: it is taken for
``2**c >= max |uh|`` over all of them, which bounds every element's ``|uh|``.

The bound is therefore ``rho sum B1 (1 + u0)/(1 - u0)`` plus ``2**-700`` per element with
``d != 0``, as in :mod:`.klratio`; ``sum B1`` (nonnegative terms) is a float sum scaled up by
``1 + 2**-20`` (within ``1 + (n + 1) u0`` of the truth for ``n < 2**30``).

>>> import numpy as np
>>> p = np.array([0.25, 0.75]); q = np.array([0.25 + 2.0**-40, 0.75 - 2.0**-40])
>>> mid, rad = close_part(p, q, p - q)
>>> float(mid), rad < 1e-40 * mid            # about (2**-40)**2 / 2 * (1/0.25 + 1/0.75)
(2.205814966804507e-24, True)
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from numba import njit

from ._jit_core import ADDS_PER_NORMALIZE, acc_add, acc_normalize, accumulator_value, new_accumulator, two_prod, two_sum
from .eft import U, pow2
from .klratio import _ABS, _coef, series_plan

__all__ = ["close_part", "rows", "self_test"]

_PER_BLOCK = ADDS_PER_NORMALIZE // 8  # six additions per element, with room
_MAX_N = 1 << 30


@njit(inline="always")
def _terms(pi, qi, di, big_k, big_l, ch, cl):
    """Steps 1-4 of :mod:`.klratio` for one close element: ``(B1, B2, P1, P2, P3)``."""
    uh = di / qi  # step 1
    a, b = two_prod(uh, qi)
    ul = (di - a) - b
    ul /= qi
    n1, n2 = two_prod(di, di)  # step 2
    n1 *= 0.5
    n2 *= 0.5
    b1 = n1 / qi
    a, b = two_prod(b1, qi)
    r1 = (n1 - a) - b
    s, e = two_sum(r1, n2)
    b2 = s / qi
    a, b = two_prod(b2, qi)
    b3 = (s - a) - b
    b3 += e
    b3 /= qi
    yh = ch[big_k]  # step 3: Horner, plain levels then double-double ones
    for j in range(big_k - 1, big_l, -1):
        yh = yh * uh + ch[j]
    yl = 0.0
    for j in range(big_l, 0, -1):
        a, b = two_prod(uh, yh)
        t = ul * yh
        if j < big_l:
            t = uh * yl + t
        sh = a + ch[j]
        yl = a - (sh - ch[j])
        yl += b
        yl += t
        yl += cl[j]
        yh = sh
    kh, kl = two_prod(uh, yh)
    kl += uh * yl + ul * yh
    kh *= 2.0
    kl *= 2.0
    p1, p2 = two_prod(b1, kh)  # step 4
    p3 = b1 * kl
    p3 += b2 * kh
    p3 += b3
    return b1, b2, p1, p2, p3


@njit(cache=True)
def _max_ratio(d, q):
    """``max |fl(d/q)|``."""
    m = 0.0
    for i in range(d.size):
        m = max(m, abs(d[i] / q[i]))
    return m


@njit(cache=True)
def _sum_rows(p, q, d, big_k, big_l, ch, cl, chunks):
    """Add ``B1 + B2 + P1 + P2 + P3 + d`` of every element to ``chunks``; return ``sum B1``."""
    n = d.size
    sb1 = 0.0
    for s in range(0, n, _PER_BLOCK):
        for i in range(s, min(n, s + _PER_BLOCK)):
            b1, b2, p1, p2, p3 = _terms(p[i], q[i], d[i], big_k, big_l, ch, cl)
            acc_add(chunks, b1)
            acc_add(chunks, b2)
            acc_add(chunks, p1)
            acc_add(chunks, p2)
            acc_add(chunks, p3)
            acc_add(chunks, d[i])
            sb1 += b1
        acc_normalize(chunks)
    return sb1


@njit(cache=True)
def _rows(p, q, d, big_k, big_l, ch, cl, out):
    for i in range(d.size):
        out[0, i], out[1, i], out[2, i], out[3, i], out[4, i] = _terms(p[i], q[i], d[i], big_k, big_l, ch, cl)
        out[5, i] = d[i]


def _plan(d: np.ndarray, q: np.ndarray) -> tuple[int, int, Fraction, np.ndarray, np.ndarray]:
    tmax = _max_ratio(d, q)
    c = -1000
    if tmax > 0:
        frac, c = math.frexp(tmax)
        c = c - 1 if frac == 0.5 else c  # 2**c >= tmax
    plan = series_plan(max(c, -1000))
    if plan is None:
        raise ArithmeticError("not a close element: |d| > 2**-8 q")
    big_k, big_l, rho = plan
    ch = np.array([0.0] + [_coef(j)[0] for j in range(1, big_k + 1)])
    cl = np.array([0.0] + [_coef(j)[1] for j in range(1, big_k + 1)])
    return big_k, big_l, rho, ch, cl


def rows(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, Fraction]:
    """The six rows ``B1, B2, P1, P2, P3, d`` as a ``(6, n)`` array and ``rho`` (for tests)."""
    big_k, big_l, rho, ch, cl = _plan(d, q)
    out = np.empty((6, d.size))
    _rows(p, q, d, big_k, big_l, ch, cl, out)
    return out, rho


def close_part(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> tuple[Fraction, Fraction]:
    """``(mid, rad)`` with ``|sum p log(p/q) - mid| <= rad`` for close elements only (float64,
    contiguous, ``d = p - q`` exact: the conditions of :mod:`.klratio`)."""
    if d.size >= _MAX_N:
        raise ArithmeticError("too many elements for the float bound of sum B1")
    big_k, big_l, rho, ch, cl = _plan(d, q)
    chunks = new_accumulator()
    sb1 = _sum_rows(p, q, d, big_k, big_l, ch, cl, chunks)
    rad = (rho * Fraction(sb1) * (1 + pow2(-20)) * (1 + U) / (1 - U)
           + int(np.count_nonzero(d)) * _ABS)
    return accumulator_value(chunks), rad


def self_test() -> bool:
    """Compile and check on a case whose terms are known: ``p = q`` gives exactly 0, and a pair
    moved by ``+-2**-40`` gives the rows of the NumPy kernel."""
    from .klratio import _chunk_terms

    p = np.array([0.25, 0.75, 0.5]); q = np.array([0.25 + 2.0**-40, 0.75 - 2.0**-40, 0.5])
    d = p - q
    got, rho = rows(p, q, d)
    want = np.empty((6, 3))
    rho_np, _ = _chunk_terms(p, q, d, want)
    mid0, rad0 = close_part(p[2:], q[2:], d[2:])
    return bool(np.array_equal(got, want) and rho == rho_np and mid0 == 0 and rad0 == 0)
