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

from fractions import Fraction

import numpy as np

from .eft import U, split, two_prod

__all__ = ["weighted_log1p", "series_order", "REL_U2"]

REL_U2 = 13
_THIRD_H = 1.0 / 3.0
_THIRD_L = float(Fraction(1, 3) - Fraction(_THIRD_H))
_MAX_K = 12


def series_order(tmax: float) -> int | None:
    """The smallest ``K`` in ``[5, 12]`` whose truncation ``T**K / ((K+1)(1-T))`` is below
    ``u**2``, or None when ``T >= 2**-14`` (the bounds above assume it)."""
    if not tmax < 2.0**-14:
        return None
    T = Fraction(tmax)
    for k in range(5, _MAX_K + 1):
        if T**k / ((k + 1) * (1 - T)) <= U * U:
            return k
    return None


def relative_bound(tmax: float, big_k: int) -> Fraction:
    """The factor ``rel`` with ``|eps_i| <= rel * w_i |t_i|`` (module docstring)."""
    T = Fraction(tmax)
    return REL_U2 * U * U + T * T * Fraction(1, 2**78) + T**big_k / ((big_k + 1) * (1 - T))


def weighted_log1p(t: np.ndarray, w: np.ndarray, big_k: int | None = None) -> tuple[np.ndarray, np.ndarray, Fraction]:
    """``(a, c, rel)``: ``w log(1 + t) = a + c + eps`` per element, ``a`` and ``c`` doubles,
    ``|eps| <= rel w |t|`` (``|t| < 2**-14``; see the module docstring)."""
    tmax = float(np.max(np.abs(t))) if t.size else 0.0
    if big_k is None:
        big_k = series_order(tmax)
        if big_k is None:
            raise ArithmeticError("reduction failed")
    st = split(t)
    p2, e2 = two_prod(t, t, st, st)
    # R = 1/5 - t/6 + ... + (-1)**(K+1) t**(K-5) / K
    r = np.full_like(t, (-1) ** (big_k + 1) / big_k)
    for k in range(big_k - 1, 4, -1):
        r *= t
        r += (-1) ** (k + 1) / k
    r *= p2  # m
    # C = 1/3 - t/4 + m as Ch + Cl
    a4 = t * -0.25
    ch = a4 + _THIRD_H
    ce = _THIRD_H - ch
    ce += a4  # FastTwoSum: (1/3_hi - ch) + a4, exact
    ce += _THIRD_L
    ce += r  # Cl
    # t**3 = c3 + z
    c3, d3 = two_prod(t, p2, sa=st)
    z = t * e2
    z += d3
    # g = t**3 C = gh + gl
    gh, gl = two_prod(c3, ch)
    ce *= c3
    z *= ch
    ce += z
    gl += ce
    # log(1 + t) = t - p2/2 + g: Lh + Ll
    h2 = p2 * -0.5
    s1 = t + h2
    r1 = t - s1
    r1 += h2
    lh = s1 + gh
    r2 = s1 - lh
    r2 += gh
    r1 += r2
    e2 *= -0.5
    r1 += e2
    r1 += gl  # Ll
    a, b = two_prod(w, lh)
    r1 *= w
    b += r1
    return a, b, relative_bound(tmax, big_k)
