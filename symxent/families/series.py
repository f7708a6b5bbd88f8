"""Series without a closed form, named and certified: ``E[log K!]`` for ``K ~ Poisson(rate)``.

The entropy of a Poisson law is ``rate - rate log(rate) + E[log K!]``, and ``E[log K!]`` is an
infinite series with no closed form. :class:`PoissonLogFactorialMean` names it (its definition
*is* the series, so the naming step of a derivation is checked by comparing the two, rule
``series_definition``), and encloses it for :func:`symxent.evaluate`: an exact partial sum in
interval arithmetic plus a rigorous bound on the tail, from the ratio of consecutive terms.

For ``k >= N >= 3`` the ratio of the terms ``t_k = e^-r r^k / k! log k!`` is
``r/(k+1) (1 + log(k+1)/log k!)``, which decreases in k; when its value ``rho`` at ``k = N`` is
below 1, ``sum_{k > N} t_k <= t_N rho / (1 - rho)`` (a geometric majorant). The enclosure is the
partial sum up to N, widened upwards by that bound.

>>> from symxent import evaluate
>>> str(evaluate(PoissonLogFactorialMean(sp.Integer(2)), 25))
'1.091177005052874457212051'
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derivation.algebra import meet
from ..derivation.rules import rule
from ..errors import UnsupportedError

__all__ = ["PoissonLogFactorialMean", "name_series", "MAX_TERMS"]

MAX_TERMS = 2_000_000
"""The most terms an enclosure sums (about rate + 40 sqrt(rate) + 60 are needed at 100 digits)."""

_k = sp.Symbol("k", integer=True, nonnegative=True)


class PoissonLogFactorialMean(sp.Function):
    """``E[log K!] = sum_{k >= 0} e^-rate rate^k / k! log k!`` for ``rate > 0`` (never evaluated symbolically).

    >>> r = sp.Symbol("lambda", positive=True)
    >>> PoissonLogFactorialMean(r).definition()
    Sum(lambda**k*exp(-lambda)*log(factorial(k))/factorial(k), (k, 0, oo))
    """

    nargs = 1
    is_real = True

    def definition(self) -> sp.Sum:
        """The series this function names."""
        r = self.args[0]
        return sp.Sum(r**_k * sp.exp(-r) * sp.log(sp.factorial(_k)) / sp.factorial(_k), (_k, 0, sp.oo))

    def _eval_is_nonnegative(self):
        return True

    def _sympystr(self, printer) -> str:
        return f"E_Poisson({printer._print(self.args[0])})[log k!]"

    def _latex(self, printer) -> str:
        return (r"\operatorname{E}_{k \sim \operatorname{Poisson}\left(" + printer._print(self.args[0])
                + r"\right)}\left[\ln k!\right]")

    def _symxent_interval(self, arg, prec: int):
        """The enclosure given the interval ``arg`` of the rate (a hook of :func:`symxent.exact.interval`)."""
        return enclose_log_factorial_mean(arg, prec)


def enclose_log_factorial_mean(arg, prec: int):
    """An mpmath interval containing ``E[log K!]`` for every rate in the interval ``arg`` (> 0).

    The series has nonnegative terms, each increasing in the rate for ``k > rate``; the sum is
    computed termwise in interval arithmetic over the whole rate interval, so it encloses the value
    at each rate of it.

    >>> from mpmath import iv
    >>> v = enclose_log_factorial_mean(iv.mpf(1), 60)
    >>> lo, hi = (mpmath.mp.make_mpf(e) for e in v._mpi_)
    >>> mpmath.nstr(lo, 15), hi - lo < 1e-17
    ('0.304842242256251', True)
    """
    from mpmath import iv

    lo, hi = (mpmath.mp.make_mpf(r) for r in arg._mpi_)
    if lo <= 0:
        raise UnsupportedError("E[log k!] under Poisson: the rate is not shown positive")
    old = iv.prec
    iv.prec = prec + 30
    try:
        return _sum(iv.mpf([lo, hi]), hi, prec)
    finally:
        iv.prec = old


def _sum(r, hi, prec: int):
    from mpmath import iv

    if True:
        p = iv.exp(-r)           # P(K = k), from k = 0
        logfact = iv.mpf(0)      # log k!
        total = iv.mpf(0)
        tiny = mpmath.ldexp(1, -(prec + 20))
        k = 0
        while True:
            if k >= MAX_TERMS:
                raise UnsupportedError(f"E[log k!] under Poisson({mpmath.nstr(hi, 5)}): more than {MAX_TERMS} "
                                       "terms needed (the rate is too large for the series)")
            k += 1
            p = p * r / k
            logfact = logfact + iv.log(iv.mpf(k))
            t = p * logfact
            total = total + t
            if k >= 3 and k + 1 > hi:
                rho = r / (k + 1) * (1 + iv.log(iv.mpf(k + 1)) / logfact)
                if rho.b < 1:
                    tail = t * rho / (1 - rho)
                    if tail.b <= tiny * max(abs(total.a), mpmath.mpf(tiny)):
                        return iv.mpf([total.a, (total + tail).b])


def _match(s: sp.Sum) -> sp.Expr | None:
    """The rate when ``s`` is ``sum_{k >= 0} e^-r r^k / k! log k!`` (whatever the summation letter), else None."""
    if not isinstance(s, sp.Sum) or len(s.limits) != 1:
        return None
    v, a, b = s.limits[0]
    if a != 0 or b != sp.oo:
        return None
    body = s.function.xreplace({v: _k})
    for f in sp.Mul.make_args(body):
        if isinstance(f, sp.exp):
            r = -f.args[0]
            if not r.has(_k) and sp.expand(body - PoissonLogFactorialMean(r).definition().function) == 0:
                return r
    return None


def name_series(e: sp.Expr) -> sp.Expr:
    """``e`` with each Poisson ``E[log k!]`` series replaced by :class:`PoissonLogFactorialMean`.

    >>> r = sp.Symbol("r", positive=True)
    >>> name_series(1 + PoissonLogFactorialMean(r).definition())
    E_Poisson(r)[log k!] + 1
    """
    return e.replace(lambda t: isinstance(t, sp.Sum) and _match(t) is not None,
                     lambda t: PoissonLogFactorialMean(_match(t)))


@rule("series_definition")
def _series_definition(before, after, relation, ctx):
    """Each named series of ``after`` is, by its definition, the series that stands in its place in ``before``."""
    if relation != "=":
        return "unverified", "naming a series is an equality"
    named = list(after.atoms(PoissonLogFactorialMean))
    if not named:
        return "unverified", "no named series on the right-hand side"
    back = after.xreplace({f: f.definition() for f in named})
    if not meet(back, before):
        return "failed", "the named series is not the one on the left-hand side"
    return "verified", ("the name stands for its defining series (no closed form is claimed); its value is "
                        "certified by partial sums with a rigorous geometric tail bound")
