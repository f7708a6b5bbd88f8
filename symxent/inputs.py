"""User numbers to exact SymPy numbers: the one place where input is read.

``"0.1"`` is 1/10, ``"1/3"`` is 1/3, ``"2.5e-3"`` is 1/400; a Python ``float`` is its exact binary
value unless ``floats="shortest"`` asks for the shortest decimal that prints as it. Text is parsed
with a strict grammar, never evaluated.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from numbers import Integral
from typing import Any, Iterable, Literal

import sympy as sp

from .errors import InvalidNumberError, UnsupportedError, shown

__all__ = [
    "FloatReading", "MAX_NUMBER_DIGITS", "MAX_NUMBER_EXPONENT", "exact", "exact_number", "exact_list", "parse_number", "parse_number_list", "as_fraction",
]

FloatReading = Literal["binary", "shortest"]

_NUMBER = re.compile(
    r"""^\s*(?P<sign>[+-]?)
        (?:(?P<num>\d+)\s*/\s*(?P<den>\d+)                       # a fraction 1/3
          |(?P<dec>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)         # a decimal 0.1, 2.5e-3
        )\s*$""",
    re.VERBOSE,
)
MAX_NUMBER_DIGITS = 1000
"""The most digits a typed number may have (in its decimal part, or in each side of a fraction)."""
MAX_NUMBER_EXPONENT = 1000
"""The largest decimal exponent (scientific notation, ``1e1000``) a typed number may have, either sign."""
_MAX_BITS = 3 * 3322  # an exact int/Fraction/Decimal/Rational from the API: about 3000 digits a side


def _too_large(name: str, text: str, why: str) -> InvalidNumberError:
    cut = text if len(text) <= 60 else f"{text[:40]}...({len(text)} characters)"
    return InvalidNumberError(f"{name}={cut!r} {why}")


def _check_digits(name: str, text: str, *parts: str) -> None:
    for part in parts:
        if sum(c.isdigit() for c in part) > MAX_NUMBER_DIGITS:
            raise _too_large(name, text, f"has more than {MAX_NUMBER_DIGITS} digits (the limit for typed numbers)")


def _check_rational(value: sp.Expr, name: str, given: Any) -> sp.Expr:
    """Refuse exact numbers so large that printing them would fail (about 3000 digits a side)."""
    if isinstance(value, sp.Rational) and max(int(value.p).bit_length(), int(value.q).bit_length()) > _MAX_BITS:
        raise _too_large(name, f"{type(given).__name__} value", "is too large: numerator and denominator are "
                         "limited to about 3000 digits")
    return value


def parse_number(text: str, name: str = "value") -> sp.Rational:
    """Read a decimal (``"0.1"``, ``"2.5e-3"``) or a fraction (``"1/3"``) exactly.

    >>> parse_number("0.1")
    1/10
    >>> parse_number("-2.5e-3")
    -1/400
    >>> parse_number("1/3")
    1/3
    """
    if not isinstance(text, str):
        raise UnsupportedError(f"{name}={shown(text)} must be a string")
    if len(text) > 4 * MAX_NUMBER_DIGITS:
        raise _too_large(name, text, f"is too long (a typed number has at most {MAX_NUMBER_DIGITS} digits)")
    match = _NUMBER.match(text)
    if match is None:
        raise InvalidNumberError(f"{name}={shown(text)} is not a number (expected e.g. 0.1, 2.5e-3 or 1/3)")
    sign = -1 if match["sign"] == "-" else 1
    if match["num"] is not None:
        _check_digits(name, text, match["num"], match["den"])
        den = int(match["den"])
        if den == 0:
            raise InvalidNumberError(f"{name}={shown(text)} divides by zero")
        return sp.Rational(sign * int(match["num"]), den)
    mantissa, _, power = match["dec"].lower().partition("e")
    _check_digits(name, text, mantissa)
    if len(power.lstrip("+-").lstrip("0")) > 6:  # read the exponent only once it is small
        raise _too_large(name, text, f"has an exponent beyond ±{MAX_NUMBER_EXPONENT}")
    decimal = Decimal(match["dec"])
    if decimal and abs(decimal.adjusted()) > MAX_NUMBER_EXPONENT:
        raise _too_large(name, text, f"has an exponent beyond ±{MAX_NUMBER_EXPONENT}")
    return sp.Rational(Fraction(decimal) * sign)


def parse_number_list(text: str, name: str = "values") -> list[sp.Rational]:
    """Read a comma-separated list of numbers exactly.

    >>> parse_number_list("0.1, 0.4, 1/2")
    [1/10, 2/5, 1/2]
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidNumberError(f"{name}={shown(text)} is empty (expected comma-separated numbers)")
    return [parse_number(part, f"{name}[{i}]") for i, part in enumerate(text.split(","))]


