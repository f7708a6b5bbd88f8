"""Side conditions of a claim over concrete lists, each its own checked step.

A list given to ``H``, ``CE``, ``KL`` or ``JS`` is a distribution: every entry in (0, 1] and the
entries summing to 1. Each condition becomes a one-step part of the claim's derivation, checked
by its rule: ``sign_facts`` when it follows from the declared domains (``p in (0, 1)`` gives
``1 - p > 0``), ``algebra`` when the entries add up to 1 identically, and ``assumption`` when it
is only the list's implicit constraint, stated as an assumption of the claim.
"""

from __future__ import annotations

import sympy as sp

from .core import Assumption, Derivation, Relation
from .engine import Proof

__all__ = ["side_conditions", "with_side_conditions"]


def _str(x: sp.Expr) -> str:
    return sp.sstr(x, order="none")


def _shown(entries: tuple) -> str:
    return "[" + ", ".join(_str(x) for x in entries) + "]"


def _bound(x: sp.Expr, rel: Relation, bound: sp.Expr, title: str, name: str, domains: tuple,
           stated: tuple) -> Derivation:
    derived = Proof(name, title, x, rel, bound, domains).step(
        bound, "sign_facts", "follows from the domains", rel).qed()
    if derived.proved:
        return derived
    return Proof(name, title, x, rel, bound, stated).step(
        bound, "assumption", "the list's implicit constraint, a stated assumption", rel).qed()


def side_conditions(lists: tuple, domains: tuple[Assumption, ...], stated: tuple[Assumption, ...]) -> tuple[Derivation, ...]:
    """One checked part per condition: each entry ``> 0`` and ``<= 1``, each list's sum ``= 1``.

    ``domains`` are the assumptions the conditions should follow from (the declared domains);
    ``stated`` all the claim's assumptions, the lists' implicit constraints included.

    >>> from symxent.derivation.context import in_interval
    >>> p = sp.Symbol("p", real=True)
    >>> dom = (in_interval(p, sp.Interval.open(0, 1)),)
    >>> [(d.lhs, d.relation, d.rhs, d.steps[0].rule, d.proved) for d in side_conditions(((p, 1 - p),), dom, dom)][1:3]
    [(p, '<=', 1, 'sign_facts', True), (1 - p, '>', 0, 'sign_facts', True)]
    """
    parts: list[Derivation] = []
    seen: set = set()
    for entries in lists:
        title = f"{_shown(entries)} is a distribution"
        for x in entries:
            ends: tuple[tuple[Relation, sp.Expr], ...] = ((">", sp.Integer(0)), ("<=", sp.Integer(1)))
            for rel, bound in ends:
                if (x, rel) in seen:
                    continue
                seen.add((x, rel))
                parts.append(_bound(x, rel, bound, f"{title}: {_str(x)} {rel} {bound}", f"claim.side{len(parts) + 1}",
                                    domains, stated))
        total = sp.Add(*entries, evaluate=False)
        name, sub = f"claim.side{len(parts) + 1}", f"{title}: its entries sum to 1"
        if sp.expand(sp.Add(*entries)) == 1:
            parts.append(Proof(name, sub, total, "=", sp.Integer(1), domains).step(
                sp.Integer(1), "algebra", "the entries add up to 1").qed())
        else:
            parts.append(Proof(name, sub, total, "=", sp.Integer(1), stated).step(
                sp.Integer(1), "assumption", "the list is a distribution, a stated assumption").qed())
    return tuple(parts)


def with_side_conditions(d: Derivation, sides: tuple[Derivation, ...]) -> Derivation:
    """The claim's derivation with its side conditions as parts before it (proved iff all are)."""
    if not sides:
        return d
    main = d.parts or (d,)
    assumptions = tuple(dict.fromkeys([*d.assumptions, *(a for p in sides for a in p.assumptions)]))
    return Derivation(d.name, d.title, d.lhs, d.relation, d.rhs, (), assumptions, (*sides, *main), d.notes)
