"""Draw a sheet: N exercises from a mix of kinds, reproducible from a seed.

Exercise k is of kind ``kinds[k % len(kinds)]`` (the mix, in the order given); its numbers come
from one generator seeded by the sheet's seed, so the same arguments give the same sheet, byte
for byte. A draw that does not fit (:mod:`.quality`) is replaced by the next draw of the same
kind; when a kind cannot give enough distinct exercises at a level, the error says so.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from ..errors import DomainError, shown
from ..logbase import as_base
from .claims import claim_exercise
from .distribution_kinds import cross_entropy_exercise, decomposition_exercise, entropy_exercise, kl_exercise
from .exercise import Exercise, Settings, SheetError
from .figures import Figure
from .families import family_kl_exercise
from .gaussian import gaussian_kl_exercise
from .loss_kinds import bce_logit_exercise, gaussian_nll_exercise, log_loss_exercise
from .numbers import LEVELS
from .quality import answer_key, problem

__all__ = ["KINDS", "MAX_EXERCISES", "Sheet", "SheetError", "make_sheet", "parse_kinds"]

KINDS: dict[str, Callable[[random.Random, Settings], Exercise]] = {
    "entropy": entropy_exercise,
    "cross-entropy": cross_entropy_exercise,
    "kl": kl_exercise,
    "decomposition": decomposition_exercise,
    "log-loss": log_loss_exercise,
    "bce-logit": bce_logit_exercise,
    "gaussian-nll": gaussian_nll_exercise,
    "claim": claim_exercise,
    "family-kl": family_kl_exercise,
    "gaussian-kl": gaussian_kl_exercise,
}
MAX_EXERCISES = 200
MAX_SHEET_DIGITS = 100  # decimals of a sheet: more would print, but nobody works them out by hand
_ATTEMPTS = 40  # draws of one kind before giving up on a distinct, fitting exercise


@dataclass(frozen=True)
class Sheet:
    """The exercises of a sheet and how they were drawn; rendered by :mod:`.render`."""

    exercises: tuple[Exercise, ...]
    settings: Settings
    seed: int
    kinds: tuple[str, ...]
    figures: bool = False  # figures in the solutions, when a plotting module draws them
    title: str = "Problem sheet: entropy, cross-entropy and KL divergence"

    def questions(self, format: str = "markdown") -> str:
        """The question sheet, as ``"latex"`` (a complete document) or ``"markdown"``."""
        from .render import render_sheet

        return render_sheet(self, format, solutions=False)

    def solutions(self, format: str = "markdown") -> str:
        """The solution sheet: every answer a checked derivation with its certified decimal."""
        from .render import render_sheet

        return render_sheet(self, format, solutions=True)

    def documents(self, stem: str = "sheet") -> dict[str, str]:
        """``{stem}-questions.tex/.md`` and ``{stem}-solutions.tex/.md``, by file name."""
        return {f"{stem}-{part}{suffix}": (self.solutions if part == "solutions" else self.questions)(fmt)
                for part in ("questions", "solutions") for fmt, suffix in (("latex", ".tex"), ("markdown", ".md"))}

    @cached_property
    def figure_lists(self) -> tuple[tuple[Figure, ...], ...]:
        """The figures of each exercise's solution, drawn once (none unless ``figures``)."""
        if not self.figures:
            return tuple(() for _ in self.exercises)
        from .figures import figures_for

        return tuple(tuple(figures_for(ex)) for ex in self.exercises)

    def figure_files(self) -> dict[str, bytes]:
        """The files the solutions' figures include (PDF and PNG), by name; empty without figures
        (``figures=False``, or no plotting module installed)."""
        return {name: data for fs in self.figure_lists for f in fs for name, data in f.files}


def parse_kinds(kinds: Any) -> tuple[str, ...]:
    """The kinds asked for: None (all, in catalogue order), a comma-separated text, or a sequence."""
    if kinds is None:
        return tuple(KINDS)
    names = [k.strip() for k in kinds.split(",")] if isinstance(kinds, str) else list(kinds)
    bad = [k for k in names if k not in KINDS]
    if not names or bad:
        raise SheetError(f"kinds={shown(kinds)}: {('unknown kind ' + repr(bad[0])) if bad else 'no kind given'}; "
                         f"choose from {', '.join(KINDS)}")
    return tuple(names)


def _count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_EXERCISES:
        raise SheetError(f"n={shown(n)} must be an integer from 1 to {MAX_EXERCISES}")
    return n


def _draw(kind: str, rng: random.Random, settings: Settings, seen: set) -> Exercise:
    why = None
    for _ in range(_ATTEMPTS):
        ex = KINDS[kind](rng, settings)
        why = problem(ex.answer, ex.numbers, seen)
        if why is None:
            return ex
    raise SheetError(f"could not draw another {kind!r} exercise at level {settings.level!r} ({why}); "
                     "ask for fewer exercises of this kind, or another level")


def make_sheet(n: int = 8, *, kinds: Any = None, seed: int = 0, level: str = "fractions", base: Any = 2,
               digits: int = 6, figures: bool = False) -> Sheet:
    """Draw ``n`` exercises (see :func:`symxent.sheet`)."""
    n, names = _count(n), parse_kinds(kinds)
    if level not in LEVELS:
        raise SheetError(f"level={shown(level)} is not one of {', '.join(LEVELS)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SheetError(f"seed={shown(seed)} must be an integer")
    b = as_base(base)
    if b.free_symbols:
        raise DomainError(f"base={shown(base)} must be a number for a problem sheet")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_SHEET_DIGITS:
        raise SheetError(f"digits={shown(digits)} must be an integer from 1 to {MAX_SHEET_DIGITS}")
    settings = Settings(level, b, digits)
    rng = random.Random(f"symxent-sheet {seed}")  # a str seed is hashed by SHA-512: stable across runs
    seen: set = set()
    exercises = []
    for k in range(n):
        ex = _draw(names[k % len(names)], rng, settings, seen)
        seen.add(answer_key(ex.answer))
        exercises.append(ex)
    return Sheet(tuple(exercises), settings, seed, names, bool(figures))
