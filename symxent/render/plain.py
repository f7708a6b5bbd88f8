"""Whole derivations as plain text for a terminal."""

from __future__ import annotations

import re
from typing import Sequence

import sympy as sp

from ..derivation import Assumption, Derivation, Step  # Step: for the doctests
from .document import (LABEL, REL_TEXT, Approximation, FigureRef, Given, assumptions_of, statements, status_sentence,
                       unproved_details)
from .escape import plain_text
from .text import text

__all__ = ["derivation_text"]


def _text_assumption(a: Assumption) -> str:
    if a.relation is not None and a.relation not in (sp.true, sp.false):
        return _text_relation(a.relation)
    if a.domain is not None:
        return _text_domain(text(a.subject), a.domain)
    if "$" not in a.text and re.search(r"\\[a-zA-Z]+", a.text):  # the text is LaTeX
        return plain_text(f"${a.text}$")
    return plain_text(a.text)


def _text_relation(r: sp.Basic) -> str:
    ops = {sp.Eq: "=", sp.Ne: "!=", sp.Lt: "<", sp.Le: "<=", sp.Gt: ">", sp.Ge: ">="}
    for kind, op in ops.items():
        if isinstance(r, kind):
            return f"{text(r.lhs)} {op} {text(r.rhs)}"
    return text(r)


def _text_domain(x: str, dom: sp.Set) -> str:
    """``0 < x <= 1``, ``x > 0``, ``x in {0, 1}``, ``x real``."""
    if dom == sp.S.Reals:
        return f"{x} real"
    if isinstance(dom, sp.Interval):
        lo = "" if dom.start == -sp.oo else f"{text(dom.start)} {'<' if dom.left_open else '<='} "
        hi = "" if dom.end == sp.oo else f" {'<' if dom.right_open else '<='} {text(dom.end)}"
        if lo and not hi:
            return f"{x} {'>' if dom.left_open else '>='} {text(dom.start)}"
        return f"{lo}{x}{hi}"
    if isinstance(dom, sp.FiniteSet):
        return f"{x} in {{{', '.join(text(v) for v in dom)}}}"
    return f"{x} in {dom}"


def _text_rows(d: Derivation, approx: Approximation | None) -> list[str]:
    rows, previous = [f"  {text(d.lhs)}"], d.lhs
    for step in d.steps:
        if step.before != previous:
            rows.append(f"  {text(step.before)}")
        label = LABEL[step.status]
        tag = f"  [{label}]" if label else ""
        rows.append(f"    {REL_TEXT[step.relation]} {text(step.after)}      ({step.justification}){tag}")
        previous = step.after
    if approx is not None:
        rows.append(f"    ~ {approx.decimal} {approx.unit}      ({approx.digits} significant digits, certified)")
    return rows


def derivation_text(d: Derivation, *, given: Sequence[Given] = (), approx: Approximation | None = None,
                    figure: FigureRef | None = None) -> str:
    """The derivation as plain text for a terminal.

    >>> x = sp.Symbol("x")
    >>> twice = sp.Add(x, x, evaluate=False)
    >>> d = Derivation("t", "Twice", 2 * x, "=", twice, (Step(2 * x, twice, "=", "sum"),))
    >>> print(derivation_text(d).splitlines()[-1])
    Status: Not proved: step 1 was not verified by the machine (marked [unverified]).
    """
    parts = statements(d)
    out = [d.title, "=" * len(d.title), ""]
    for g in given:
        out.append(f"Given: {text(g.symbol)} = ({', '.join(text(v) for v in g.values)})   ({g.description})")
    for p in parts:
        out.append(f"Statement: {text(p.lhs)} {REL_TEXT[p.relation]} {text(p.rhs)}")
    assumptions = assumptions_of(d, parts)
    out += ["Assumptions:"] + [f"  - {_text_assumption(a)}" for a in assumptions] if assumptions else []
    out.append("Derivation:")
    for part in parts:
        if len(parts) > 1:
            out.append(f"  {part.title}:")
        out += _text_rows(part, approx if part is parts[-1] else None)
    out += [f"Step {i} ({s.justification}): {s.detail}" for i, s in unproved_details(d)]
    out += [plain_text(n) for n in d.notes]
    if figure is not None:
        out.append(f"Figure: {figure.path}   ({figure.caption})")
    out.append(f"Status: {status_sentence(d)}")
    return "\n".join(out) + "\n"
