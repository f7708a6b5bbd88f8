"""The KL / cross-entropy / entropy registry: which pairs are derived, and their values.

Every value comes from a derivation's closed form (:mod:`symxent.families.derivations`) at
generic parameters, with the actual parameters substituted; ``log Gamma`` and digamma become
unevaluated functions first, so concentrations of 1e8 never build factorials. The support case
(inside, or ``+oo``) is chosen by deciding its conditions at the parameters; when a symbol
leaves them undecided the value is a ``Piecewise``. Cross-entropy is composed, never re-derived:
``H(P, Q) = H(P) + KL(P || Q)``.

>>> from symxent.families import Normal, Uniform
>>> kl_divergence(Normal(0, 1), Normal(1, 1))
1/2
>>> kl_divergence(Uniform(0, 2), Uniform(0, 1))
oo
>>> family("exponential", rate=2).entropy()
1 - log(2)
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sympy as sp

from ..errors import UnsupportedError, shown
from . import continuous as C
from . import discrete as D
from .base import Family
from .multivariate import Dirichlet, MultivariateNormal

__all__ = ["PAIRS", "SAME", "ENTROPIES", "family", "kl_divergence", "entropy", "cross_entropy", "is_derived",
           "FAMILIES"]

FAMILIES: dict[str, type] = {cls.__name__.lower(): cls for cls in (
    D.Bernoulli, D.Categorical, D.Binomial, D.Geometric, D.Poisson, C.Normal, MultivariateNormal, C.Exponential,
    C.Gamma, C.Beta, Dirichlet, C.Laplace, C.Uniform, C.LogNormal, C.Gumbel, C.HalfNormal, C.Cauchy, C.Pareto)}
"""Lower-case name -> family class (for :func:`family` and the CLI)."""

ENTROPIES = [C.Normal, C.Exponential, C.Gamma, C.Beta, C.Laplace, C.Uniform, C.LogNormal, C.Gumbel, C.HalfNormal,
             C.Cauchy, C.Pareto, D.Bernoulli, D.Binomial, D.Geometric, D.Poisson]
"""The univariate families whose entropy is derived."""

SAME = [(f, f) for f in ENTROPIES]
_CROSS_NAMES = """Bernoulli-Poisson Beta-Pareto Beta-Exponential Beta-Gamma Beta-Normal Beta-Uniform Exponential-Beta
Exponential-Pareto Exponential-Uniform Exponential-Gamma Exponential-Gumbel Exponential-Normal Gamma-Beta Gamma-Pareto
Gamma-Uniform Gamma-Exponential Gamma-Gumbel Gamma-Normal Gumbel-Beta Gumbel-Exponential Gumbel-Gamma Gumbel-Pareto
Gumbel-Uniform Gumbel-Normal Laplace-Beta Laplace-Exponential Laplace-Gamma Laplace-Pareto Laplace-Uniform
Laplace-Normal Normal-Beta Normal-Exponential Normal-Gamma Normal-Pareto Normal-Uniform Normal-Gumbel Normal-Laplace
Pareto-Beta Pareto-Uniform Pareto-Exponential Pareto-Gamma Pareto-Normal Poisson-Bernoulli Poisson-Binomial
Uniform-Beta Uniform-Exponential Uniform-Gamma Uniform-Gumbel Uniform-Normal Uniform-Pareto""".split()
CROSS = [tuple(getattr(C, n, None) or getattr(D, n) for n in pair.split("-")) for pair in _CROSS_NAMES]
PAIRS = SAME + CROSS
"""Every (P, Q) family pair whose KL is derived: the same-family pairs and torch's cross-family ones."""


def family(name: str, **params: Any) -> Family:
    """A family by its name (case-insensitive): ``family("normal", loc=0, scale=1)``.

    >>> family("Gamma", concentration="1e-8", rate=1)
    Gamma(concentration=1/100000000, rate=1)
    """
    cls = FAMILIES.get(str(name).lower()) if isinstance(name, str) else None
    if cls is None:
        raise UnsupportedError(f"family name={shown(name)} is not one of {', '.join(sorted(FAMILIES))}")
    return cls(**params)


