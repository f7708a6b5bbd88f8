"""What makes an exercise fit for a sheet: not degenerate, a short answer, unlike the others.

- **not degenerate**: every probability the question gives lies strictly between 0 and 1 (no
  ``0 log 0``, no infinite KL: none of the kinds asks for them), and the answer is finite and
  not zero;
- **short**: the exact answer prints in at most :data:`MAX_ANSWER_LENGTH` characters of LaTeX;
- **distinct**: no two exercises of a sheet have the same exact answer.

>>> import sympy as sp
>>> problem(sp.Integer(0), (sp.Rational(1, 2),), set())
'the answer is 0'
>>> problem(sp.Rational(3, 2), (sp.Integer(0), sp.Integer(1)), set())
'a given probability is 0 or 1: 0'
"""

from __future__ import annotations

from typing import Iterable

import sympy as sp

from ..exact import closed_form
from ..render.latex import latex
from ..render.notation import to_sympy

__all__ = ["MAX_ANSWER_LENGTH", "problem", "answer_key", "answer_length"]

MAX_ANSWER_LENGTH = 110
"""The longest exact answer, in characters of its LaTeX, that a sheet prints."""


def answer_key(answer: sp.Expr) -> sp.Expr:
    """The exact value of an answer, in a normal form two equal answers share."""
    plain = to_sympy(answer)
    normal = closed_form(plain)
    return normal if normal is not None else sp.expand(sp.expand_log(plain, force=True))


def answer_length(answer: sp.Expr) -> int:
    return len(latex(answer))


def problem(answer: sp.Expr, numbers: Iterable[sp.Expr], seen: set) -> str | None:
    """Why an exercise with this answer and these given probabilities does not fit, or None."""
    for x in numbers:
        if not 0 < x < 1:
            return f"a given probability is 0 or 1: {x}"
    key = answer_key(answer)
    if key == 0:
        return "the answer is 0"
    if key.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        return "the answer is not finite"
    if answer_length(answer) > MAX_ANSWER_LENGTH:
        return f"the answer is longer than {MAX_ANSWER_LENGTH} characters of LaTeX"
    if key in seen:
        return "another exercise has the same answer"
    return None
