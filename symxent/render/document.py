"""Whole derivations as LaTeX (``align*``, standalone documents), Markdown and plain text.

One reading of a :class:`~symxent.derivation.Derivation` feeds all three formats: its statement,
its assumptions, and one row per step (``before REL after`` with the justification). A step the
machine did not verify is labelled ``[unverified]`` (``[false]`` when it was refuted), and the
status paragraph says whether the whole is proved. A worked example adds what was given and a
certified decimal value as a last ``≈`` row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sympy as sp

from ..derivation import Assumption, Derivation, Step
from .escape import plain_text, tex_text
from .latex import latex, latex_lines
from .text import text

__all__ = ["Given", "Approximation", "derivation_latex", "derivation_markdown", "derivation_text",
           "status_sentence"]

_REL_TEX = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "!=": r"\ne"}
_REL_TEXT = {"=": "=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "!=": "!="}
_LABEL = {"verified": "", "unverified": "unverified", "failed": "false"}


@dataclass(frozen=True)
class Given:
    """Data a worked example starts from: ``symbol = (values...)``, and what they are."""

    symbol: sp.Expr
    values: tuple[sp.Expr, ...]
    description: str


@dataclass(frozen=True)
class Approximation:
    """The certified decimal value ending a worked example, and its unit."""

    decimal: str
    digits: int
    unit: str


def status_sentence(d: Derivation) -> str:
    """What the machine established, in one sentence a reader can trust."""
    if d.status == "proved":
        return "Proved: symxent checked every step, and the steps chain from the left-hand side to the right."
    failed = [i for i, s in enumerate(_all_steps(d), 1) if s.status == "failed"]
    if failed:
        return f"Not proved: step {failed[0]} is false (marked [false] above)."
    unverified = [i for i, s in enumerate(_all_steps(d), 1) if s.status == "unverified"]
    if unverified:
        listed = ", ".join(map(str, unverified))
        return f"Not proved: step(s) {listed} were not verified by the machine (marked [unverified] above)."
    return "Not proved: every step was verified, but the steps do not chain into the statement."


def _all_steps(d: Derivation) -> list[Step]:
    return [*d.steps, *(s for p in d.parts for s in _all_steps(p))]


def _statements(d: Derivation) -> list[Derivation]:
    return list(d.parts) if d.parts and not d.steps else [d]


def _unproved_details(d: Derivation) -> list[tuple[int, Step]]:
    return [(i, s) for i, s in enumerate(_all_steps(d), 1) if s.status != "verified" and s.detail]


# -- LaTeX -------------------------------------------------------------------------------------

def _tex_assumption(a: Assumption) -> str:
    if a.relation is not None:
        return f"${latex(a.relation)}$"
    if a.domain is not None:
        return rf"${latex(a.subject)} \in {latex(a.domain)}$"
    return tex_text(a.text)


def _tex_note(step: Step) -> str:
    label = _LABEL[step.status]
    tag = rf"\quad\textbf{{[{label}]}}" if label else ""
    return rf"\text{{({tex_text(step.justification)}){tag}}}"


def _tex_rows(d: Derivation, approx: Approximation | None) -> list[str]:
    rows, previous = [], None
    for step in d.steps:
        left = "" if step.before == previous else latex(step.before)
        rel = _REL_TEX[step.relation]
        lines = latex_lines(step.after)
        rows.append(f"{left} &{rel} {lines[0]} && {_tex_note(step)}")
        rows.extend(rf"&\phantom{{{rel}}}\quad {line}" for line in lines[1:])
        previous = step.after
    if approx is not None:
        unit = rf"\ \text{{{tex_text(approx.unit)}}}"
        rows.append(rf"&\approx {approx.decimal}{unit} && "
                    rf"\text{{({approx.digits} digits, certified)}}")
    return rows


def _tex_align(d: Derivation, approx: Approximation | None, env: str = "align*") -> str:
    body = " \\\\\n".join(_tex_rows(d, approx))
    return f"\\begin{{{env}}}\n{body}\n\\end{{{env}}}"


def _tex_statement(d: Derivation) -> str:
    return f"{latex(d.lhs)} {_REL_TEX[d.relation]} {latex(d.rhs)}"


def _tex_given(given: Sequence[Given]) -> str:
    rows = [rf"{latex(g.symbol)} &= \left({', '.join(latex(v) for v in g.values)}\right) "
            rf"&& \text{{({tex_text(g.description)})}}" for g in given]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def derivation_latex(d: Derivation, *, standalone: bool = False, given: Sequence[Given] = (),
                     approx: Approximation | None = None) -> str:
    """The derivation as LaTeX: an ``align*`` of its steps, or a complete document.

    >>> x = sp.Symbol("x")
    >>> twice = sp.Add(x, x, evaluate=False)
    >>> d = Derivation("t", "Twice", 2 * x, "=", twice, (Step(2 * x, twice, "=", "sum", status="verified"),))
    >>> print(derivation_latex(d))
    \\begin{align*}
    2 x &= x + x && \\text{(sum)}
    \\end{align*}
    """
    parts = _statements(d)
    aligns = []
    for part in parts:
        aligns.append(_tex_align(part, approx if part is parts[-1] else None))
    if not standalone:
        return "\n".join(aligns)
    return _tex_document(d, parts, aligns, given)


def _tex_document(d: Derivation, parts: list[Derivation], aligns: list[str], given: Sequence[Given]) -> str:
    out = [r"\documentclass[11pt]{article}",
           r"\usepackage{amsmath,amssymb}", r"\usepackage[a4paper,margin=2.2cm]{geometry}",
           r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{0.6em}", r"\pagestyle{empty}", "",
           r"\begin{document}", rf"\section*{{{tex_text(d.title)}}}", ""]
    if given:
        out += [r"\paragraph{Given.}", _tex_given(given), ""]
    out += [r"\paragraph{Statement.}"]
    out += [rf"\[ {_tex_statement(p)} \]" for p in parts] + [""]
    assumptions = list(dict.fromkeys([*d.assumptions, *(a for p in parts if p is not d for a in p.assumptions)]))
    if assumptions:
        out += [r"\paragraph{Assumptions.}", r"\begin{itemize}"]
        out += [rf"  \item {_tex_assumption(a)}" for a in assumptions] + [r"\end{itemize}", ""]
    out += [r"\paragraph{Derivation.}"]
    for part, block in zip(parts, aligns):
        if len(parts) > 1:
            out.append(rf"\subparagraph{{{tex_text(part.title)}}}")
        out += [block, ""]
    out += [rf"\paragraph{{Status.}} {tex_text(status_sentence(d))}", ""]
    for i, step in _unproved_details(d):
        out += [rf"Step {i} ({tex_text(step.justification)}): {tex_text(step.detail)}", ""]
    out += [tex_text(note) + "\n" for note in d.notes]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# -- Markdown ----------------------------------------------------------------------------------

def _md_assumption(a: Assumption) -> str:
    if a.relation is not None or a.domain is not None:
        return _tex_assumption(a)
    return a.text


def _md_math(tex: str) -> str:
    return f"$$\n{tex}\n$$"


def _md_align(part: Derivation, approx: Approximation | None) -> str:
    return _md_math(_tex_align(part, approx, env="aligned"))


def derivation_markdown(d: Derivation, *, given: Sequence[Given] = (),
                        approx: Approximation | None = None, heading: str = "#") -> str:
    """The derivation as Markdown with ``$$`` mathematics (GitHub, Jupyter, MathJax).

    >>> x = sp.Symbol("x")
    >>> twice = sp.Add(x, x, evaluate=False)
    >>> d = Derivation("t", "Twice", 2 * x, "=", twice, (Step(2 * x, twice, "=", "sum"),))
    >>> print(derivation_markdown(d).splitlines()[0])
    # Twice
    """
    parts = _statements(d)
    out = [f"{heading} {d.title}", ""]
    if given:
        out += ["**Given.**", "", _md_math(_tex_given(given).replace("align*", "aligned")), ""]
    out += ["**Statement.**", "", _md_math(r" \\ ".join(_tex_statement(p) for p in parts)), ""]
    assumptions = list(dict.fromkeys([*d.assumptions, *(a for p in parts if p is not d for a in p.assumptions)]))
    if assumptions:
        out += ["**Assumptions.**", ""] + [f"- {_md_assumption(a)}" for a in assumptions] + [""]
    out += ["**Derivation.**", ""]
    for part in parts:
        if len(parts) > 1:
            out += [f"*{part.title}*", ""]
        out += [_md_align(part, approx if part is parts[-1] else None), ""]
    out += [f"**Status.** {status_sentence(d)}", ""]
    out += [f"Step {i} ({s.justification}): {s.detail}\n" for i, s in _unproved_details(d)]
    out += [f"{note}\n" for note in d.notes]
    return "\n".join(out).rstrip() + "\n"


# -- plain text --------------------------------------------------------------------------------

def _text_assumption(a: Assumption) -> str:
    if a.text:
        return plain_text(a.text)
    if a.relation is not None:
        return text(a.relation)
    return f"{text(a.subject)} in {a.domain}"


def _text_rows(d: Derivation, approx: Approximation | None) -> list[str]:
    rows, previous = [f"  {text(d.lhs)}"], d.lhs
    for step in d.steps:
        if step.before != previous:
            rows.append(f"  {text(step.before)}")
        label = _LABEL[step.status]
        tag = f"  [{label}]" if label else ""
        rows.append(f"    {_REL_TEXT[step.relation]} {text(step.after)}      ({step.justification}){tag}")
        previous = step.after
    if approx is not None:
        rows.append(f"    ~ {approx.decimal} {approx.unit}      ({approx.digits} significant digits, certified)")
    return rows


def derivation_text(d: Derivation, *, given: Sequence[Given] = (), approx: Approximation | None = None) -> str:
    """The derivation as plain text for a terminal.

    >>> x = sp.Symbol("x")
    >>> twice = sp.Add(x, x, evaluate=False)
    >>> d = Derivation("t", "Twice", 2 * x, "=", twice, (Step(2 * x, twice, "=", "sum"),))
    >>> print(derivation_text(d).splitlines()[-1])
    Status: Not proved: step(s) 1 were not verified by the machine (marked [unverified] above).
    """
    parts = _statements(d)
    out = [d.title, "=" * len(d.title), ""]
    for g in given:
        out.append(f"Given: {text(g.symbol)} = ({', '.join(text(v) for v in g.values)})   ({g.description})")
    for p in parts:
        out.append(f"Statement: {text(p.lhs)} {_REL_TEXT[p.relation]} {text(p.rhs)}")
    assumptions = list(dict.fromkeys([*d.assumptions, *(a for p in parts if p is not d for a in p.assumptions)]))
    out += ["Assumptions:"] + [f"  - {_text_assumption(a)}" for a in assumptions] if assumptions else []
    out.append("Derivation:")
    for part in parts:
        if len(parts) > 1:
            out.append(f"  {part.title}:")
        out += _text_rows(part, approx if part is parts[-1] else None)
    out += [f"Step {i} ({s.justification}): {s.detail}" for i, s in _unproved_details(d)]
    out += [plain_text(n) for n in d.notes]
    out.append(f"Status: {status_sentence(d)}")
    return "\n".join(out) + "\n"
