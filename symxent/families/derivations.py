"""Entropy and KL divergence of parametric families, derived step by step from the definition.

``KL(P || Q) = E_P[log p(X) - log q(X)]``: the log densities are written out and expanded by the
logarithm laws into a linear combination of statistics (``X``, ``X^2``, ``log X``, ``|X - c|``
...), linearity of the integral splits it, each expectation is replaced by its entry in the
moments table (a lemma proved by SymPy's integration, from the recorded run of
:mod:`~symxent.families.records` when there is one, so the verdict never depends on the clock), and the terms are
collected. When the support of P is not inside that of Q, the derivation proves ``+oo`` instead
(rule ``support_mismatch``). Nothing is typed in: :func:`plan` computes each step, the engine
checks it, and the closed form the registry evaluates is the derivation's right-hand side.

>>> from symxent.families import Exponential
>>> d = kl_derivation(Exponential, Exponential)
>>> d.status, d.rhs
('proved', log(lambda_1) - log(lambda_2) - 1 + lambda_2/lambda_1)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

from ..derivation.algebra import split_factors
from ..derivation.context import holds, in_interval, positive
from ..derivation.core import Assumption, Derivation
from ..derivation.engine import Proof
from ..derivation.quantities import Quantity
from . import rules  # noqa: F401  (registers the family rules in the engine)
from .base import COUNT, POSITIVE, REAL, UNIT, Family, x
from .moments import moment, standardising
from .series import name_series

__all__ = ["Law", "FamilyKL", "FamilyEntropy", "generic", "plan", "kl_derivation", "entropy_derivation",
           "support_cases", "moment_lemma"]

_LETTERS = {"loc": "mu", "scale": "sigma", "rate": "lambda", "concentration": "alpha", "concentration1": "alpha",
            "concentration0": "beta", "low": "a", "high": "b", "alpha": "alpha", "probs": "p", "total_count": "n"}


def _classes() -> dict[str, type[Family]]:
    from . import continuous, discrete

    return {name: getattr(mod, name) for mod in (continuous, discrete) for name in mod.__all__}


def law(f: Family) -> sp.Expr:
    """The family as a SymPy object ``Normal(mu, sigma)`` (an applied function of its parameters)."""
    return sp.Function(f.name)(*f.params.values())


Law = law


def family_of(expr: sp.Expr) -> Family:
    """The :class:`Family` a :func:`law` stands for (symbolic parameters, not validated again)."""
    cls = _classes()[type(expr).__name__]
    f: Family = object.__new__(cls)
    f.params = dict(zip(cls.PARAMS, expr.args))
    return f


class FamilyKL(Quantity):
    """``KL(P || Q)`` of two laws, defined as the integral (sum) of ``p log(p/q)`` over the support of P."""

    nargs = 2

    def families(self) -> tuple[Family, Family]:
        return family_of(self.args[0]), family_of(self.args[1])

    def unfold(self) -> sp.Expr:
        P, Q = self.families()
        return _over(P, P.density() * sp.log(P.density() / Q.density(P.variable)))

    def _latex(self, printer) -> str:
        a, b = (printer._print(v) for v in self.args)
        return f"D_{{\\mathrm{{KL}}}}\\left({a} \\,\\|\\, {b}\\right)"

    def _sympystr(self, printer) -> str:
        return "KL(%s, %s)" % tuple(printer._print(v) for v in self.args)


class FamilyEntropy(Quantity):
    """``H(P)`` of a law, defined as ``-`` the integral (sum) of ``p log p`` over its support."""

    nargs = 1

    def families(self) -> tuple[Family]:
        return (family_of(self.args[0]),)

    def unfold(self) -> sp.Expr:
        (P,) = self.families()
        return -_over(P, P.density() * sp.log(P.density()))

    def _latex(self, printer) -> str:
        return f"H\\left({printer._print(self.args[0])}\\right)"

    def _sympystr(self, printer) -> str:
        return "H(%s)" % printer._print(self.args[0])


def _over(P: Family, body: sp.Expr) -> sp.Expr:
    return (sp.Sum if P.kind == "discrete" else sp.Integral)(body, P.limits())


# --- generic parameters and their assumptions ---------------------------------------------------
def generic(cls: type[Family], suffix: str = "", shared: dict | None = None) -> tuple[Family, tuple[Assumption, ...]]:
    """``cls`` at symbolic parameters (``mu_1``, ``sigma_1`` ...) with the assumptions of their domains."""
    params, out = {}, []
    for name, dom in cls.PARAMS.items():
        if shared and name in shared:
            params[name] = shared[name]
            continue
        letter = _LETTERS[name] + (f"_{suffix}" if suffix else "")
        if dom is POSITIVE:
            s = sp.Symbol(letter, positive=True)
            out.append(positive(s))
        elif dom is UNIT:
            s = sp.Symbol(letter, real=True)
            out.append(in_interval(s, sp.Interval.open(0, 1)))
        elif dom is COUNT:
            s = sp.Symbol(letter, integer=True, positive=True)
        else:
            s = sp.Symbol(letter, real=True)
        params[name] = s
    f: Family = object.__new__(cls)
    f.params = params
    if cls.__name__ == "Uniform":
        out.append(holds(sp.Lt(f.low, f.high)))
    return f, tuple(out)


# --- the plan: every intermediate expression, computed --------------------------------------------
@dataclass(frozen=True)
class Plan:
    """The expressions of a derivation: integrand written out, expanded, split, and the moments."""

    start: sp.Expr          # the integral of p log(p/q) (or -p log p)
    expanded: sp.Expr       # the integral of p times the expanded linear combination
    split: sp.Expr          # sum of coefficient * integral of T p
    terms: tuple            # (T, coefficient, moment or None)
    closed: sp.Expr         # the value after the moments


def _expand_log(e: sp.Expr) -> sp.Expr:
    return sp.expand(sp.expand_log(e, force=True))


def _linear_terms(L: sp.Expr, v: sp.Symbol) -> dict:
    """``L`` as ``{statistic: coefficient}`` (the statistic 1 for the constant)."""
    out: dict = {}
    for term in sp.Add.make_args(L):
        coeff, stat = split_factors(term, v)
        key = sp.Mul(*stat)
        out[key] = out.get(key, 0) + sp.Mul(*coeff)
    expanded = {T: sp.expand(c) for T, c in out.items()}
    return {T: c for T, c in expanded.items() if c != 0}


def plan(P: Family, Q: Family | None) -> Plan:
    """The steps of ``KL(P || Q)`` (or of ``H(P)`` when Q is None), computed.

    >>> from symxent.families import Normal
    >>> m, s = sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    >>> sp.expand(plan(Normal(m, s), None).closed)
    log(s) + log(2)/2 + 1/2 + log(pi)/2
    """
    v, p = P.variable, P.density()
    if Q is None:
        start = -_over(P, p * sp.log(p))
        L = _expand_log(-sp.log(p))
    else:
        q = Q.density(v)
        start = _over(P, p * sp.log(p / q))
        L = _expand_log(sp.log(p) - sp.log(q))
    stats = _linear_terms(L, v)
    expanded = _over(P, p * sp.Add(*(c * T for T, c in stats.items())))
    terms = tuple((T, c, moment(P, T)) for T, c in stats.items())
    split = sp.Add(*(c * _over(P, T * p) for T, c, _ in terms))
    closed = sp.Add(*(c * (m if m is not None else _over(P, T * p)) for T, c, m in terms))
    return Plan(start, expanded, split, terms, closed)


# --- the derivations ------------------------------------------------------------------------------
def _support_assumptions(P: Family, Q: Family | None) -> tuple[Assumption, ...]:
    """The variable ranges over the support of P (inside that of Q): what the logarithm laws may use."""
    v = P.variable
    out = []
    for f in [P] + ([Q] if Q is not None else []):
        if f.name == "Binomial":
            c = sp.binomial(f.total_count, v)
            out.append(positive(c, f"{sp.latex(c)} > 0 \\text{{ for }} 0 \\le {v} \\le {sp.latex(f.total_count)}"))
    if P.kind == "discrete":
        return tuple(dict.fromkeys(out))
    for lo, hi in [P.support()] + ([Q.support()] if Q is not None else []):
        if (lo, hi) != (-sp.oo, sp.oo):
            out.append(in_interval(v, sp.Interval.open(lo, hi), f"x \\in ({sp.latex(lo)}, {sp.latex(hi)})"))
    return tuple(dict.fromkeys(out))


@cache
def moment_lemma(P: Family, T: sp.Expr, value: sp.Expr, assumptions: tuple) -> Derivation:
    """``E_P[T(X)] = value`` (a table entry), checked by SymPy's integration (rule ``moment``)."""
    lhs = _over(P, T * P.density())
    return (Proof(f"moment_{P.name.lower()}", f"E[{T}] under {P.name}", lhs, "=", value, assumptions)
            .step(value, "moment", f"the moments table: E[{T}] under {P.name}", sub=standardising(P)).qed())


