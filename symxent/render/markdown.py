"""Whole derivations as Markdown with ``$$`` mathematics (GitHub, Jupyter, MathJax)."""

from __future__ import annotations

import re
from typing import Sequence

import sympy as sp

from ..derivation import Assumption, Derivation, Step  # Step: for the doctests
from .document import (QED, Approximation, FigureRef, Given, case_assumptions, common_assumptions, has_maths,
                       statements, status_sentence, tex_align, tex_assumption, tex_assumption_list, tex_given,
                       tex_statements, unproved_details)

__all__ = ["derivation_markdown"]


def _md_assumption(a: Assumption) -> str:
    if has_maths(a) or ("$" not in a.text and re.search(r"\\[a-zA-Z]+", a.text)):
        return tex_assumption(a)
    return a.text


def _md_math(tex: str) -> str:
    r"""A ``$$`` block; a line that Markdown would read as a list item or a heading gets ``{}``.

    >>> print(_md_math("- x\n+ y"))
    $$
    {}- x
    {}+ y
    $$
    """
    lines = ["{}" + line if re.match(r"\s*([-+*#>]|\d+[.)])(\s|$)", line) else line for line in tex.split("\n")]
    return "$$\n" + "\n".join(lines) + "\n$$"


def _md_align(part: Derivation, approx: Approximation | None) -> str:
    return _md_math(tex_align(part, approx, env="aligned"))


def derivation_markdown(d: Derivation, *, given: Sequence[Given] = (),
                        approx: Approximation | None = None, heading: str = "#",
                        figure: FigureRef | None = None) -> str:
    """The derivation as Markdown with ``$$`` mathematics (GitHub, Jupyter, MathJax).

    >>> x = sp.Symbol("x")
    >>> twice = sp.Add(x, x, evaluate=False)
    >>> d = Derivation("t", "Twice", 2 * x, "=", twice, (Step(2 * x, twice, "=", "sum"),))
    >>> print(derivation_markdown(d).splitlines()[0])
    # Twice
    """
    parts = statements(d)
    out = [f"{heading} {d.title}", ""]
    if given:
        out += ["**Given.**", "", _md_math(tex_given(given).replace("align*", "aligned")), ""]
    lines = tex_statements(d, parts)
    statement = lines[0] if len(lines) == 1 else "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"
    out += ["**Statement.**", "", _md_math(statement), ""]
    assumptions = common_assumptions(d, parts)
    if assumptions:
        out += ["**Assumptions.**", ""] + [f"- {a}" for a in tex_assumption_list(assumptions, _md_assumption)] + [""]
    out += ["**Derivation.**", ""]
    for part in parts:
        if len(parts) > 1:
            out += [f"*{part.title}*", ""]
            own = tex_assumption_list(case_assumptions(part, parts), _md_assumption)
            if own:
                out += [f"Assume {', '.join(own)}.", ""]
        out += [_md_align(part, approx if part is parts[-1] else None), ""]
    if figure is not None:
        out += [f"![{_md_alt(figure.caption)}]({_md_target(figure.path)})", "", f"*{figure.caption}*", ""]
    out += [f"**Status.** {status_sentence(d)}" + (f" ${QED}$" if d.status == "proved" else ""), ""]
    out += [f"Step {i} ({s.justification}): {s.detail}\n" for i, s in unproved_details(d)]
    out += [f"{note}\n" for note in d.notes]
    return "\n".join(out).rstrip() + "\n"


def _md_alt(text: str) -> str:
    """Image alt text: brackets would end it early."""
    return text.replace("[", "(").replace("]", ")")


def _md_target(path: str) -> str:
    """A link target; one with spaces or parentheses goes in ``<...>``.

    >>> _md_target("ex-figure.png"), _md_target("my ex.png")
    ('ex-figure.png', '<my ex.png>')
    """
    return f"<{path}>" if re.search(r"[\s()<>]", path) else path
