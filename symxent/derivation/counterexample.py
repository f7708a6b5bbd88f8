"""Counterexamples: exact points of the declared domains where a claim is certified false.

Special points first (1, 0, 1/2, -1, 2 where they lie in the domain), then seeded random
rationals; n-event distributions get n = 2 or 3 and rational entries summing to 1. The
difference of the two sides is decided by its exact normal form (sums of logs of rationals) or
an interval enclosure that excludes 0 at up to 1024 bits, never by a float.
"""

from __future__ import annotations

import random
from typing import AbstractSet

import sympy as sp

from ..errors import InvalidNumberError, SymxentError, UnsupportedError
from .quantities import unfold

__all__ = ["search", "certified_sign", "refute", "is_probability_vector"]


_SPECIAL = (sp.Integer(1), sp.Integer(0), sp.Rational(1, 2), sp.Integer(-1), sp.Integer(2))


def _sample(dom: sp.Set, rng: random.Random, t: int = 99) -> sp.Expr:
    """Special points first (1, 0, 1/2, -1, 2 where they lie in the domain), then random rationals."""
    if t < len(_SPECIAL) and (dom is None or dom.contains(_SPECIAL[t]) is sp.true):
        return _SPECIAL[t]
    if isinstance(dom, sp.FiniteSet):
        return rng.choice(list(dom))
    if dom == sp.Reals or dom is None:
        return sp.Rational(rng.randint(-40, 40), rng.choice([1, 2, 3, 4, 5, 7, 10]))
    if isinstance(dom, sp.Interval):
        lo, hi = dom.start, dom.end
        if lo.is_finite and hi.is_finite:
            den = rng.randint(3, 24)
            return lo + (hi - lo) * sp.Rational(rng.randint(1, den - 1), den)
        if lo.is_finite:
            return lo + sp.Rational(rng.randint(1, 40), rng.choice([1, 2, 4, 8]))
        if hi.is_finite:
            return hi - sp.Rational(rng.randint(1, 40), rng.choice([1, 2, 4, 8]))
        return _sample(sp.Reals, rng)
    raise UnsupportedError(f"cannot sample the domain {dom}")


def _simplex(size: int, rng: random.Random) -> list:
    weights = [rng.randint(1, 12) for _ in range(size)]
    total = sum(weights)
    return [sp.Rational(w, total) for w in weights]


def _sizes(e: sp.Expr) -> set:
    return {lim[2] for s in e.atoms(sp.Sum) for lim in s.limits if isinstance(lim[2], sp.Symbol)}


def _instantiate(e: sp.Expr, point: dict, domains: dict, bases: list, rng: random.Random, size: int,
                 also: AbstractSet = frozenset(), step: int = 99, feasible=None) -> sp.Expr | None:
    sizes = _sizes(e)
    for s in sorted(sizes, key=str):
        point[s] = sp.Integer(size)
    e = e.xreplace({s: point[s] for s in sizes}).doit() if sizes else e  # search did doit() once
    for b in bases:
        entries = _simplex(size, rng)
        point.update({b[k + 1]: v for k, v in enumerate(entries)})
    for ix in sorted(e.atoms(sp.Indexed), key=str):
        if ix not in point:
            point[ix] = _sample(domains.get(ix, domains.get(ix.base, sp.Reals)), rng, step)
    labels = {ix.base.label for ix in e.atoms(sp.Indexed)}
    for s in sorted((e.free_symbols | {a for a in also if not a.is_integer}) - set(point) - labels, key=str):
        if isinstance(s, sp.Symbol):
            point[s] = _sample(domains.get(s, sp.Reals), rng, step)
    if feasible is not None and not feasible(point):
        return None  # checked before the (costly) substitution
    return e.xreplace(point)


def _contains(dom: sp.Set, v: sp.Rational) -> bool:
    """``v in dom``, for an interval by comparing rationals (SymPy's ``contains`` is slow)."""
    if isinstance(dom, sp.Interval):
        lo, hi = dom.start, dom.end
        return (lo < v if dom.left_open else lo <= v) and (v < hi if dom.right_open else v <= hi)
    return dom.contains(v) is sp.true