def _finish(proof: Proof, pl: Plan, P: Family, assumptions: tuple) -> Derivation:
    proof.step(pl.expanded, "log_laws", "write out the log densities and expand them by the logarithm laws")
    proof.step(pl.split, "sum_linearity", "linearity of expectation: one integral (sum) per statistic")
    current = pl.split
    for T, c, m in pl.terms:
        if m is None:
            continue
        current = current - c * _over(P, T * P.density()) + c * m
        what = "the density sums to 1" if T == 1 else f"the moment E[{T}] of {P.name}"
        proof.step(current, "lemma", what, lemma=moment_lemma(P, T, m, assumptions), subs={}, factor=c)
    rhs = _tidy(current)
    if rhs != current:
        proof.step(rhs, "normal_form", "collect the terms")
    named = name_series(rhs)
    if named != rhs:
        proof.step(named, "series_definition", "name the series: it has no closed form; its value is certified "
                   "by partial sums with a rigorous tail bound")
        rhs = named
    proof.rhs = rhs
    return proof.qed()


def _tidy(e: sp.Expr) -> sp.Expr:
    from ..derivation.bound import OutOfTime, bounded

    try:
        return bounded(lambda: sp.expand(sp.expand_log(e, force=True)), seconds=3.0)
    except OutOfTime:
        return e