def _from_float(x: float, name: str, floats: FloatReading, shortest: str) -> sp.Rational:
    if not math.isfinite(x):
        raise InvalidNumberError(f"{name}={shown(x)} is not a finite number")
    if floats == "binary":
        return sp.Rational(*x.as_integer_ratio())
    if floats == "shortest":
        return sp.Rational(Fraction(shortest))
    raise UnsupportedError(f"floats={shown(floats)} must be 'binary' or 'shortest'")


def exact(x: Any, name: str = "value", *, floats: FloatReading = "binary") -> sp.Expr:
    """Turn one user value into an exact SymPy object.

    Strings, ints, ``Fraction`` and ``Decimal`` become Rationals; a float becomes its exact
    binary value (``floats="binary"``, the default) or its shortest decimal
    (``floats="shortest"``); SymPy numbers, symbols and expressions pass through unchanged.

    >>> exact("0.1")
    1/10
    >>> exact(0.1)
    3602879701896397/36028797018963968
    >>> exact(0.1, floats="shortest")
    1/10
    """
    if isinstance(x, sp.Basic):
        if x.has(sp.nan, sp.zoo):
            raise InvalidNumberError(f"{name}={shown(x)} is not a number")
        return _check_rational(x, name, x)
    if isinstance(x, bool):
        return sp.Integer(int(x))
    if isinstance(x, Integral):
        return _check_rational(sp.Integer(int(x)), name, x)
    if isinstance(x, Fraction):
        return _check_rational(sp.Rational(x.numerator, x.denominator), name, x)
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise InvalidNumberError(f"{name}={shown(x)} is not a finite number")
        if abs(x.adjusted()) > MAX_NUMBER_EXPONENT or len(x.as_tuple().digits) > MAX_NUMBER_DIGITS:
            raise _too_large(name, "Decimal value", f"is beyond {MAX_NUMBER_DIGITS} digits or the exponent "
                             f"±{MAX_NUMBER_EXPONENT}")
        return sp.Rational(Fraction(x))
    if isinstance(x, str):
        return parse_number(x, name)
    if _is_numpy_floating(x):  # str() of a numpy scalar is the shortest decimal of *its* dtype
        # (np.float64 is a float subclass: its repr() is "np.float64(0.5)", so not repr(x))
        return _from_float(float(x), name, floats, repr(float(x)) if isinstance(x, float) else str(x))
    if isinstance(x, float):
        return _from_float(x, name, floats, repr(float(x)))
    raise UnsupportedError(f"{name}={shown(x)} of type {type(x).__name__} is not a number symxent reads")


def _is_numpy_floating(x: Any) -> bool:
    module = type(x).__module__
    return module == "numpy" and hasattr(x, "as_integer_ratio")


def exact_number(x: Any, name: str = "value", *, floats: FloatReading = "binary") -> sp.Expr:
    """Like :func:`exact`, but the result must be a finite real number (no free symbols).

    >>> exact_number("2.5e-3")
    1/400
    """
    value = exact(x, name, floats=floats)
    if value.free_symbols or not value.is_real or not value.is_finite:
        raise InvalidNumberError(f"{name}={shown(x)} is not a finite real number")
    return value


def exact_list(xs: Iterable[Any], name: str, *, floats: FloatReading = "binary") -> list[sp.Expr]:
    """Apply :func:`exact` to every entry, naming each one ``name[i]`` in errors."""
    if isinstance(xs, (str, bytes)):
        return parse_number_list(xs, name) if isinstance(xs, str) else _not_a_list(xs, name)
    try:
        items = list(xs)
    except TypeError:
        raise UnsupportedError(f"{name}={shown(xs)} is not a sequence of numbers") from None
    return [exact(v, f"{name}[{i}]", floats=floats) for i, v in enumerate(items)]


def _not_a_list(xs: Any, name: str) -> list[sp.Expr]:
    raise UnsupportedError(f"{name}={shown(xs)} is not a sequence of numbers")


def as_fraction(x: sp.Expr) -> Fraction:
    """The exact ``Fraction`` of a SymPy Rational (or Float, at its binary value)."""
    r = sp.Rational(x)
    return Fraction(int(r.p), int(r.q))
