"""An exercise as data: what the question says, and the checked derivations that solve it.

The question and its solution come from one object, so they cannot drift apart. The solution
is a sequence of :class:`Part` — a derivation with the certified decimal closing it — and an
:class:`Exercise` refuses to exist unless every one of those derivations is proved by the
machine: a solution whose steps symxent could not check cannot be built, hence not printed.
The answer is the right-hand side of the last derivation, computed, never typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..derivation import Derivation
from ..errors import SymxentError
from ..render.document import Approximation, Given
from ..worked import WorkedExample

__all__ = ["Settings", "Part", "Exercise", "SheetError", "UnprovedSolution", "part_of"]


@dataclass(frozen=True)
class Settings:
    """What every exercise of a sheet shares: the level of niceness, the log base, the digits."""

    level: str
    base: sp.Expr
    digits: int

    @property
    def unit(self) -> str:
        from ..logbase import unit_of

        return unit_of(self.base)

    @property
    def base_text(self) -> str:
        """How a question names the base: ``base $2$``, ``base $e$``."""
        return "base $e$" if self.base == sp.E else f"base ${self.base}$"


class SheetError(SymxentError):
    """A sheet that cannot be drawn as asked (too many exercises of a kind at a level, ...)."""


class UnprovedSolution(SymxentError):
    """A solution with a step the machine did not verify (never printed)."""


@dataclass(frozen=True)
class Part:
    """One checked derivation of a solution, with what it starts from and its certified decimal."""

    derivation: Derivation
    given: tuple[Given, ...] = ()
    approx: Approximation | None = None


def part_of(ex: WorkedExample) -> Part:
    """The solution part of a worked example: its derivation, givens and certified value."""
    return Part(ex.derivation, ex.given, ex.approximation)


@dataclass(frozen=True)
class Exercise:
    """A question (LaTeX-in-dollars prose, the same for LaTeX and Markdown) and its solution.

    ``numbers`` are the probabilities (or other inputs) the question gives, for the quality
    checks; ``answer`` is the exact answer and ``value`` its certified decimal with ``unit``;
    ``verdict`` is a closing sentence of the solution (the claim kind says why it is false).
    """

    kind: str
    title: str
    prompt: str
    parts: tuple[Part, ...]
    answer: sp.Expr
    value: str
    unit: str
    numbers: tuple[sp.Expr, ...] = ()
    verdict: str = ""

    def __post_init__(self) -> None:
        for part in self.parts:
            if not part.derivation.proved:
                raise UnprovedSolution(f"the solution of a {self.kind!r} exercise has a step symxent did not "
                                       f"verify ({part.derivation.title!r}): it is not printed")
        if not self.parts:
            raise UnprovedSolution(f"a {self.kind!r} exercise has no derivation to show")