def entropy_derivation(cls: type) -> Derivation:
    """``H(P)`` for the family ``cls``, at generic parameters."""
    return _entropy(cls)


@cache
def _entropy(cls: type) -> Derivation:
    P, assumptions = generic(cls)
    assumptions = assumptions + _support_assumptions(P, None)
    pl = plan(P, None)
    lhs = FamilyEntropy(law(P))
    proof = Proof(f"entropy_{cls.__name__.lower()}", f"entropy of the {cls.__name__} family", lhs, "=", sp.nan,
                  assumptions)
    proof.step(pl.start, "definition", "definition: minus the expectation of log p")
    return _finish(proof, pl, P, assumptions)


def support_cases(P: Family, Q: Family) -> list[tuple[str, tuple, tuple | None]]:
    """The cases of ``KL(P || Q)``: ``("inside", relations, None)`` and ``("outside", relations, piece)``.

    A support inclusion provable from the domains gives one case; one provably false gives only
    "outside"; an undecided one gives the inside case under it and an outside case per failure.
    """
    (a, b), (c, d) = P.support(), Q.support()
    left = True if c == -sp.oo else (False if a == -sp.oo else _decide(a - c))
    right = True if d == sp.oo else (False if b == sp.oo else _decide(d - b))
    discrete = P.kind == "discrete"
    left_piece = (a, a) if discrete else (a, c if b == sp.oo else sp.Min(b, c))
    right_piece = (b if b != sp.oo else d + 1,) * 2 if discrete else (d if a == -sp.oo else sp.Max(a, d), b)
    if left is False:
        return [("outside", (), left_piece)]
    if right is False:
        return [("outside", (), right_piece)]
    inside_rel: list[Any] = []
    out: list[tuple[str, tuple, tuple | None]] = []
    if left is None:
        inside_rel.append(sp.Ge(a, c))
        out.append(("outside", (sp.Lt(a, c),), left_piece))
    if right is None:
        inside_rel.append(sp.Le(b, d))
        out.append(("outside", (sp.Gt(b, d),), right_piece))
    return [("inside", tuple(inside_rel), None)] + out


def _decide(e: sp.Expr) -> bool | None:
    if e.is_nonnegative:
        return True
    if e.is_negative:
        return False
    return None


def kl_derivation(p_cls: type, q_cls: type, case: int = 0) -> Derivation:
    """``KL(P || Q)`` for the families ``p_cls``, ``q_cls`` at generic parameters, in support case ``case``."""
    return _kl(p_cls, q_cls, case)


def kl_name(p_cls: type, q_cls: type, case: int = 0) -> str:
    P, _ = generic(p_cls, "1")
    Q, _ = generic(q_cls, "2", _shared(p_cls, q_cls, P))
    kind, rel, _ = support_cases(P, Q)[case]
    base = f"kl_{p_cls.__name__.lower()}_{q_cls.__name__.lower()}"
    return base if kind == "inside" and case == 0 else f"{base}_{'outside' if kind == 'outside' else 'case'}{case}"


def _shared(p_cls: type[Family], q_cls: type, P: Family | None) -> dict | None:
    if p_cls is q_cls and "total_count" in p_cls.PARAMS:  # Binomial: the same number of trials
        return {"total_count": sp.Symbol("n", integer=True, positive=True)}
    return None


@cache
def _kl(p_cls: type, q_cls: type, case: int) -> Derivation:
    shared = _shared(p_cls, q_cls, None)
    P, ap = generic(p_cls, "1", shared)
    Q, aq = generic(q_cls, "2", shared)
    kind, relations, piece = support_cases(P, Q)[case]
    assumptions = ap + aq + tuple(holds(r) for r in relations)
    lhs = FamilyKL(law(P), law(Q))
    name = kl_name(p_cls, q_cls, case)
    title = f"KL divergence of {p_cls.__name__} from {q_cls.__name__}"
    if kind == "outside":
        return (Proof(name, title + " (support of P not inside that of Q)", lhs, "=", sp.oo, assumptions)
                .step(sp.oo, "support_mismatch", "P puts positive probability where q = 0", piece=piece).qed())
    assumptions = assumptions + _support_assumptions(P, Q)
    pl = plan(P, Q)
    proof = Proof(name, title, lhs, "=", sp.nan, assumptions)
    proof.step(pl.start, "kl_on_support", "definition of KL, over the support of P (inside that of Q)")
    return _finish(proof, pl, P, assumptions)
