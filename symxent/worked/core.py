"""A worked example as data, and how each of its steps is checked exactly."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..derivation import Derivation, Step
from ..derivation.core import StepStatus
from ..exact import CertifiedValue, closed_form
from ..render.document import Approximation, FigureRef, Given

__all__ = ["WorkedExample", "check", "chain"]

_i = sp.Symbol("i", integer=True, positive=True)


@dataclass(frozen=True)
class WorkedExample:
    """A checked derivation for given numbers, with its certified decimal value."""

    name: str
    derivation: Derivation
    given: tuple[Given, ...]
    value: CertifiedValue
    unit: str

    @property
    def approximation(self) -> Approximation | None:
        """The certified decimal closing the derivation (None when the value is infinite)."""
        if self.value.expr in (sp.oo, -sp.oo):
            return None
        return Approximation(self.value.decimal, self.value.digits, self.unit)

    def to_latex(self, *, standalone: bool = False, figure: FigureRef | None = None) -> str:
        from ..render.document import derivation_latex

        return derivation_latex(self.derivation, standalone=standalone, given=self.given, approx=self.approximation,
                                figure=figure)

    def to_markdown(self, *, figure: FigureRef | None = None) -> str:
        from ..render.markdown import derivation_markdown

        return derivation_markdown(self.derivation, given=self.given, approx=self.approximation, figure=figure)

    def to_text(self, *, figure: FigureRef | None = None) -> str:
        from ..render.plain import derivation_text

        return derivation_text(self.derivation, given=self.given, approx=self.approximation, figure=figure)

    def _repr_latex_(self) -> str:
        from ..render.document import derivation_display

        return derivation_display(self.derivation, approx=self.approximation)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def check(before: sp.Expr, after: sp.Expr) -> tuple[StepStatus, str]:
    """("verified"|"failed"|"unverified", how) for two exact numeric values."""
    if before in (sp.oo, -sp.oo) or after in (sp.oo, -sp.oo):
        return ("verified", "both sides are the same infinity") if before == after else \
            ("failed", f"{before} != {after}")
    diff = closed_form(sp.Add(before, -after))
    if diff is None:
        return "unverified", "outside the exact log-linear normal form"
    if diff == 0:
        return "verified", "exact: the difference is 0 in the normal form r + sum c_p log p"
    return "failed", f"the two sides differ by {diff}"


def _step(before: sp.Expr, after: sp.Expr, why: str, value_of) -> Step:
    status, detail = check(value_of(before), value_of(after))
    return Step(before, after, "=", why, status=status, detail=detail)


def chain(lhs: sp.Expr, rewrites: list[tuple[sp.Expr, str]], value_of) -> list[Step]:
    """Steps lhs = e1 = e2 = ..., dropping a rewrite that leaves the expression as it was."""
    steps, current = [], lhs
    for after, why in rewrites:
        if after == current:
            continue
        steps.append(_step(current, after, why, value_of))
        current = after
    return steps