def is_derived(p_cls: type, q_cls: type) -> bool:
    """``KL(p_cls || q_cls)`` has a derivation."""
    return (p_cls, q_cls) in PAIRS


@cache
def _cases(p_cls: type, q_cls: type):
    """Per support case: (relations, generic P, generic Q, closed form)."""
    from .derivations import _shared, _tidy, generic, plan, support_cases

    P, _ = generic(p_cls, "1", _shared(p_cls, q_cls, None))
    Q, _ = generic(q_cls, "2", _shared(p_cls, q_cls, None))
    out = []
    for kind, relations, _piece in support_cases(P, Q):
        value = sp.oo if kind == "outside" else _tidy(plan(P, Q).closed)
        out.append((relations, P, Q, value))
    return out


@cache
def _entropy_form(cls: type):
    from .derivations import _tidy, generic, plan
    from .series import name_series

    P, _ = generic(cls)
    return P, name_series(_tidy(plan(P, None).closed))


def _at(value: sp.Expr, subs: dict) -> sp.Expr:
    """``value`` at the parameters; where a parameter sits on the edge of a formula (``a log a`` at
    ``a = 0``) the value is the limit from inside the domain, where the divergence is continuous."""
    from ..exact.special import safe_special

    out = safe_special(value)
    direct = out.xreplace(subs)
    if direct.has(sp.nan, sp.zoo):
        for sym, val in subs.items():
            step = out.xreplace({sym: val})
            if step.has(sp.nan, sp.zoo):
                step = sp.limit(out, sym, val, "+")
            out = step
        direct = out
    return direct.doit() if _finite_sums(direct) else direct


def _finite_sums(e: sp.Expr) -> bool:
    return any(all(lim[2].is_number and lim[2].is_finite for lim in s.limits) for s in e.atoms(sp.Sum))


def _substitution(generic_f: Family, actual: Family) -> dict:
    return {g: a for g, a in zip(generic_f.params.values(), actual.params.values()) if g.is_Symbol}


def entropy(P: Family) -> sp.Expr:
    """``H(P)`` in nats, from the derivation of its family.

    >>> from symxent.families import Bernoulli
    >>> entropy(Bernoulli("1/2"))
    log(2)
    """
    if isinstance(P, MultivariateNormal):
        from .closed import mvn_entropy

        return mvn_entropy(P)
    if isinstance(P, Dirichlet):
        from .closed import dirichlet_entropy

        return dirichlet_entropy(P)
    if isinstance(P, D.Categorical) or (_finite(P) and _on_boundary(P)):
        from .. import measures

        return measures.entropy(_masses(P))
    if type(P) not in ENTROPIES:
        raise UnsupportedError(f"the entropy of {P.name} is not derived")
    g, value = _entropy_form(type(P))  # type: ignore[arg-type]  # mypy: a class is hashable even if it defines __hash__
    return _at(value, _substitution(g, P))


