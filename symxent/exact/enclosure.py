"""An enclosure ``[lo, hi]`` of a real value, with rational end points (or infinities).

What the certified summation paths return: the exact reference path, the fast kernels, and the
oracle that combines them. Arithmetic here is exact (``Fraction``), so combining enclosures
never loses the guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational
from typing import Union

from ..errors import PrecisionError
from .rounding import FORMATS, format_decimal, round_binary, round_decimal

__all__ = ["Enclosure", "Bound", "abs_bound"]

Bound = Union[Fraction, float]  # a float only for -inf / +inf


def abs_bound(x: Bound) -> Bound:
    """``abs(x)`` of an end, typed as an end (for a type checker ``abs`` of the union is ``object``).

    >>> abs_bound(Fraction(-1, 3)), abs_bound(float("-inf"))
    (Fraction(1, 3), inf)
    """
    return abs(x) if isinstance(x, Fraction) else abs(x)


def _b(x) -> Bound:
    if isinstance(x, float) and x in (float("inf"), float("-inf")):
        return x
    if isinstance(x, (Rational, int, float)):
        return Fraction(x)
    raise TypeError(f"bound={x!r} is not a rational or an infinity")


@dataclass(frozen=True)
class Enclosure:
    """``lo <= value <= hi``.

    >>> e = Enclosure(Fraction(1, 3), Fraction(1, 2)) + 1
    >>> e.lo, e.hi
    (Fraction(4, 3), Fraction(3, 2))
    >>> (-e).hi
    Fraction(-4, 3)
    """

    lo: Bound
    hi: Bound

    def __post_init__(self) -> None:
        object.__setattr__(self, "lo", _b(self.lo))
        object.__setattr__(self, "hi", _b(self.hi))
        if self.lo > self.hi:
            raise ValueError(f"enclosure end points out of order: lo={self.lo!r} > hi={self.hi!r}")

    @classmethod
    def exact(cls, x) -> "Enclosure":
        return cls(x, x)

    @property
    def width(self) -> Bound:
        return self.hi - self.lo if self.is_finite else float("inf")

    @property
    def is_finite(self) -> bool:
        return not (isinstance(self.lo, float) or isinstance(self.hi, float))

    def __add__(self, other) -> "Enclosure":
        o = other if isinstance(other, Enclosure) else Enclosure.exact(other)
        return Enclosure(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __neg__(self) -> "Enclosure":
        return Enclosure(-self.hi, -self.lo)

    def __sub__(self, other) -> "Enclosure":
        return self + (-(other if isinstance(other, Enclosure) else Enclosure.exact(other)))

    def scale(self, c) -> "Enclosure":
        """Multiply by an exact number c."""
        c = Fraction(c)
        a, b = self.lo * c, self.hi * c
        return Enclosure(min(a, b), max(a, b))

    def contains(self, x) -> bool:
        return self.lo <= _b(x) <= self.hi

    def decimal(self, digits: int) -> str | None:
        """The correctly rounded ``digits``-digit decimal if the enclosure decides it, else None."""
        if isinstance(self.lo, float) or isinstance(self.hi, float):  # an infinite end
            return "inf" if self.lo == float("inf") else "-inf" if self.hi == float("-inf") else None
        m = round_decimal(self.lo, digits)
        return format_decimal(*m, digits) if m == round_decimal(self.hi, digits) else None

    def rounded(self, fmt: str = "float64") -> Bound | None:
        """The correctly rounded value in a binary format if the enclosure decides it, else None."""
        if isinstance(self.lo, float) or isinstance(self.hi, float):  # an infinite end
            return self.lo if self.lo == self.hi else None
        if fmt not in FORMATS:
            raise PrecisionError(f"format={fmt!r} is not one of {', '.join(FORMATS)}")
        a, b = round_binary(self.lo, FORMATS[fmt]), round_binary(self.hi, FORMATS[fmt])
        return a if a == b else None
