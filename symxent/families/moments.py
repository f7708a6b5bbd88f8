"""The moments table: ``E[T(X)]`` for the statistics ``T`` that log densities are made of.

A log density, expanded, is a linear combination of a few statistics of ``X``: ``X``, ``X^2``,
``log X``, ``(log X)^2``, ``log(1 - X)``, ``exp(t X)``, ``|X - c|``, ``log((X - c)^2 + d^2)``.
:func:`classify` names the statistic; :func:`moment` gives its expectation under a family, or
None when the table has no closed form (the expectation then stays an integral or a sum).
Every entry is checked in the tests against an integration (mpmath ``quad``) or a sum, and each
derivation proves the entries it cites by SymPy's integration (recorded once, see
:mod:`symxent.families.records`).

>>> from symxent.families import Gamma
>>> a, b = sp.symbols("a b", positive=True)
>>> G = Gamma(a, b)
>>> moment(G, sp.log(G.variable))
-log(b) + polygamma(0, a)
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

__all__ = ["classify", "moment", "standardising", "TABLE"]

Statistic = tuple  # (kind, argument)


def classify(T: sp.Expr, v: sp.Symbol) -> Statistic | None:
    """The statistic ``T`` of the variable ``v`` as ``(kind, argument)``, or None.

    >>> x = sp.Symbol("x", real=True)
    >>> classify(sp.exp(-x / 3), x), classify(sp.Abs(2 - x), x)
    (('mgf', -1/3), ('absdev', 2))
    """
    if T == 1:
        return ("one", None)
    if T == v:
        return ("x", None)
    if T == v**2:
        return ("x2", None)
    if T == sp.log(v):
        return ("logx", None)
    if T == sp.log(v) ** 2:
        return ("logx2", None)
    if T == sp.log(1 - v):
        return ("log1mx", None)
    if isinstance(T, sp.exp):
        t = sp.cancel(T.args[0] / v)
        if not t.has(v):
            return ("mgf", t)
    if isinstance(T, sp.Abs):
        poly = sp.Poly(T.args[0], v) if T.args[0].is_polynomial(v) else None
        if poly is not None and poly.degree() == 1 and abs(poly.LC()) == 1:
            return ("absdev", -poly.nth(0) / poly.LC())
    if isinstance(T, sp.log) and T.args[0].is_polynomial(v):
        poly = sp.Poly(T.args[0], v)
        if poly.degree() == 2:
            L, B, C = poly.all_coeffs()
            c = -B / (2 * L)
            return ("logquad", (L, c, sp.cancel(C / L - c**2)))
    return None


def _normal(f, kind, arg):
    m, s = f.loc, f.scale
    return {"x": lambda: m, "x2": lambda: m**2 + s**2,
            "mgf": lambda: sp.exp(m * arg + s**2 * arg**2 / 2),
            "absdev": lambda: s * sp.sqrt(2) / sp.sqrt(sp.pi) * sp.exp(-(m - arg) ** 2 / (2 * s**2))
            + (m - arg) * sp.erf((m - arg) / (sp.sqrt(2) * s))}.get(kind)


def _laplace(f, kind, arg):
    m, s = f.loc, f.scale
    return {"x": lambda: m, "x2": lambda: m**2 + 2 * s**2,
            "absdev": lambda: s if arg == m else sp.Abs(m - arg) + s * sp.exp(-sp.Abs(m - arg) / s)}.get(kind)


def _exponential(f, kind, arg):
    r = f.rate
    return {"x": lambda: 1 / r, "x2": lambda: 2 / r**2, "logx": lambda: -sp.EulerGamma - sp.log(r),
            "mgf": lambda: r / (r - arg)}.get(kind)


def _gamma(f, kind, arg):
    a, r = f.concentration, f.rate
    return {"x": lambda: a / r, "x2": lambda: a * (a + 1) / r**2, "logx": lambda: sp.polygamma(0, a) - sp.log(r),
            "mgf": lambda: (r / (r - arg)) ** a}.get(kind)


def _beta(f, kind, arg):
    a, b = f.concentration1, f.concentration0
    return {"x": lambda: a / (a + b), "x2": lambda: a * (a + 1) / ((a + b) * (a + b + 1)),
            "logx": lambda: sp.polygamma(0, a) - sp.polygamma(0, a + b),
            "log1mx": lambda: sp.polygamma(0, b) - sp.polygamma(0, a + b)}.get(kind)


def _xlogx(u):
    return sp.Integer(0) if u == 0 else u * sp.log(u)


def _uniform(f, kind, arg):
    lo, hi = f.low, f.high
    w = hi - lo
    return {"x": lambda: (lo + hi) / 2, "x2": lambda: (lo**2 + lo * hi + hi**2) / 3,
            "logx": lambda: (_xlogx(hi) - _xlogx(lo)) / w - 1,
            "log1mx": lambda: (_xlogx(1 - lo) - _xlogx(1 - hi)) / w - 1,
            "mgf": lambda: (sp.exp(arg * hi) - sp.exp(arg * lo)) / (arg * w)}.get(kind)


def _lognormal(f, kind, arg):
    m, s = f.loc, f.scale
    return {"logx": lambda: m, "logx2": lambda: m**2 + s**2, "x": lambda: sp.exp(m + s**2 / 2)}.get(kind)


def _gumbel(f, kind, arg):
    m, s = f.loc, f.scale
    return {"x": lambda: m + s * sp.EulerGamma, "x2": lambda: (m + s * sp.EulerGamma) ** 2 + sp.pi**2 * s**2 / 6,
            "mgf": lambda: sp.gamma(1 - s * arg) * sp.exp(m * arg)}.get(kind)


def _halfnormal(f, kind, arg):
    s = f.scale
    return {"x": lambda: s * sp.sqrt(2) / sp.sqrt(sp.pi), "x2": lambda: s**2}.get(kind)


def _cauchy(f, kind, arg):
    m, g = f.loc, f.scale
    if kind != "logquad":
        return None
    L, c, d2 = arg
    return lambda: sp.log(L) + sp.log((g + sp.sqrt(d2)) ** 2 + (m - c) ** 2)


def _pareto(f, kind, arg):
    sc, a = f.scale, f.alpha
    return {"logx": lambda: sp.log(sc) + 1 / a,  # the moments of order >= alpha are infinite
            "x": lambda: sp.Piecewise((a * sc / (a - 1), a > 1), (sp.oo, True)),
            "x2": lambda: sp.Piecewise((a * sc**2 / (a - 2), a > 2), (sp.oo, True))}.get(kind)


def _bernoulli(f, kind, arg):
    return {"x": lambda: f.probs}.get(kind)


def _binomial(f, kind, arg):
    return {"x": lambda: f.total_count * f.probs}.get(kind)


def _geometric(f, kind, arg):
    return {"x": lambda: (1 - f.probs) / f.probs}.get(kind)


def _poisson(f, kind, arg):
    return {"x": lambda: f.rate}.get(kind)


TABLE: dict[str, Callable] = {
    "Normal": _normal, "Laplace": _laplace, "Exponential": _exponential, "Gamma": _gamma, "Beta": _beta,
    "Uniform": _uniform, "LogNormal": _lognormal, "Gumbel": _gumbel, "HalfNormal": _halfnormal, "Cauchy": _cauchy,
    "Pareto": _pareto, "Bernoulli": _bernoulli, "Binomial": _binomial, "Geometric": _geometric, "Poisson": _poisson,
}
"""Family name -> ``(family, kind, argument) -> thunk`` of the expectation (None: not in the table)."""


def moment(f, T: sp.Expr) -> sp.Expr | None:
    """``E[T(X)]`` under the family ``f`` from the table (1 for ``T = 1``), or None."""
    stat = classify(T, f.variable)
    if stat is None:
        return None
    if stat[0] == "one":
        return sp.Integer(1)
    entry = TABLE.get(f.name, lambda *a: None)(f, *stat)
    return None if entry is None else entry()


_t = sp.Symbol("t", real=True)
_u = sp.Symbol("u", positive=True)


def standardising(f) -> tuple | None:
    """A monotone substitution ``x = g(t)``, ``t`` in ``(lo, hi)``, that makes the moment integrals of
    ``f`` ones SymPy evaluates (the standard form of the family), or None."""
    name = f.name
    if name == "LogNormal":
        return (_t, sp.exp(f.loc + f.scale * _t), -sp.oo, sp.oo)
    if name == "Pareto":
        return (_u, f.scale * sp.exp(_u), sp.Integer(0), sp.oo)
    if name == "Gumbel":
        return (_u, f.loc - f.scale * sp.log(_u), sp.Integer(0), sp.oo)
    if name in ("Normal",):
        return (_t, f.loc + f.scale * _t, -sp.oo, sp.oo)
    return None
