"""Problem sheets for teachers: exercises with exact numbers, solutions that are checked derivations.

``symxent.sheet(n, kinds=..., seed=..., level=..., base=..., digits=...)`` draws a sheet (this
subpackage is callable: calling it is calling :func:`sheet`); ``Sheet.questions(format)`` and
``Sheet.solutions(format)`` render the two documents, in ``"latex"`` or ``"markdown"``, from the
same exercises. Every solution is built by the worked-example machinery (:mod:`symxent.worked`)
and every step checked: an exercise whose derivation is not proved cannot be built, so it is
never printed. The same arguments give the same sheet, byte for byte.

Kinds (:data:`KINDS`): ``entropy``, ``cross-entropy``, ``kl``, ``decomposition`` (H(P,Q) = H(P)
+ KL(P||Q) on numbers), ``log-loss``, ``bce-logit``, ``gaussian-nll`` (against MSE), ``claim`` (a
false claim; symxent's verify finds the counterexample), ``family-kl`` (closed-form KL of two
Bernoullis; other parametric families join through :func:`register_family`). Levels
(:data:`LEVELS`): ``dyadic``, ``fractions``, ``decimals``.

>>> import symxent
>>> s = symxent.sheet(2, kinds="entropy,kl", seed=1, level="dyadic")
>>> [(ex.kind, str(ex.answer), ex.value) for ex in s.exercises]
[('entropy', '3/2', '1.50000'), ('kl', '1/8', '0.125000')]
>>> s.questions("latex").startswith("\\\\documentclass")
True
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .exercise import Exercise, Part, Settings, UnprovedSolution
from .families import register_family
from .figures import Figure, register_figure
from .generate import KINDS, MAX_EXERCISES, Sheet, SheetError, make_sheet
from .numbers import LEVELS
from .render import FORMATS, render_sheet

__all__ = ["sheet", "Sheet", "Exercise", "Part", "Settings", "SheetError", "UnprovedSolution", "KINDS", "LEVELS",
           "FORMATS", "MAX_EXERCISES", "register_family", "render_sheet", "Figure", "register_figure"]


def sheet(n: int = 8, *, kinds: Any = None, seed: int = 0, level: str = "fractions", base: Any = 2,
          digits: int = 6, figures: bool = False) -> Sheet:
    """A problem sheet of ``n`` exercises (1 to :data:`MAX_EXERCISES`), with checked solutions.

    ``kinds``: names of :data:`KINDS` (a sequence or comma-separated text; default all), used in
    turn; ``level``: one of :data:`LEVELS`; ``base``: of the logarithms (2, ``"e"``, 10, ...);
    ``digits``: significant digits of the certified decimals; ``figures``: figures in the
    solutions when a plotting module (``symxent.plot``) draws them (:mod:`.figures`), else none.

    >>> ex = sheet(1, kinds=["bce-logit"], seed=3, level="dyadic").exercises[0]
    >>> ex.answer, ex.unit
    (5, 'bits')
    """
    return make_sheet(n, kinds=kinds, seed=seed, level=level, base=base, digits=digits, figures=figures)


class _CallableModule(types.ModuleType):
    """``symxent.sheet(...)`` draws a sheet while ``symxent.sheet`` stays this subpackage."""

    def __call__(self, *args: Any, **kwargs: Any) -> Sheet:
        return sheet(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
