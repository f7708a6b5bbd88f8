"""Building derivations step by step: each step is checked by its rule as it is added.

>>> import sympy as sp
>>> x = sp.Symbol("x", positive=True)
>>> proof = Proof("demo", "log of a square", sp.log(x**2), "=", 2 * sp.log(x))
>>> proof.step(2 * sp.log(x), "log_laws", "log of a power").qed().status
'proved'
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .context import Context, context_of
from .core import Assumption, Derivation, Relation, Step
from .counterexample import refute
from .rules import check_step

__all__ = ["Proof", "combine"]

# rules whose "failed" is itself a refutation (two exactly equal values; a wrong critical point)
_REFUTING = {"certified_order", "convex_minimum"}


class Proof:
    """A derivation under construction: ``lhs`` rewritten step by step until ``rhs``."""

    def __init__(self, name: str, title: str, lhs: sp.Expr, relation: Relation, rhs: sp.Expr,
                 assumptions: tuple[Assumption, ...] = (), notes: tuple[str, ...] = ()) -> None:
        self.name, self.title, self.lhs, self.relation, self.rhs = name, title, lhs, relation, rhs
        self.assumptions = tuple(assumptions)
        self.notes = tuple(notes)
        self.ctx: Context = context_of(self.assumptions)
        self.current = lhs
        self.steps: list[Step] = []

    def step(self, after: sp.Expr, rule: str, why: str, relation: Relation = "=", *, refute_failed: bool = True,
             **params: Any) -> "Proof":
        """Add ``current REL after`` justified by ``rule`` (checked now) and move on to ``after``.

        A step the rule does not give is searched for a counterexample (``refute_failed``; a
        tactic trying forms turns it off: its failed attempt is only "unverified")."""
        status, detail = check_step(rule, self.current, after, relation, self.ctx, params)
        if status == "failed" and not refute_failed:
            status = "unverified"
        elif status == "failed" and rule not in _REFUTING:
            # the rule does not give this step; it is refuted only by a point where it is false
            point = refute(self.current, after, relation, self.assumptions)
            if point:
                detail += f"; counterexample: {point}"
            else:
                status, detail = "unverified", f"{detail} (the rule does not give this step; no counterexample found)"
        self.steps.append(Step(self.current, after, relation, why, rule, self.assumptions, status, detail))
        self.current = after
        return self

    def qed(self, parts: tuple[Derivation, ...] = ()) -> Derivation:
        """The finished derivation (its ``.status`` says whether it is proved)."""
        return Derivation(self.name, self.title, self.lhs, self.relation, self.rhs, tuple(self.steps),
                          self.assumptions, tuple(parts), self.notes)


def combine(name: str, title: str, parts: tuple[Derivation, ...], notes: tuple[str, ...] = ()) -> Derivation:
    """A statement of several parts: proved when each part is. Its lhs/rhs are the first part's."""
    first = parts[0]
    assumptions = tuple(dict.fromkeys(a for p in parts for a in p.assumptions))
    return Derivation(name, title, first.lhs, first.relation, first.rhs, (), assumptions, tuple(parts), notes)