def _simplex_point(lists: tuple, domains: dict, rng: random.Random) -> dict:
    """Values of the lists' symbols that make each list a random rational probability vector,
    where its entries, linear in the symbols not yet fixed, can be solved for (inside their domains).

    >>> a, b = sp.symbols("a b")
    >>> pt = _simplex_point(((a, b, 1 - a - b),), {}, random.Random(1))
    >>> is_probability_vector((a, b, 1 - a - b), pt)
    True
    """
    point: dict = {}
    for entries in lists:
        exprs = [x.xreplace(point) if isinstance(x, sp.Basic) else sp.Rational(x) for x in entries]
        unknown = sorted(set().union(*(x.free_symbols for x in exprs)), key=str)
        if not unknown:
            continue
        target = _simplex(len(exprs), rng)
        try:
            solutions = sp.linsolve([x - w for x, w in zip(exprs, target)], unknown)
        except (ValueError, TypeError, NotImplementedError, sp.PolynomialError):
            continue
        if not isinstance(solutions, sp.FiniteSet) or len(solutions) != 1:
            continue
        values = next(iter(solutions))
        if all(v.is_Rational and (s not in domains or _contains(domains[s], v))
               for s, v in zip(unknown, values)):
            point.update(zip(unknown, values))
    return point


def certified_sign(e: sp.Expr) -> int | None:
    """-1, 0 or +1 when certified (0 only when exactly zero), else None.

    >>> certified_sign(sp.log(3) - sp.log(2)), certified_sign(sp.log(6) - sp.log(2) - sp.log(3))
    (1, 0)
    """
    from ..exact import closed_form
    from ..exact.interval import enclose

    if e.free_symbols or e.has(sp.nan, sp.zoo):
        return None
    if e.is_Rational:
        return int(sp.sign(e))
    normal = closed_form(e)
    if normal is not None and normal.is_Rational:
        return int(sp.sign(normal))
    for prec in (64, 256, 1024):
        try:
            lo, hi = enclose(normal if normal is not None else e, prec)
        except (InvalidNumberError, UnsupportedError, ZeroDivisionError):
            return None
        if lo > 0:
            return 1
        if hi < 0:
            return -1
    return None


def _fails(sign: int | None, rel: str) -> bool:
    if sign is None:
        return False
    return {"=": sign != 0, "!=": sign == 0, "<=": sign > 0, ">=": sign < 0, "<": sign >= 0, ">": sign <= 0}[rel]


def _digits(e: sp.Expr) -> str:
    from ..exact import evaluate
    try:
        return evaluate(e, 20).decimal
    except SymxentError:
        return str(e)


def is_probability_vector(entries, point: dict) -> bool:
    """Every entry at ``point`` is certified in (0, 1] and they sum to exactly 1 (rationals, or
    closed values such as a softmax of rationals: signs by enclosure, the sum by cancellation).

    >>> a, z = sp.Symbol("a"), sp.Symbol("z")
    >>> is_probability_vector((a, 1 - a), {a: sp.Rational(1, 3)}), is_probability_vector((a, 1 - a), {a: sp.Integer(2)})
    (True, False)
    >>> is_probability_vector((sp.exp(z) / (1 + sp.exp(z)), 1 / (1 + sp.exp(z))), {z: sp.Integer(3)})
    True
    """
    values = [v.xreplace(point) if isinstance(v, sp.Basic) else sp.Rational(v) for v in entries]
    if all(v.is_Rational for v in values):
        return all(0 < v <= 1 for v in values) and sum(values) == 1
    if any(v.free_symbols for v in values):
        return False
    if not all(certified_sign(v) == 1 and certified_sign(1 - v) in (0, 1) for v in values):
        return False
    total = sp.Add(*values)
    return total == 1 or certified_sign(total - 1) == 0 or sp.cancel(sp.together(total)) == 1


