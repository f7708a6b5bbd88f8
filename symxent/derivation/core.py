"""Derivations as data: immutable steps, each with its justification and its own check.

A :class:`Step` says ``before REL after`` because of a rule, under stated assumptions, and
records whether the machine verified it. A :class:`Derivation` chains steps from the left-hand
side of a statement to its right-hand side; it is *proved* only when every step is verified,
the chain links up, and the relations compose to the statement's relation. The engine that
builds and verifies steps lives beside this module; renderers only read these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sympy as sp

__all__ = ["Relation", "StepStatus", "Assumption", "Step", "Derivation", "compose_relations"]

Relation = Literal["=", "<=", ">=", "<", ">", "!="]
StepStatus = Literal["verified", "unverified", "failed"]

_ORDER = {"=": 0, "<=": -1, "<": -1, ">=": 1, ">": 1}


@dataclass(frozen=True)
class Assumption:
    """A hypothesis a derivation relies on: a symbol's domain, or a relation that holds.

    ``subject`` is the symbol or expression, ``domain`` a SymPy set it lies in (or None),
    ``relation`` a SymPy relational that holds (or None), ``text`` how a reader says it.
    """

    subject: sp.Expr
    text: str
    domain: sp.Set | None = None
    relation: sp.Basic | None = None


@dataclass(frozen=True)
class Step:
    """One step ``before REL after``, justified by ``rule`` and checked by the machine.

    ``status`` is "verified" only when the check passed; "unverified" marks a step the machine
    could not check (renderers label it so), "failed" one it refuted. ``detail`` says how it was
    checked or why it failed (a counterexample, for instance).
    """

    before: sp.Expr
    after: sp.Expr
    relation: Relation
    justification: str
    rule: str = ""
    assumptions: tuple[Assumption, ...] = ()
    status: StepStatus = "unverified"
    detail: str = ""

    @property
    def verified(self) -> bool:
        return self.status == "verified"


def compose_relations(relations: list[str]) -> str | None:
    """The relation a chain of steps establishes, or None if they do not compose.

    >>> compose_relations(["=", "<=", "=", "<"])
    '<'
    >>> compose_relations(["<=", ">="]) is None
    True
    """
    direction, strict = 0, False
    for rel in relations:
        if rel not in _ORDER:
            return None
        d = _ORDER[rel]
        if d and direction and d != direction:
            return None
        direction = direction or d
        strict = strict or rel in ("<", ">")
    if direction == 0:
        return "="
    return {(-1, False): "<=", (-1, True): "<", (1, False): ">=", (1, True): ">"}[(direction, strict)]


@dataclass(frozen=True)
class Derivation:
    """A chain of steps proving ``lhs REL rhs`` under ``assumptions``.

    A derivation of a statement with several parts (``H(P,P) = H(P)`` and ``KL(P||P) = 0``)
    lists them in ``parts``; it is proved when each part is.
    """

    name: str
    title: str
    lhs: sp.Expr
    relation: Relation
    rhs: sp.Expr
    steps: tuple[Step, ...]
    assumptions: tuple[Assumption, ...] = ()
    parts: tuple["Derivation", ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def links_up(self) -> bool:
        """The chain starts at lhs, each step starts where the last ended, and it ends at rhs."""
        if not self.steps:
            return False
        chain = [self.lhs, *(s for st in self.steps for s in (st.before, st.after)), self.rhs]
        pairs = zip(chain[0::2], chain[1::2])
        return all(a == b or sp.simplify(a - b) == 0 for a, b in pairs)

    @property
    def status(self) -> Literal["proved", "unverified", "failed"]:
        """"proved" iff every step is verified, the chain links up and the relations compose."""
        if self.parts:
            states = {p.status for p in self.parts}
            return "failed" if "failed" in states else "unverified" if "unverified" in states else "proved"
        if any(s.status == "failed" for s in self.steps):
            return "failed"
        established = compose_relations([s.relation for s in self.steps])
        if not (self.links_up and all(s.verified for s in self.steps) and _implies(established, self.relation)):
            return "unverified"
        return "proved"

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    def first_unproved(self) -> Step | None:
        """The first step that is not verified (where a failed proof stops), if any."""
        return next((s for s in self.steps if not s.verified), None)

    def _repr_latex_(self) -> str:
        """Jupyter display: the steps as LaTeX (rendered by :mod:`symxent.render`)."""
        from ..render.api import repr_latex

        return repr_latex(self)

    def _repr_markdown_(self) -> str:
        """Jupyter display: the whole derivation as Markdown (rendered by :mod:`symxent.render`)."""
        from ..render.api import repr_markdown

        return repr_markdown(self)


def _implies(established: str | None, wanted: str) -> bool:
    if established is None:
        return False
    weaker = {"=": {"=", "<=", ">="}, "<": {"<", "<=", "!="}, ">": {">", ">=", "!="},
              "<=": {"<="}, ">=": {">="}}
    return wanted in weaker.get(established, set())
