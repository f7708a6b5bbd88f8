"""What a derivation may use: its assumptions, read into sign facts and normalisation lemmas."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .algebra import Facts
from .core import Assumption

__all__ = ["Context", "context_of", "positive", "in_interval", "normalised", "holds"]


@dataclass(frozen=True)
class Context:
    """Assumptions of a derivation, with the facts the rules read from them."""

    assumptions: tuple[Assumption, ...] = ()
    facts: Facts = field(default_factory=Facts)
    totals: dict = field(default_factory=dict)  # Sum(p[i], (i,1,n)) -> 1

    def holds(self, relation: sp.Basic) -> bool:
        """``relation`` is one of the stated assumptions."""
        return any(a.relation == relation for a in self.assumptions)


def context_of(assumptions: tuple[Assumption, ...]) -> Context:
    """Read assumptions into sign facts and normalisation lemmas.

    >>> x = sp.Symbol("x", real=True)
    >>> ctx = context_of((in_interval(x, sp.Interval.open(0, 1)),))
    >>> ctx.facts.is_positive(1 - x), ctx.facts.is_positive(x)
    (True, True)
    """
    pos: set[sp.Expr] = set()
    nonneg: set[sp.Expr] = set()
    nonzero: set[sp.Expr] = set()
    equal: list = []
    totals: dict = {}
    for a in assumptions:
        if a.domain is not None:
            _domain_facts(a.subject, a.domain, pos, nonneg)
        r = a.relation
        if r is None:
            continue
        if isinstance(r, (sp.StrictGreaterThan, sp.StrictLessThan)):
            pos.add(sp.expand(r.gts - r.lts))
        elif isinstance(r, (sp.GreaterThan, sp.LessThan)):
            nonneg.add(sp.expand(r.gts - r.lts))
        elif isinstance(r, sp.Unequality):
            nonzero.add(sp.expand(r.lhs - r.rhs))
        elif isinstance(r, sp.Equality):
            equal.append((r.lhs, r.rhs))
            if isinstance(r.lhs, sp.Sum):
                totals[r.lhs] = r.rhs
    facts = Facts(frozenset(pos), frozenset(nonneg), frozenset(nonzero), tuple(equal))
    return Context(tuple(assumptions), facts, totals)


def _domain_facts(x: sp.Expr, dom: sp.Set, pos: set, nonneg: set) -> None:
    if isinstance(dom, sp.Interval):
        if dom.start.is_finite:
            (pos if dom.left_open else nonneg).add(sp.expand(x - dom.start))
        if dom.end.is_finite:
            (pos if dom.right_open else nonneg).add(sp.expand(dom.end - x))
    elif isinstance(dom, sp.FiniteSet) and all(v.is_real for v in dom):
        lo, hi = min(dom), max(dom)
        (pos if lo > 0 else nonneg).add(sp.expand(x - lo)) if lo >= 0 else None
        (pos if hi < 1 else nonneg).add(sp.expand(1 - x)) if hi <= 1 else None


def in_interval(x: sp.Expr, dom: sp.Set, text: str | None = None) -> Assumption:
    """``x`` lies in ``dom`` (a SymPy set)."""
    return Assumption(x, text or f"{sp.latex(x)} \\in {sp.latex(dom)}", domain=dom)


def positive(x: sp.Expr, text: str | None = None) -> Assumption:
    """``x > 0``."""
    return Assumption(x, text or f"{sp.latex(x)} > 0", domain=sp.Interval.open(0, sp.oo))


def normalised(d) -> Assumption:
    """A symbolic distribution sums to 1: ``Sum(p[i], (i, 1, n)) = 1``."""
    total = d.total()
    return Assumption(total, f"\\sum_{{{d.index}=1}}^{{{d.n}}} {sp.latex(d.term())} = 1", relation=sp.Eq(total, 1))


def holds(relation: sp.Basic, text: str | None = None) -> Assumption:
    """A relation that holds (``Ne(q[j], p[j])``, ``Eq(y, 1)``, ``Gt(s, 0)``)."""
    subject = relation.lhs if hasattr(relation, "lhs") else relation
    return Assumption(subject, text or sp.latex(relation), relation=relation)
