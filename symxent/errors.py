"""Every error symxent raises, in one place.

Each class is also a builtin exception (``ValueError`` or ``TypeError``), so code that already
catches those keeps working. Messages quote the offending argument as ``name=value!r``.
"""

from __future__ import annotations

__all__ = [
    "SymxentError",
    "InvalidNumberError",
    "DomainError",
    "NormalizationError",
    "ShapeError",
    "BaseError",
    "PrecisionError",
    "ParseError",
    "UnsupportedError",
    "OverwriteError",
    "MissingExtraError",
    "shown",
]


def shown(value: object, limit: int = 300) -> str:
    """``repr(value)`` for an error message: cut after ``limit`` characters, and never failing
    (Python refuses the repr of ints beyond 4300 digits).

    >>> shown("0.5"), shown("9" * 1000)[-20:]
    ("'0.5'", '...(1002 characters)')
    """
    try:
        text = repr(value)
    except Exception:  # an int or Fraction too large to print, a broken __repr__
        return f"<{type(value).__name__} too large to print>"
    return text if len(text) <= limit else f"{text[:limit - 40]}...({len(text)} characters)"


class SymxentError(ValueError):
    """Base class of every error raised on purpose by symxent."""


class InvalidNumberError(SymxentError):
    """A value is not a number symxent can read exactly (text that is no number, NaN, ±inf)."""


class DomainError(SymxentError):
    """A number lies outside the domain of the quantity (a probability < 0 or > 1, sigma <= 0)."""


class NormalizationError(SymxentError):
    """A distribution does not sum to 1."""


class ShapeError(SymxentError):
    """Lengths or shapes of the arguments do not match."""


class BaseError(SymxentError):
    """A logarithm base that is not a positive number different from 1 (or a symbol)."""


class PrecisionError(SymxentError):
    """Digits out of range, or a value that cannot be certified to the digits asked for."""


class ParseError(SymxentError):
    """User text that is not an expression of the allowed grammar."""


class UnsupportedError(SymxentError, TypeError):
    """An argument of a type symxent does not accept."""


class OverwriteError(SymxentError):
    """Writing would replace a file that was edited by hand (pass force=True / --force to do it)."""


class MissingExtraError(SymxentError, ImportError):
    """An optional extra is not installed (``pip install 'symxent[plot]'`` names the one to install)."""
