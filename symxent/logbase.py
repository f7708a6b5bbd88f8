"""The logarithm base: reading it, taking logarithms in it, and naming its unit.

Base 2 measures information in bits, base e in nats, base 10 in hartleys; any other positive
number different from 1 is allowed (its unit is "base b"), and so is a SymPy symbol.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .errors import BaseError, SymxentError, shown
from .inputs import exact

__all__ = ["as_base", "log_in", "unit_of", "base_label"]

_NAMED = {"e": sp.E, "nats": sp.E, "bits": sp.Integer(2), "hartleys": sp.Integer(10), "bans": sp.Integer(10)}
_UNITS = {sp.Integer(2): "bits", sp.E: "nats", sp.Integer(10): "hartleys"}


def as_base(base: Any = sp.E) -> sp.Expr:
    """Validate a logarithm base and return it as an exact SymPy object.

    >>> as_base(2), as_base("e"), as_base("10"), as_base("bits")
    (2, E, 10, 2)
    """
    if isinstance(base, str) and base.strip().lower() in _NAMED:
        return _NAMED[base.strip().lower()]
    try:
        b = exact(base, "base")
    except SymxentError as err:
        raise BaseError(f"base={shown(base)} is not a logarithm base: {err}") from None
    if b.free_symbols:
        if b.is_positive is False or b.is_real is False:
            raise BaseError(f"base={shown(base)} must be positive")
        return b
    if not (b.is_real and b.is_positive) or b == 1:
        raise BaseError(f"base={shown(base)} must be a positive number different from 1")
    return b


def log_in(x: sp.Expr, base: sp.Expr) -> sp.Expr:
    """``log_base(x)`` as an exact expression (``log(x)/log(base)``; plain ``log`` for base e).

    >>> log_in(sp.Rational(1, 8), sp.Integer(2))
    -3
    """
    if base == sp.E:
        return sp.log(x)
    value = sp.log(x) / sp.log(base)
    if x.is_Rational and base.is_Rational:  # log_2(1/8) = -3 exactly
        power = _rational_log(sp.Rational(x), sp.Rational(base))
        if power is not None:
            return power
    return value


def _rational_log(x: sp.Rational, base: sp.Rational) -> sp.Rational | None:
    """The rational r with base**r == x, if there is one (both positive rationals)."""
    if x <= 0 or base <= 0 or base == 1:
        return None
    if x == 1:
        return sp.Integer(0)
    fb = _atoms(base)
    fx: dict = {}
    for part, sign in ((int(x.p), 1), (int(x.q), -1)):
        for atom in fb:
            while part % atom == 0:
                fx[atom] = fx.get(atom, 0) + sign
                part //= atom
        if part != 1:  # a factor the base does not have
            return None
    if set(fx) != set(fb):
        return None
    ratios = {sp.Rational(fx[p], fb[p]) for p in fb}
    return ratios.pop() if len(ratios) == 1 else None


def _atoms(r: sp.Rational) -> dict:
    """``r`` as powers of primes below 2**16 and of cofactors free of them, found by trial division
    only: a 300-digit ``1 - 1e-300`` must not start a factorisation (it could take hours)."""
    out: dict = {}
    for n, sign in ((int(r.p), 1), (int(r.q), -1)):
        for p, e in sp.factorint(n, limit=2**16, use_rho=False, use_pm1=False, use_ecm=False).items():
            out[int(p)] = out.get(int(p), 0) + sign * e
    return {p: e for p, e in out.items() if e}


def unit_of(base: sp.Expr) -> str:
    """The unit of information in this base.

    >>> unit_of(sp.Integer(2)), unit_of(sp.E), unit_of(sp.Integer(10)), unit_of(sp.Integer(3))
    ('bits', 'nats', 'hartleys', 'base 3')
    """
    return _UNITS.get(base, f"base {base_label(base)}")


def base_label(base: sp.Expr) -> str:
    """A short text name of the base: ``"2"``, ``"e"``, ``"10"``, ``"3/2"``."""
    return "e" if base == sp.E else str(base)
