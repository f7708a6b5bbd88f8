"""Special functions for certified evaluation: ``log Gamma``, ``digamma``, ``erf``, Euler's gamma.

:class:`LogGamma` and :class:`Digamma` are SymPy functions that never evaluate on construction
(``sympy.loggamma(10**8)`` would build the factorial of 10**8 - 1), so a closed form can carry
``log Gamma(10**8)`` to :func:`symxent.evaluate` (small integer arguments evaluate exactly). Their enclosures use monotonicity: digamma and
erf increase, log Gamma decreases up to its minimum near 1.4616 and increases after it; the
value at each end point is computed with guard bits and widened outwards, as for the
elementary functions of :mod:`symxent.exact.interval`.

>>> from symxent import evaluate
>>> str(evaluate(LogGamma(sp.Rational(1, 2)), 20))
'0.57236494292470008707'
>>> str(evaluate(Digamma(sp.Integer(1)), 20))
'-0.57721566490153286061'
"""

from __future__ import annotations

import mpmath
import sympy as sp

__all__ = ["LogGamma", "Digamma", "safe_special", "enclose_special"]

_GUARD = 20
_LGAMMA_MIN_AT = mpmath.mpf("1.4616321449683623412626595423257213284681962040064")


_SMALL = 1000  # integer arguments up to this evaluate exactly (a factorial of at most ~2600 digits)


class LogGamma(sp.Function):
    """``log Gamma(z)`` for ``z > 0``, unevaluated except at small integers (prints as ``loggamma``).

    >>> LogGamma(sp.Integer(4)), LogGamma(sp.Integer(10**8))
    (log(6), loggamma(100000000))
    """

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, z):  # safe: SymPy Function.eval hook (small integers only), not Python eval
        if z.is_Integer and 0 < z <= _SMALL:
            return sp.log(sp.factorial(z - 1))
        return None

    def _sympystr(self, printer) -> str:
        return f"loggamma({printer._print(self.args[0])})"

    def _latex(self, printer) -> str:
        return f"\\ln \\Gamma\\left({printer._print(self.args[0])}\\right)"


class Digamma(sp.Function):
    """``psi(z) = d/dz log Gamma(z)`` for ``z > 0``, unevaluated except at small integers (``digamma``).

    >>> Digamma(sp.Integer(3))
    3/2 - EulerGamma
    """

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, z):  # safe: SymPy Function.eval hook (small integers only), not Python eval
        if z.is_Integer and 0 < z <= _SMALL:
            return sp.harmonic(z - 1) - sp.EulerGamma
        return None

    def _sympystr(self, printer) -> str:
        return f"digamma({printer._print(self.args[0])})"

    def _latex(self, printer) -> str:
        return f"\\psi\\left({printer._print(self.args[0])}\\right)"


def safe_special(e: sp.Expr) -> sp.Expr:
    """``log(gamma(z))``, ``loggamma(z)``, ``gamma(z)`` and ``polygamma(0, z)`` as the unevaluated forms.

    >>> a = sp.Symbol("a", positive=True)
    >>> safe_special(sp.log(sp.gamma(a)) - sp.polygamma(0, a)).xreplace({a: sp.Integer(10**8)})
    -digamma(100000000) + loggamma(100000000)
    """
    e = e.replace(lambda t: isinstance(t, sp.log) and isinstance(t.args[0], sp.gamma),
                  lambda t: LogGamma(t.args[0].args[0]))
    e = e.replace(lambda t: isinstance(t, sp.loggamma), lambda t: LogGamma(t.args[0]))
    e = e.replace(lambda t: isinstance(t, sp.gamma), lambda t: sp.exp(LogGamma(t.args[0]), evaluate=False))
    return e.replace(lambda t: isinstance(t, sp.polygamma) and t.args[0] == 0, lambda t: Digamma(t.args[1]))


def _point(f, x: mpmath.mpf, prec: int, direction: int) -> mpmath.mpf:
    """``f(x)`` at ``prec + guard`` bits, moved outwards (down for -1, up for +1) by 2**(4 - prec) relative."""
    with mpmath.workprec(prec + _GUARD):
        v = f(x)
        pad = abs(v) * mpmath.ldexp(1, 4 - prec) + mpmath.ldexp(1, -10 * prec)
        return v - pad if direction < 0 else v + pad


def enclose_special(e: sp.Expr, arg, prec: int):
    """The interval of ``e`` (LogGamma, Digamma, erf, loggamma, polygamma(0, .)) given its argument's interval."""
    from mpmath import iv

    lo, hi = (mpmath.mp.make_mpf(r) for r in arg._mpi_)
    if isinstance(e, sp.erf):
        return iv.mpf([_point(mpmath.erf, lo, prec, -1), _point(mpmath.erf, hi, prec, 1)])
    if lo <= 0:
        raise ValueError(f"{e}: argument not shown positive")
    if isinstance(e, Digamma) or isinstance(e, sp.polygamma):
        return iv.mpf([_point(mpmath.digamma, lo, prec, -1), _point(mpmath.digamma, hi, prec, 1)])
    # log Gamma: decreasing on (0, x0], increasing on [x0, oo)
    f = mpmath.loggamma
    ends = [_point(f, lo, prec, -1), _point(f, hi, prec, -1)]
    low = min(ends) if (hi <= _LGAMMA_MIN_AT or lo >= _LGAMMA_MIN_AT) else _point(f, _LGAMMA_MIN_AT, prec, -1) \
        - mpmath.ldexp(1, -prec)
    high = max(_point(f, lo, prec, 1), _point(f, hi, prec, 1))
    return iv.mpf([low, high])