def kl_divergence(P: Family, Q: Family) -> sp.Expr:
    """``KL(P || Q)`` in nats, from the derivation of the pair (``+oo`` when supp P is not inside supp Q).

    >>> from symxent.families import Exponential, Gamma
    >>> kl_divergence(Exponential(1), Gamma(1, 1))
    0
    """
    if isinstance(P, MultivariateNormal) and isinstance(Q, MultivariateNormal):
        from .closed import mvn_kl

        return mvn_kl(P, Q)
    if isinstance(P, Dirichlet) and isinstance(Q, Dirichlet):
        from .closed import dirichlet_kl

        return dirichlet_kl(P, Q)
    if isinstance(P, D.Categorical) and isinstance(Q, D.Categorical):
        from .. import measures

        return measures.kl_divergence(P.params["probs"], Q.params["probs"])
    if not is_derived(type(P), type(Q)):
        raise UnsupportedError(f"KL({P.name} || {Q.name}) is not derived (no closed form registered)")
    if _finite(P) and (_on_boundary(P) or _on_boundary(Q)) and _finite(Q, allow_infinite=True):
        return _kl_by_masses(P, Q)
    if type(P) is D.Binomial and type(Q) is D.Binomial and P.total_count != Q.total_count:
        return _binomial_counts(P, Q)
    pieces: list[tuple[Any, Any]] = []
    for relations, gp, gq, value in _cases(type(P), type(Q)):  # type: ignore[arg-type]  # mypy: a class is hashable even if it defines __hash__
        subs = {**_substitution(gp, P), **_substitution(gq, Q)}
        conds = [sp.sympify(r.xreplace(subs)) for r in relations]  # safe: SymPy relationals, no text
        if any(c is sp.false for c in conds):
            continue
        cond = sp.And(*conds)
        if cond is sp.true:
            if not pieces:
                return _at(value, subs)
            pieces.append((_at(value, subs), True))
            break
        pieces.append((_at(value, subs), cond))
    if not pieces:
        raise UnsupportedError(f"KL({P!r} || {Q!r}): no support case applies")
    return sp.Piecewise(*pieces) if len(pieces) > 1 or pieces[0][1] is not True else pieces[0][0]


def cross_entropy(P: Family, Q: Family) -> sp.Expr:
    """``H(P, Q) = H(P) + KL(P || Q)`` in nats (composed from the two derivations).

    >>> from symxent.families import Normal
    >>> sp.expand(cross_entropy(Normal(0, 1), Normal(0, 1)) - entropy(Normal(0, 1)))
    0
    """
    kl = kl_divergence(P, Q)
    return sp.oo if kl == sp.oo else entropy(P) + kl


# --- finite supports: the definition as a finite sum handles probabilities 0 and 1 ---------------
def _finite(P: Family, allow_infinite: bool = False) -> bool:
    if P.kind != "discrete":
        return False
    lo, hi = P.support()
    return allow_infinite or (hi.is_number and hi.is_finite)


def _on_boundary(P: Family) -> bool:
    p = P.params.get("probs")
    return isinstance(p, sp.Expr) and (p == 0 or p == 1)


def _masses(P: Family, top: int | None = None) -> list:
    lo, hi = P.support()
    last = int(hi) if hi.is_finite else top
    assert last is not None, "an infinite support needs top"
    return [P.density(sp.Integer(i)) if i <= hi else sp.Integer(0) for i in range(int(lo), last + 1)]


def _kl_by_masses(P: Family, Q: Family) -> sp.Expr:
    from .. import measures

    n = int(P.support()[1])
    p = _masses(P, n)
    q = [Q.density(sp.Integer(i)) if i <= Q.support()[1] else sp.Integer(0) for i in range(n + 1)]
    return measures.kl_divergence(p, q) if sum(q) == 1 else _sub_normalised(p, q)


def _sub_normalised(p: list, q: list) -> sp.Expr:
    """``sum p log(p/q)`` where q is part of a distribution on more points (p is 0 there)."""
    total = sp.Integer(0)
    for pi, qi in zip(p, q):
        if pi == 0:
            continue
        if qi == 0:
            return sp.oo
        total += pi * sp.log(pi / qi)
    return total


def _binomial_counts(P: Family, Q: Family) -> sp.Expr:
    """Binomials with different ``total_count``: +oo when P's is larger, else the finite sum."""
    if P.total_count.is_number and Q.total_count.is_number:
        if P.total_count > Q.total_count:
            return sp.oo
        return _sub_normalised(_masses(P), [Q.density(sp.Integer(i)) for i in range(int(P.total_count) + 1)])
    raise UnsupportedError("KL between Binomials with different symbolic total_count is not derived")