def search(L: sp.Expr, R: sp.Expr, rel: str, domains: dict, bases: list, samples: int = 40, seed: int = 0,
           lists: tuple = (), stats: dict | None = None):
    """The first sampled point where ``L REL R`` is certified false, with both sides there, or None.

    With ``lists`` (tuples of entries), only points where each is a probability vector count:
    most draws solve the lists' symbols for a random point of the simplex, the others sample the
    box of the domains (and are drawn again, up to 25 draws a sample, until feasible);
    ``stats["feasible"]`` receives how many points were tried, ``stats["points"]`` the points.
    """
    rng = random.Random(seed)
    diff = unfold(L) - unfold(R)
    if not _sizes(diff):
        diff = diff.doit()  # once here, not at every sample
    also = (unfold(L).free_symbols | unfold(R).free_symbols) - diff.free_symbols
    also |= {s for v in lists for x in v if isinstance(x, sp.Basic) for s in x.free_symbols}
    tried = 0

    def feasible(point: dict) -> bool:
        return all(is_probability_vector(v, point) for v in lists)

    for t in range(samples * (25 if lists else 1)):
        if tried >= samples:
            break
        point: dict = _simplex_point(lists, domains, rng) if lists and t >= len(_SPECIAL) and t % 3 != 2 else {}
        try:
            value = _instantiate(diff, point, domains, bases, rng, size=2 + t % 2, also=also, step=t,
                                 feasible=feasible if lists else None)
        except (SymxentError, TypeError, ValueError, ZeroDivisionError):
            continue
        if value is None:
            continue
        tried += 1
        if stats is not None:
            stats["feasible"] = tried
            stats.setdefault("points", []).append(point)
        if _fails(certified_sign(value), rel):
            at = {k: v for k, v in point.items()}
            lhs_v = unfold(L)
            rhs_v = unfold(R)
            sizes = {s: at[s] for s in _sizes(lhs_v - rhs_v) if s in at}
            lhs_v, rhs_v = (x.xreplace(sizes).doit().xreplace(at) for x in (lhs_v, rhs_v))
            return at, (_digits(lhs_v), _digits(rhs_v))
    return None


def refute(before: sp.Expr, after: sp.Expr, relation: str, assumptions: tuple, seconds: float = 2.0) -> str | None:
    """A point (as text) where ``before REL after`` is certified false under the assumptions; "" when
    none was found, None when the assumptions cannot be sampled.

    Only for assumptions that are domains, normalisations and equalities of a symbol to a value:
    anything else (an index range, ``q_j != p_j``) could not be honoured by sampling, so no search.

    >>> from symxent.derivation.context import in_interval
    >>> x = sp.Symbol("x", real=True)
    >>> refute(sp.log(x**2), 2 * sp.log(x) + 1, "=", (in_interval(x, sp.Interval.open(0, sp.oo)),))
    'x = 1 (there 0 vs 1.0000000000000000000)'
    """
    from .bound import OutOfTime, time_limit
    from .quantities import Quantity

    domains, bases, subs = {}, [], {}
    for a in assumptions:
        r = a.relation
        if a.domain is not None and isinstance(a.subject, (sp.Symbol, sp.Indexed)):
            domains[a.subject if isinstance(a.subject, sp.Symbol) else a.subject.base] = a.domain
        elif isinstance(r, sp.Equality) and isinstance(r.lhs, sp.Sum) and r.rhs == 1:
            bases.append(r.lhs.function.base if isinstance(r.lhs.function, sp.Indexed) else None)
        elif isinstance(r, sp.Equality) and isinstance(r.lhs, (sp.Symbol, sp.Indexed)) and not r.rhs.free_symbols:
            subs[r.lhs] = r.rhs
        else:
            return None
    for q in (before - after).atoms(Quantity):
        bases += [b for b in q.args if isinstance(b, sp.IndexedBase)]
    bases = [b for b in dict.fromkeys(bases) if b is not None]
    try:
        with time_limit(seconds):
            found = search(unfold(before).xreplace(subs), unfold(after).xreplace(subs), relation, domains, bases,
                           samples=20)
    except (OutOfTime, SymxentError, TypeError, ValueError):
        return ""
    if found is None:
        return ""
    point, (lhs, rhs) = found
    return ", ".join(f"{k} = {v}" for k, v in point.items()) + f" (there {lhs} vs {rhs})"
