"""Enclose the value of a closed SymPy expression in an interval with rational end points.

The expression is walked node by node with mpmath's interval arithmetic at a given working
precision; the result of every transcendental function is widened outwards by a few units in
the last place, so the enclosure does not depend on mpmath rounding its elementary functions
correctly. Precision is borrowed and restored in ``finally``.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp
from mpmath import iv

from ..timebound import checkpoint
from ..errors import InvalidNumberError, UnsupportedError

__all__ = ["enclose", "to_fraction"]

_WIDEN_ULPS = 4


def _mpf(raw: tuple) -> mpmath.mpf:
    """An mpf holding exactly this raw value (``mpmath.mpf(raw)`` would round it to mp.prec)."""
    return mpmath.mp.make_mpf(raw)


def to_fraction(raw: tuple) -> Fraction:
    """The exact rational value of an mpmath raw mpf tuple (finite)."""
    sign, man, exp, _ = raw
    value = Fraction(man) * Fraction(2) ** exp
    return -value if sign else value


def enclose(expr: sp.Expr, prec: int) -> tuple[Fraction, Fraction]:
    """Return ``(lo, hi)`` with ``lo <= value(expr) <= hi``, computed at ``prec`` bits.

    >>> lo, hi = enclose(sp.log(2), 100)
    >>> lo < Fraction(69314718055994530942, 10**20) and hi > Fraction(69314718055994530941, 10**20)
    True
    >>> hi - lo < Fraction(1, 10**28)
    True
    """
    if expr.free_symbols:
        names = ", ".join(sorted(str(s) for s in expr.free_symbols))
        raise InvalidNumberError(f"cannot evaluate an expression with free symbols ({names}); substitute values first")
    old = iv.prec
    try:
        iv.prec = prec
        value = _walk(expr, prec)
    except (OverflowError, MemoryError):  # exp(exp(exp(1000))): beyond mpmath's exponents
        raise InvalidNumberError(f"the value of {_short(expr)} is too large to enclose") from None
    finally:
        iv.prec = old
    lo, hi = (_mpf(r) for r in value._mpi_)
    if not (mpmath.isfinite(lo) and mpmath.isfinite(hi)):
        raise InvalidNumberError(f"the value of {expr} is not a finite real number")
    return to_fraction(lo._mpf_), to_fraction(hi._mpf_)


def _short(expr: sp.Expr) -> str:
    text = str(expr) if not expr.is_Rational else "a rational"
    return text if len(text) <= 80 else text[:60] + "..."


def _rational(p: int, q: int):
    return iv.mpf(p) / iv.mpf(q) if q != 1 else iv.mpf(p)


def _widen(x, prec: int):
    """Widen an interval outwards by a few ulps at ``prec`` bits."""
    lo, hi = (_mpf(r) for r in x._mpi_)
    tiny = mpmath.ldexp(1, -10 * prec)
    pad_lo = mpmath.fadd(mpmath.ldexp(abs(lo), _WIDEN_ULPS - prec), tiny, prec=prec, rounding="c")
    pad_hi = mpmath.fadd(mpmath.ldexp(abs(hi), _WIDEN_ULPS - prec), tiny, prec=prec, rounding="c")
    return iv.mpf([mpmath.fsub(lo, pad_lo, prec=prec, rounding="f"),
                   mpmath.fadd(hi, pad_hi, prec=prec, rounding="c")])


def _walk(e: sp.Expr, prec: int):
    checkpoint()  # a deadline set by evaluate(seconds=) or the proof engine stops here, on any thread
    if e.is_Integer:
        return iv.mpf(int(e))
    if e.is_Rational:
        return _rational(int(e.p), int(e.q))
    if e.is_Float:
        f = to_fraction(e._mpf_)
        return _rational(f.numerator, f.denominator)
    if e is sp.pi:
        return _widen(iv.pi, prec)
    if e is sp.E:
        return _widen(iv.exp(1), prec)
    if e.is_Add:
        return _fold(e.args, prec, lambda a, b: a + b)
    if e.is_Mul:
        return _fold(e.args, prec, lambda a, b: a * b)
    if e.is_Pow:
        return _pow(e, prec)
    if isinstance(e, sp.log):
        return _widen(iv.log(_positive(_walk(e.args[0], prec), e)), prec)
    if isinstance(e, sp.exp):
        return _widen(iv.exp(_walk(e.args[0], prec)), prec)
    if isinstance(e, sp.Abs):
        return abs(_walk(e.args[0], prec))
    if isinstance(e, (sp.Max, sp.Min)):
        return _minmax(e, prec)
    if e is sp.EulerGamma:
        return _euler(prec)
    if isinstance(e, (sp.erf, sp.loggamma)) or (isinstance(e, sp.polygamma) and e.args[0] == 0) or \
            type(e).__name__ in ("LogGamma", "Digamma"):
        from .special import enclose_special

        try:
            return enclose_special(e, _walk(e.args[-1], prec), prec)
        except ValueError as err:
            raise InvalidNumberError(str(err)) from None
    if isinstance(e, sp.gamma):
        from .special import LogGamma

        return _widen(iv.exp(_walk(LogGamma(e.args[0]), prec)), prec)
    if isinstance(e, sp.Sum):
        done = e.doit()
        if isinstance(done, sp.Sum):
            raise UnsupportedError(f"cannot evaluate the sum {e}: its limits are not numbers")
        return _walk(done, prec)
    enclose = getattr(e, "_symxent_interval", None)
    if callable(enclose) and len(e.args) == 1:  # a named function that encloses itself (symxent.families.series)
        return enclose(_walk(e.args[0], prec), prec)
    raise UnsupportedError(f"cannot evaluate {type(e).__name__} in {e}")


def _euler(prec: int):
    """Euler's constant: mpmath's value at guard bits, widened by a few ulps."""
    with mpmath.workprec(prec + 20):
        g = +mpmath.euler
        pad = mpmath.ldexp(1, 4 - prec)
        return iv.mpf([g - pad, g + pad])


def _fold(args, prec, op):
    acc = _walk(args[0], prec)
    for a in args[1:]:
        acc = op(acc, _walk(a, prec))
    return acc


def _positive(x, e):
    if _mpf(x._mpi_[1]) <= 0:
        raise InvalidNumberError(f"{e}: logarithm of a number that is not positive")
    return x


def _pow(e: sp.Pow, prec: int):
    base, exponent = e.args
    b = _walk(base, prec)
    if exponent.is_Integer:
        return b ** int(exponent)
    if exponent == sp.Rational(1, 2):
        return _widen(iv.sqrt(_positive(b, e)), prec)
    return _widen(iv.exp(_walk(exponent, prec) * iv.log(_positive(b, e))), prec)


def _minmax(e, prec: int):
    values = [_walk(a, prec) for a in e.args]
    pick = max if isinstance(e, sp.Max) else min
    lo = pick(_mpf(v._mpi_[0]) for v in values)
    hi = pick(_mpf(v._mpi_[1]) for v in values)
    return iv.mpf([lo, hi])
