"""``w * log(1 + t)`` per element as an exact double plus a small double: the weighted series.

The weighted kernel needs ``sum_i w_i log(1 + t_i)`` for exact doubles ``|t_i| <= T < 2**-14``
and float weights. Multiplying every power of ``t`` by ``w`` error-free costs a Dekker product
and an exactly summed row per power; but only the leading term needs that. Here ``log(1 + t)``
is first formed per element as a double-double ``Lh + Ll``, then ``w Lh`` is split error-free
(``a + b``) and ``b + w Ll`` rounded into one small row ``c``: two rows to sum exactly instead of
eight. The price is a relative error per element, bounded below (``u = 2**-53``), which the caller
adds to the width; when that is too coarse for the requested precision the caller keeps the
fully exact path (:func:`symxent.kernels.logsum._series`).

Steps and their errors (every claim for ``|t| <= T <= 2**-14``, ``3 <= 5 <= K <= 12``):

1. ``t**2 = p2 + e2`` exactly (Dekker), ``|e2| <= u p2``.
2. ``R = sum_{k=5..K} (-1)**(k+1) t**(k-5) / k`` by plain Horner: ``|R_hat - R| <= K u / 4``;
   ``m = fl(p2 R_hat)`` is within ``t**2 u (1/2 + K/4)`` of ``t**2 R``.
3. ``C = 1/3 - t/4 + t**2 R`` as ``Ch + Cl``: ``(Ch, ce) = FastTwoSum(1/3_hi, -t/4)`` exact,
   ``Cl = fl(fl(ce + 1/3_lo) + m)``; ``|Cl| <= 2**-30``, so ``|Ch + Cl - C| <= 2**-79``.
4. ``t**3 = c3 + z + delta``: ``(c3, d3) = TwoProduct(t, p2)`` exact, ``z = fl(d3 + fl(t e2))``,
   ``|delta| <= 4 u**2 |t|**3``.
5. ``g = t**3 C`` as ``gh + gl``: ``(gh, g2) = TwoProduct(c3, Ch)`` exact,
   ``gl = fl(g2 + fl(fl(c3 Cl) + fl(z Ch)))``; with the dropped ``z Cl`` and the roundings,
   ``|gh + gl - t**3 C| <= 2**-78 |t|**3``. Truncating the series after ``t**K`` costs
   ``|t|**(K+1) / ((K+1)(1 - T)) <= |t| T**K / ((K+1)(1 - T))``.
6. ``log(1 + t) = t - t**2/2 + g``: ``(s1, r1) = FastTwoSum(t, -p2/2)``,
   ``(Lh, r2) = FastTwoSum(s1, gh)`` (both exact: ``|t| >= |p2/2|``, ``|s1| >= |gh|``),
   ``Ll = fl(fl(fl(r1 + r2) - e2/2) + gl)``: ``|Ll| <= 2.02 u |t|``, three roundings
   ``<= 6.1 u**2 |t|``.
7. ``w log(1 + t) = a + c + eps``: ``(a, b) = TwoProduct(w, Lh)`` exact; ``c = fl(b + fl(w Ll))``
   adds ``<= 2.1 u**2 |w t| + 3.1 u**2 |w t|``.

Hence ``|eps_i| <= w_i |t_i| (REL_U2 u**2 + T**2 2**-78 + T**K / ((K+1)(1-T)))`` with
``REL_U2 = 13`` (``6.1 + 2.1 + 3.1`` rounded up, plus the ``u**2`` terms of steps 3-5 that
``T**2 2**-78`` does not already cover). Gradual underflow in any product (weights down to
``2**-900``) costs at most ``2**-1074`` per operation: the caller adds ``ABS_UNDERFLOW`` per element
and operation.

>>> import numpy as np
>>> t = np.array([2.0**-15, -(2.0**-20)]); w = np.array([0.5, 3.0])
>>> a, c, rel = weighted_log1p(t, w)
>>> import mpmath
>>> with mpmath.workprec(200):
...     exact = sum(wi * mpmath.log1p(ti) for ti, wi in zip(t.tolist(), w.tolist()))
...     err = abs(mpmath.fsum([*a.tolist(), *c.tolist()]) - exact)
>>> bool(err <= float(rel) * float(np.sum(w * np.abs(t))))
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from .eft import SPLITTER, U

__all__ = ["weighted_log1p", "tail_parts", "series_order", "relative_bound", "Workspace", "REL_U2"]

REL_U2 = 13
_THIRD_H = 1.0 / 3.0
_THIRD_L = float(Fraction(1, 3) - Fraction(_THIRD_H))
_MAX_K = 12


def _cap(tmax: float) -> int:
    """The exponent ``c`` of the power of two ``T = 2**c >= tmax`` used in the bounds (``T`` is a
    valid bound for every ``|t|`` of the chunk; powers of two keep the bounds cacheable)."""
    if tmax == 0.0:
        return -1000
    m, c = math.frexp(tmax)
    return max(c - 1 if m == 0.5 else c, -1000)


@lru_cache(maxsize=None)
def _order_rel(c: int) -> tuple[int, Fraction] | None:
    T = Fraction(2) ** c
    for k in range(5, _MAX_K + 1):
        trunc = T**k / ((k + 1) * (1 - T))
        if trunc <= U * U:
            return k, REL_U2 * U * U + T * T * Fraction(1, 2**78) + trunc
    return None


def series_order(tmax: float) -> int | None:
    """The smallest ``K`` in ``[5, 12]`` whose truncation ``T**K / ((K+1)(1-T))`` is below
    ``u**2`` (``T`` the power of two at or above ``tmax``), or None when ``tmax >= 2**-14`` (the
    bounds above assume ``T <= 2**-14``)."""
    if not tmax < 2.0**-14:
        return None
    found = _order_rel(_cap(tmax))
    return None if found is None else found[0]


def relative_bound(tmax: float, big_k: int) -> Fraction:
    """The factor ``rel`` with ``|eps_i| <= rel * w_i |t_i|`` (module docstring), for the ``K``
    that :func:`series_order` chose."""
    found = _order_rel(_cap(tmax))
    assert found is not None, "series_order chose an order for this tmax"
    k, rel = found
    if k != big_k:
        T = Fraction(2) ** _cap(tmax)
        return REL_U2 * U * U + T * T * Fraction(1, 2**78) + T**big_k / ((big_k + 1) * (1 - T))
    return rel


class Workspace:
    """Named float64 buffers of one chunk length, allocated once per kernel call: every step
    below writes into them (``out=``), so a chunk allocates nothing. (Fresh temporaries of a few
    hundred KiB are served by ``mmap`` and page-fault on first touch, which made the cost of the
    same arithmetic vary threefold with the chunk size and the allocator's history.)"""

    def __init__(self, size: int) -> None:
        self.size = size
        self._bufs: dict[str, np.ndarray] = {}
        self.rows = np.empty((2, size))  # the two output rows (summed exactly, overwritten)

    def extra(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A named buffer of another shape (allocated once)."""
        buf = self._bufs.get(name)
        if buf is None:
            buf = self._bufs[name] = np.empty(shape)
        return buf

    def get(self, name: str, m: int) -> np.ndarray:
        buf = self._bufs.get(name)
        if buf is None:
            buf = self._bufs[name] = np.empty(self.size)
        return buf[:m]


def _split_into(a: np.ndarray, hi: np.ndarray, lo: np.ndarray, tmp: np.ndarray) -> None:
    """:func:`.eft.split` with the same operations in the same order, into ``hi`` and ``lo``."""
    np.multiply(a, SPLITTER, out=tmp)
    np.subtract(tmp, a, out=hi)
    np.subtract(tmp, hi, out=hi)
    np.subtract(a, hi, out=lo)


def _two_prod_into(a, b, ah, al, bh, bl, p, e, tmp) -> None:
    """:func:`.eft.two_prod` with the same operations in the same order, into ``p`` and ``e``."""
    np.multiply(a, b, out=p)
    np.multiply(ah, bh, out=e)
    e -= p
    np.multiply(ah, bl, out=tmp)
    e += tmp
    np.multiply(al, bh, out=tmp)
    e += tmp
    np.multiply(al, bl, out=tmp)
    e += tmp


def tail_parts(t: np.ndarray, big_k: int, work: Workspace) -> tuple[np.ndarray, ...]:
    """Steps 1-5 of the module docstring: ``(p2, e2, gh, gl)`` with ``t**2 = p2 + e2`` exactly
    and ``|gh + gl - g| <= 2**-78 |t|**3 + |t| T**K / ((K+1)(1-T))`` for
    ``g = sum_{k>=3} (-1)**(k+1) t**k / k``. The arrays live in ``work``."""
    m = t.size
    g = lambda name: work.get(name, m)  # noqa: E731
    tmp, th, tl = g("tmp"), g("th"), g("tl")
    _split_into(t, th, tl, tmp)
    p2, e2 = g("p2"), g("e2")
    _two_prod_into(t, t, th, tl, th, tl, p2, e2, tmp)
    # R = 1/5 - t/6 + ... + (-1)**(K+1) t**(K-5) / K, then m = p2 R
    r = g("r")
    r.fill((-1) ** (big_k + 1) / big_k)
    for k in range(big_k - 1, 4, -1):
        r *= t
        r += (-1) ** (k + 1) / k
    r *= p2
    # C = 1/3 - t/4 + m as ch + ce
    a4, ch, ce = g("a4"), g("ch"), g("ce")
    np.multiply(t, -0.25, out=a4)
    np.add(a4, _THIRD_H, out=ch)
    np.subtract(_THIRD_H, ch, out=ce)
    ce += a4  # FastTwoSum: (1/3_hi - ch) + a4, exact
    ce += _THIRD_L
    ce += r
    # t**3 = c3 + z
    ph, pl, c3, z, z2 = g("ph"), g("pl"), g("c3"), g("z"), g("z2")
    _split_into(p2, ph, pl, tmp)
    _two_prod_into(t, p2, th, tl, ph, pl, c3, z2, tmp)  # z2 holds d3
    np.multiply(t, e2, out=z)
    z += z2
    # g = t**3 C = gh + gl
    c3h, c3l, chh, chl, gh, gl = g("c3h"), g("c3l"), g("chh"), g("chl"), g("gh"), g("gl")
    _split_into(c3, c3h, c3l, tmp)
    _split_into(ch, chh, chl, tmp)
    _two_prod_into(c3, ch, c3h, c3l, chh, chl, gh, gl, tmp)
    ce *= c3
    z *= ch
    ce += z
    gl += ce
    return p2, e2, gh, gl


def weighted_log1p(t: np.ndarray, w: np.ndarray, big_k: int | None = None,
                   work: Workspace | None = None, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, Fraction]:
    """``(a, c, rel)``: ``w log(1 + t) = a + c + eps`` per element, ``a`` and ``c`` doubles,
    ``|eps| <= rel w |t|`` (``|t| < 2**-14``; see the module docstring). ``out``: a ``(2, m)``
    array to receive ``a`` and ``c``."""
    m = t.size
    tmax = float(np.max(np.abs(t))) if m else 0.0
    if big_k is None:
        big_k = series_order(tmax)
        if big_k is None:
            raise ArithmeticError("reduction failed")
    work = Workspace(m) if work is None else work
    out = np.empty((2, m)) if out is None else out
    g = lambda name: work.get(name, m)  # noqa: E731
    p2, e2, gh, gl = tail_parts(t, big_k, work)
    tmp = g("tmp")
    # log(1 + t) = t - p2/2 + g: lh + r1
    h2, s1, r1, lh, r2 = g("h2"), g("s1"), g("r1"), g("lh"), g("r2")
    np.multiply(p2, -0.5, out=h2)
    np.add(t, h2, out=s1)
    np.subtract(t, s1, out=r1)
    r1 += h2
    np.add(s1, gh, out=lh)
    np.subtract(s1, lh, out=r2)
    r2 += gh
    r1 += r2
    e2 *= -0.5
    r1 += e2
    r1 += gl  # Ll
    wh, wl, lhh, lhl = g("wh"), g("wl"), g("lhh"), g("lhl")
    _split_into(w, wh, wl, tmp)
    _split_into(lh, lhh, lhl, tmp)
    a, c = out[0], out[1]
    _two_prod_into(w, lh, wh, wl, lhh, lhl, a, c, tmp)
    r1 *= w
    c += r1
    return a, c, relative_bound(tmax, big_k)
