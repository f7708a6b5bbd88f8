"""Error-free transformations on float64 arrays, and exact summation of a whole array.

The building blocks of the fast kernels, all plain NumPy (no FMA is assumed):

* :func:`split` and :func:`two_prod` (Dekker / Veltkamp): ``a * b = p + e`` exactly, as long as
  no intermediate underflows or overflows;
* :func:`exact_sum`: the sum of an array, exactly or to a requested absolute tolerance, in the
  style of Rump, Ogita and Oishi's *ExtractVector*: with ``sigma = 2**k`` at least ``(B + 2)``
  times the largest magnitude, ``q = (sigma + v) - sigma`` is exact, its entries are multiples of
  ``2**(k - 53)`` and any block of ``B`` of them adds up exactly in floating point in any order;
  ``v - q`` is exact and at most ``2**(k - 53)`` in magnitude. Each round therefore moves about
  ``53 - log2(B)`` bits of every entry into exact integers. NumPy's summation order is irrelevant.

Everything assumes IEEE binary64 with round-to-nearest and gradual underflow; the kernels check
the last point at import (:mod:`symxent.kernels.fpenv`).

>>> import numpy as np
>>> exact_sum(np.array([1e16, 1.0, -1e16, 2.0**-60]))[0] == 1 + Fraction(1, 2**60)
True
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

__all__ = ["U", "SPLITTER", "split", "two_prod", "exact_sum", "sum_upper", "pow2", "exact_sum_rows", "Dyadic"]

U = Fraction(1, 2**53)  # unit roundoff of binary64
SPLITTER = 134217729.0  # 2**27 + 1
_BLOCK_BITS = 10  # int64 block totals: at most 2**10 blocks of values below 2**53


def pow2(k: int) -> Fraction:
    """``2**k`` as an exact Fraction (k may be negative)."""
    return Fraction(2**k) if k >= 0 else Fraction(1, 2**-k)


def split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp's split ``a = hi + lo`` with both halves of at most 26 significant bits.

    >>> hi, lo = split(np.array([0.1]))
    >>> float(hi[0] + lo[0]) == 0.1
    True
    """
    c = SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a: np.ndarray, b: np.ndarray, sa=None, sb=None) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's product: ``p = fl(a*b)`` and ``e`` with ``a*b = p + e`` exactly (no underflow).

    >>> p, e = two_prod(np.array([0.1]), np.array([0.1]))
    >>> Fraction(p[0]) + Fraction(e[0]) == Fraction(0.1) ** 2
    True
    """
    ah, al = split(a) if sa is None else sa
    bh, bl = split(b) if sb is None else sb
    p = a * b
    e = ah * bh - p
    e += ah * bl
    e += al * bh
    e += al * bl
    return p, e


def _block(n: int) -> int:
    return max(1, -(-n >> _BLOCK_BITS))


def _extract(v: np.ndarray, q: np.ndarray, mx: float, block: int) -> int:
    """One extraction round in place: ``q`` gets the high part, ``v`` keeps the rest; returns k."""
    kbits = int(block + 2).bit_length()
    k = int(np.frexp(mx)[1]) + kbits  # mx < 2**frexp_exp, sigma = 2**k >= (B + 2) * 2**e
    sigma = np.ldexp(1.0, k)
    np.add(v, sigma, out=q)
    np.subtract(q, sigma, out=q)
    np.subtract(v, q, out=v)
    return k


def exact_sum(v: np.ndarray, tol: Fraction = Fraction(0), grid: int | None = None) -> tuple[Fraction, Fraction]:
    """``(s, err)`` with ``|sum(v) - s| <= err <= tol`` (``err = 0``: the sum is exact).

    ``v`` is copied, never changed. ``grid``: all entries are known multiples of ``2**grid``
    (rounds stop once the extraction unit reaches it, the rest then being zero). Entries must be
    finite, at most ``2**1000`` and not so small that the extraction unit goes subnormal.
    """
    n = v.size
    if n == 0:
        return Fraction(0), Fraction(0)
    v = np.array(v, dtype=np.float64, copy=True)
    q = np.empty_like(v)
    block = _block(n)
    nb, full = n // block, (n // block) * block
    total = Fraction(0)
    while True:
        mx = float(np.max(np.abs(v)))
        if mx == 0.0:
            return total, Fraction(0)
        bound = n * Fraction(mx)
        if bound <= tol:
            return total, bound
        k = _extract(v, q, mx, block)
        if k - 53 < -1000:
            raise ArithmeticError("exact_sum: extraction unit would underflow")
        unit = np.ldexp(1.0, k - 53)
        parts = q[:full].reshape(nb, block).sum(axis=1) if nb else np.zeros(0)
        ints = (parts / unit).astype(np.int64)
        acc = int(ints.sum()) + int(float(q[full:].sum()) / unit)
        total += acc * pow2(k - 53)
        if grid is not None and k - 53 <= grid:
            return total, Fraction(0)


def sum_upper(v: np.ndarray) -> Fraction:
    """A rigorous upper bound of ``sum(v)`` for ``v >= 0`` (float sum in any order, padded)."""
    n = v.size
    if n == 0:
        return Fraction(0)
    s = Fraction(float(np.sum(v)))
    return s * (1 + 2 * (n + 1) * U) + n * pow2(-1074)


class Dyadic:
    """An exact accumulator of numbers ``i * 2**e`` (integers per exponent; no Fraction work
    until :meth:`value`).

    >>> d = Dyadic(); d.add_int(3, -2); d.add_float(0.25); d.value()
    Fraction(1, 1)
    """

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: dict[int, int] = {}

    def add_int(self, i: int, e: int) -> None:
        if i:
            self.parts[e] = self.parts.get(e, 0) + i

    def add_float(self, x: float, times: int = 1) -> None:
        if x:
            m, e = math.frexp(x)
            self.add_int(int(m * 2**53) * times, e - 53)

    def value(self) -> Fraction:
        if not self.parts:
            return Fraction(0)
        low = min(self.parts)
        total = sum(i << (e - low) for e, i in self.parts.items())
        return total * pow2(low)


def exact_sum_rows(rows: np.ndarray, tols: list[float], sums: list[Dyadic], errs: list[Dyadic]) -> None:
    """:func:`exact_sum` of every row of a 2-D array at once, added into ``sums[i]``; the
    residual bound of row ``i`` (at most ``tols[i]``, up to float rounding of the test) is
    added into ``errs[i]``. ``rows`` is overwritten.

    One extraction round treats all rows together (a per-row ``sigma``), so the Python overhead
    does not grow with the number of rows.

    >>> s, e = [Dyadic(), Dyadic()], [Dyadic(), Dyadic()]
    >>> exact_sum_rows(np.array([[1e16, 1.0, -1e16], [0.5, 0.25, 0.0]]), [0.0, 0.0], s, e)
    >>> s[0].value(), s[1].value(), e[0].value()
    (Fraction(1, 1), Fraction(3, 4), Fraction(0, 1))
    """
    m, n = rows.shape
    if n == 0:
        return
    block = max(1, -(-n >> _BLOCK_BITS))
    kbits = int(block + 2).bit_length()
    nb, full = n // block, (n // block) * block
    idx = list(range(m))  # the rows still being extracted, in the order of ``rows``
    while True:
        mx = np.maximum(rows.max(axis=1), -rows.min(axis=1))  # no |rows| temporary
        bounds = (mx * n).tolist()
        keep = [pos for pos, i in enumerate(idx) if bounds[pos] > tols[i]]
        if not keep:
            for pos, i in enumerate(idx):
                errs[i].add_float(float(mx[pos]), n)
            return
        if len(keep) < len(idx):
            kept = set(keep)
            for pos, i in enumerate(idx):
                if pos not in kept:
                    errs[i].add_float(float(mx[pos]), n)
            rows, mx = rows[keep], mx[keep]
            idx = [idx[pos] for pos in keep]
        m = len(idx)
        q = np.empty_like(rows)
        exps = np.frexp(mx)[1].astype(np.int64) + kbits
        exps[mx == 0] = 0
        if int(exps[mx != 0].min(initial=0)) - 53 < -1000:
            raise ArithmeticError("exact_sum_rows: extraction unit would underflow")
        sigma = np.ldexp(1.0, exps)[:, None]
        np.add(rows, sigma, out=q)
        np.subtract(q, sigma, out=q)
        np.subtract(rows, q, out=rows)
        units = np.ldexp(1.0, exps - 53)[:, None]
        parts = q[:, :full].reshape(m, nb, block).sum(axis=2) / units
        ints = (parts.astype(np.int64).sum(axis=1) + (q[:, full:].sum(axis=1) / units[:, 0]).astype(np.int64)).tolist()
        el = (exps - 53).tolist()
        for pos, i in enumerate(idx):
            sums[i].add_int(ints[pos], el[pos])
