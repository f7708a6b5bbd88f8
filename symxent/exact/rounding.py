"""Exact rounding of rationals: to N significant decimal digits, and to binary float formats.

Everything here works on ``fractions.Fraction`` with integer arithmetic, so a rounding is
exact, not an approximation of one. Ties go to even, as in IEEE 754.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["BinaryFormat", "FLOAT64", "FLOAT32", "FLOAT16", "BFLOAT16", "FORMATS",
           "round_decimal", "format_decimal", "round_binary", "ulp"]


_LOG10_2 = 0.30102999566398120


def _floor_log10(a: Fraction) -> int:
    """``floor(log10(a))`` exactly, for a > 0 (from bit lengths: no decimal string of a huge int).

    >>> _floor_log10(Fraction(999, 1)), _floor_log10(Fraction(1000, 1)), _floor_log10(Fraction(1, 10**5000))
    (2, 3, -5000)
    """
    e = int((a.numerator.bit_length() - a.denominator.bit_length()) * _LOG10_2)
    while Fraction(10) ** e > a:
        e -= 1
    while Fraction(10) ** (e + 1) <= a:
        e += 1
    return e


def round_decimal(x: Fraction, digits: int) -> tuple[int, int]:
    """Round x to ``digits`` significant digits: ``(m, e)`` with ``x ≈ m * 10**e``, |m| < 10**digits.

    >>> round_decimal(Fraction(2, 3), 3)
    (667, -3)
    >>> round_decimal(Fraction(9995, 1000), 3)
    (100, -1)
    """
    if x == 0:
        return 0, 0
    sign, a = (-1 if x < 0 else 1), abs(x)
    shift = digits - 1 - _floor_log10(a)
    m = round(a * Fraction(10) ** shift)  # Fraction.__round__ is exact, ties to even
    if m == 10**digits:  # 9.995 -> 10.0: one digit too many
        m, shift = m // 10, shift - 1
    return sign * m, -shift


def format_decimal(m: int, e: int, digits: int) -> str:
    """Print ``m * 10**e`` (``m`` with ``digits`` significant digits) keeping every digit.

    Plain notation for moderate exponents, scientific otherwise, like ``repr(float)``.

    >>> format_decimal(667, -3, 3), format_decimal(123, -20, 3), format_decimal(0, 0, 5)
    ('0.667', '1.23e-18', '0')
    """
    if m == 0:
        return "0"
    sign, text = ("-" if m < 0 else ""), _digits_of(abs(m)).rjust(digits, "0")
    exponent = e + len(text) - 1  # position of the leading digit
    if -5 <= exponent < max(digits, 16):
        point = len(text) + e
        if point <= 0:
            return f"{sign}0.{'0' * -point}{text}"
        if point >= len(text):
            return f"{sign}{text}{'0' * (point - len(text))}"
        return f"{sign}{text[:point]}.{text[point:]}"
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{sign}{mantissa}e{exponent:+03d}"


def _digits_of(n: int) -> str:
    """``str(n)`` for n >= 0 of any size (Python refuses ``str`` of ints beyond 4300 digits).

    >>> _digits_of(10**5000).count("0"), _digits_of(12345)
    (5000, '12345')
    """
    if n.bit_length() < 10_000:
        return str(n)
    half = int(n.bit_length() * _LOG10_2) // 2
    high, low = divmod(n, 10**half)
    return _digits_of(high) + _digits_of(low).rjust(half, "0")


@dataclass(frozen=True)
class BinaryFormat:
    """An IEEE-754-style binary format: ``precision`` significand bits (hidden bit included)."""

    name: str
    precision: int
    emin: int  # exponent of the smallest normal number
    emax: int  # exponent of the largest finite number

    @property
    def max_value(self) -> Fraction:
        return (2 - Fraction(1, 2 ** (self.precision - 1))) * Fraction(2) ** self.emax


FLOAT64 = BinaryFormat("float64", 53, -1022, 1023)
FLOAT32 = BinaryFormat("float32", 24, -126, 127)
FLOAT16 = BinaryFormat("float16", 11, -14, 15)
BFLOAT16 = BinaryFormat("bfloat16", 8, -126, 127)
FORMATS = {f.name: f for f in (FLOAT64, FLOAT32, FLOAT16, BFLOAT16)}


def _exponent(a: Fraction) -> int:
    """``floor(log2(a))`` exactly, for a > 0."""
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    return e


def round_binary(x: Fraction, fmt: BinaryFormat = FLOAT64) -> Fraction | float:
    """Round x to the nearest value of ``fmt`` (ties to even); ``±inf`` past the largest.

    The result is returned exactly, as a Fraction (or a float infinity).

    >>> round_binary(Fraction(1, 10), FLOAT32) == Fraction(13421773, 134217728)
    True
    """
    if x == 0:
        return Fraction(0)
    sign, a = (-1 if x < 0 else 1), abs(x)
    quantum = Fraction(2) ** (max(_exponent(a), fmt.emin) - fmt.precision + 1)
    r = round(a / quantum) * quantum
    if r > fmt.max_value:
        return sign * float("inf")
    return sign * r


def ulp(x: Fraction | float, fmt: BinaryFormat = FLOAT64) -> Fraction:
    """The gap between consecutive values of ``fmt`` at ``|x|`` (at the subnormal spacing near 0).

    >>> ulp(Fraction(1), FLOAT64) == Fraction(1, 2**52)
    True
    """
    a = abs(Fraction(x))
    e = fmt.emin if a == 0 else max(_exponent(a), fmt.emin)
    return Fraction(2) ** (e - fmt.precision + 1)
