"""The verdict on a user's claim (``symxent.verify``) as Markdown and LaTeX, for notebooks.

Read by duck typing (``status``, ``lhs``, ``relation``, ``rhs``, ``counterexample``, ``values``,
``derivation``, ``detail``), so the renderers stay independent of the engine that decides.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..inputs import exact as as_exact

from .document import derivation_display
from .markdown import derivation_markdown
from .escape import tex_text
from .latex import latex

__all__ = ["verdict_latex", "verdict_markdown"]

_REL = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "!=": r"\ne"}
_WORD = {"proved": "Proved", "disproved": "Disproved", "undecided": "Undecided"}


def _claim(result: Any) -> str:
    return f"{latex(result.lhs)} {_REL.get(result.relation, result.relation)} {latex(result.rhs)}"


def _point(result: Any) -> str:
    items = sorted(result.counterexample.items(), key=lambda kv: sp.default_sort_key(kv[0]))
    return ",\\ ".join(f"{latex(k)} = {latex(as_exact(v))}" for k, v in items)


def verdict_markdown(result: Any) -> str:
    """The verdict, the claim, and its proof or its counterexample, as Markdown.

    >>> from types import SimpleNamespace as R
    >>> x = sp.Symbol("x")
    >>> print(verdict_markdown(R(status="disproved", lhs=x, relation="=", rhs=2 * x, counterexample={x: 1},
    ...                          values=("1", "2"), derivation=None, detail="")))
    **Disproved:** $x = 2 x$
    <BLANKLINE>
    Counterexample: $x = 1$, where the left side is 1 and the right side 2.
    <BLANKLINE>
    """
    out = [f"**{_WORD.get(result.status, result.status)}:** ${_claim(result)}$", ""]
    if result.counterexample:
        where = f"Counterexample: ${_point(result)}$"
        if result.values:
            where += f", where the left side is {result.values[0]} and the right side {result.values[1]}"
        out += [where + ".", ""]
    if result.derivation is not None:
        out += [derivation_markdown(result.derivation, heading="###")]
    elif result.detail and not result.counterexample:
        out += [result.detail, ""]
    return "\n".join(out)


def verdict_latex(result: Any) -> str:
    """The verdict as display maths (for ``_repr_latex_``): the claim, and its steps if proved."""
    head = rf"{_claim(result)} \quad \text{{({tex_text(_WORD.get(result.status, result.status).lower())})}}"
    if result.counterexample:
        head += rf" \\ \text{{counterexample: }} {_point(result)}"
    body = head
    if result.derivation is not None:
        body += " \\\\[1em]\n" + derivation_display(result.derivation)[2:-2]
    return "$$\\begin{gathered}\n" + body + "\n\\end{gathered}$$"
