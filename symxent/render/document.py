"""Whole derivations as LaTeX (``align*``, standalone documents), and what every format shares.

One reading of a :class:`~symxent.derivation.Derivation` feeds all three formats (this module,
:mod:`.markdown`, :mod:`.plain`): its statement,
its assumptions, and one row per step (``before REL after`` with the justification). A step the
machine did not verify is labelled ``[unverified]`` (``[false]`` when it was refuted), and the
status paragraph says whether the whole is proved. A worked example adds what was given and a
certified decimal value as a last ``≈`` row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import sympy as sp

from ..derivation import Assumption, Derivation, Step
from .escape import tex_prose, tex_text
from .latex import latex, latex_lines, visible_width

__all__ = ["Given", "Approximation", "FigureRef", "derivation_latex", "tex_figure", "derivation_display",
           "status_sentence", "statements", "assumptions_of", "unproved_details", "tex_align", "tex_statement",
           "tex_given", "tex_assumption", "has_maths", "REL_TEXT", "LABEL", "common_assumptions", "case_assumptions",
           "tex_assumption_list", "tex_statements", "QED"]

#: The end-of-proof mark, after a derivation that is proved.
QED = r"\square"

_REL_TEX = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "!=": r"\ne"}
REL_TEXT = {"=": "=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "!=": "!="}
LABEL = {"verified": "", "unverified": "unverified", "failed": "false"}


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


@dataclass(frozen=True)
class FigureRef:
    """A picture that goes with a document: its file, relative to the document, and a caption.

    The renderers only name the file (``\\includegraphics``, a Markdown image link); drawing
    and writing it is :mod:`symxent.plot`'s business.
    """

    path: str
    caption: str


def tex_figure(figure: FigureRef) -> str:
    r"""A ``figure`` environment including ``figure.path`` (needs ``\usepackage{graphicx}``).

    >>> print(tex_figure(FigureRef("ex-figure.pdf", "P and Q")))
    \begin{figure}[htbp]
    \centering
    \includegraphics[width=0.9\linewidth]{ex-figure.pdf}
    \caption{P and Q}
    \end{figure}
    """
    return "\n".join([r"\begin{figure}[htbp]", r"\centering",
                      rf"\includegraphics[width=0.9\linewidth]{{{figure.path}}}",
                      rf"\caption{{{tex_text(figure.caption)}}}", r"\end{figure}"])


def status_sentence(d: Derivation) -> str:
    """What the machine established, in one sentence a reader can trust.

    >>> x = sp.Symbol("x")
    >>> d = Derivation("t", "t", x, "=", x, (Step(x, x, "=", "a", status="failed"), Step(x, x, "=", "b")))
    >>> status_sentence(d)
    'Not proved: step 1 is false (marked [false] above); step 2 was not verified by the machine (marked [unverified]).'
    """
    if d.status == "proved":
        return "Proved: symxent checked every step, and the steps chain from the left-hand side to the right."
    failed = [i for i, s in enumerate(_all_steps(d), 1) if s.status == "failed"]
    unverified = [i for i, s in enumerate(_all_steps(d), 1) if s.status == "unverified"]
    said = []
    if failed:
        said.append(f"{_steps_word(failed)} {'is' if len(failed) == 1 else 'are'} false (marked [false] above)")
    if unverified:
        said.append(f"{_steps_word(unverified)} {'was' if len(unverified) == 1 else 'were'} not verified by the "
                    "machine (marked [unverified])")
    if not said:
        return "Not proved: every step was verified, but the steps do not chain into the statement."
    return "Not proved: " + "; ".join(said) + "."


def _steps_word(numbers: list[int]) -> str:
    return f"step {numbers[0]}" if len(numbers) == 1 else f"steps {', '.join(map(str, numbers))}"


def _all_steps(d: Derivation) -> list[Step]:
    return [*d.steps, *(s for p in d.parts for s in _all_steps(p))]


def statements(d: Derivation) -> list[Derivation]:
    return list(d.parts) if d.parts and not d.steps else [d]


def assumptions_of(d: Derivation, parts: list[Derivation]) -> list[Assumption]:
    """The assumptions of a derivation and of its parts, each once, in order."""
    return list(dict.fromkeys([*d.assumptions, *(a for p in parts if p is not d for a in p.assumptions)]))


def common_assumptions(d: Derivation, parts: list[Derivation]) -> list[Assumption]:
    """What every part assumes (the hypotheses of the whole); a case's own hypotheses are shown with it.

    >>> y = sp.Symbol("y")
    >>> one, zero, q = (Assumption(y, "y = 1", relation=sp.Eq(y, 1)), Assumption(y, "y = 0", relation=sp.Eq(y, 0)),
    ...                 Assumption(sp.Symbol("q"), "q > 0"))
    >>> parts = [Derivation("a", "a", y, "=", y, (), (one, q)), Derivation("b", "b", y, "=", y, (), (zero, q))]
    >>> [a.text for a in common_assumptions(parts[0], parts)], [a.text for a in case_assumptions(parts[1], parts)]
    (['q > 0'], ['y = 0'])
    """
    if len(parts) <= 1:
        return assumptions_of(d, parts)
    cases = [p for p in parts if p.assumptions]
    in_a_case = {a for p in cases for a in p.assumptions}
    return [a for a in assumptions_of(d, parts) if all(a in p.assumptions for p in cases) or a not in in_a_case]


def case_assumptions(part: Derivation, parts: list[Derivation]) -> list[Assumption]:
    """The hypotheses of one case that not every case shares."""
    if len(parts) <= 1:
        return []
    every = set(common_assumptions(part, parts))
    return [a for a in part.assumptions if a not in every]


def unproved_details(d: Derivation) -> list[tuple[int, Step]]:
    return [(i, s) for i, s in enumerate(_all_steps(d), 1) if s.status != "verified" and s.detail]


# -- LaTeX -------------------------------------------------------------------------------------

def has_maths(a: Assumption) -> bool:
    """A relation or domain to print (a relation SymPy already decided, like True, has none)."""
    return a.domain is not None or (a.relation is not None and a.relation not in (sp.true, sp.false))


def _assumption_maths(a: Assumption) -> str | None:
    """The assumption as one formula (without dollars), or None when it is prose."""
    if a.relation is not None and a.relation not in (sp.true, sp.false):
        return latex(a.relation)
    if a.domain is not None:
        return rf"{latex(a.subject)} \in {latex(a.domain)}"
    if "$" not in a.text and re.search(r"\\[a-zA-Z]+", a.text):  # the text is already LaTeX
        return a.text
    return None


def _for_all(a: Assumption, maths: str) -> str:
    """``p_{i} \\in (0, 1]`` holds for every event: said so (``for all i``)."""
    indices = {i for e in sp.preorder_traversal(a.subject) if isinstance(e, sp.Indexed) for i in e.indices}
    free = [i for i in indices if i.is_Symbol and i in a.subject.free_symbols]
    if isinstance(a.subject, sp.Indexed) and len(free) == 1 and free[0].name in ("i", "k"):
        return rf"{maths} \quad \text{{for all }} {latex(free[0])}"
    return maths


def tex_assumption(a: Assumption) -> str:
    maths = _assumption_maths(a)
    return tex_prose(a.text) if maths is None else f"${_for_all(a, maths)}$"


def tex_assumption_list(assumptions: Sequence[Assumption], render=None) -> list[str]:
    r"""Each assumption as LaTeX (inline maths), a chain ``1 \le j``, ``j \le n`` written ``1 \le j \le n``.

    >>> j, n = sp.symbols("j n")
    >>> print(*tex_assumption_list([Assumption(j, r"1 \le j"), Assumption(j, r"j \le n", relation=sp.Le(j, n))]))
    $1 \le j \le n$
    """
    out: list[str] = []
    for a in assumptions:
        tex = (render or tex_assumption)(a)
        chain = re.fullmatch(r"\$(\w+) (\\le|\\leq|<) (.+)\$", tex)
        if chain and out:
            before = re.fullmatch(r"\$(.+) (\\le|\\leq|<) (\w+)\$", out[-1])
            if before and before.group(3) == chain.group(1):
                rel = r"\le" if chain.group(2) == r"\leq" else chain.group(2)
                out[-1] = f"${before.group(1)} {before.group(2)} {chain.group(1)} {rel} {chain.group(3)}$"
                continue
        out.append(tex)
    return out


def _note(step: Step) -> str:
    label = LABEL[step.status]
    tag = rf"\quad\textbf{{[{label}]}}" if label else ""
    return rf"({tex_prose(step.justification)}){tag}"


_PT_LINE, _PT_MATH, _PT_TEXT = 470.0, 6.4, 5.0  # the line's width; a visible character of maths, of prose


def _prose_width(tex: str) -> int:
    import re

    return len(re.sub(r"\\[a-zA-Z]+|[{}$]", "", tex))
_WIDE_LHS = 14  # a left-hand side wider than this gets a line of its own


def _text_with_maths(prose: str) -> str:
    """``\\text{...}`` of prose whose ``$...$`` pieces are set as maths between text pieces.

    MathJax (GitHub, Jupyter) does not read ``$`` inside ``\\text``, so the maths is lifted out:

    >>> print(_text_with_maths("(since $x > 0$)"))
    \\text{(since }x > 0\\text{)}
    """
    pieces = prose.split("$")
    if len(pieces) % 2 == 0:
        return rf"\text{{{prose}}}"
    return "".join(rf"\text{{{p}}}" if k % 2 == 0 else p for k, p in enumerate(pieces) if p or k == 0)


def _tex_items(d: Derivation, approx: Approximation | None) -> list[tuple[str, str, list[str], str]]:
    """(left side, relation, lines of the right side, justification) of every row."""
    items, previous = [], None
    for step in d.steps:
        left = "" if step.before == previous else latex(step.before)
        items.append((left, _REL_TEX[step.relation], latex_lines(step.after), _note(step)))
        previous = step.after
    if approx is not None:
        value = rf"{approx.decimal}\ \text{{{tex_text(approx.unit)}}}"
        items.append(("", r"\approx", [value], f"({approx.digits} digits, certified)"))
    return items


def _tex_rows(d: Derivation, approx: Approximation | None, tags: bool) -> list[str]:
    """Rows of the alignment: ``lhs &= rhs && \text{(why)}``, one step per row.

    A wide left-hand side goes on a line of its own, the steps below it; when some row is too
    wide for its justification beside it, justifications become ``\tag*`` (which LaTeX moves
    below a row that is too long), where the environment allows tags.
    """
    items = _tex_items(d, approx)
    flush = any(visible_width(left) > _WIDE_LHS for left, *_ in items)
    left_width = 2 if flush else max(visible_width(left) for left, *_ in items)
    math_width = max(visible_width(line) for _, _, lines, _ in items for line in lines)
    why_width = max(_prose_width(why) for *_, why in items)
    tagged = tags and _PT_MATH * (left_width + math_width) + _PT_TEXT * why_width + 40 > _PT_LINE
    rows = []
    for left, rel, lines, why in items:
        note = rf" \tag*{{{why}}}" if tagged else f" && {_text_with_maths(why)}"
        if flush:
            if left:
                rows.append(f"&{left}")
            rows.append(rf"&\quad {rel} {lines[0]}{note}")
            rows.extend(rf"&\qquad\quad {line}" for line in lines[1:])
        else:
            rows.append(f"{left} &{rel} {lines[0]}{note}")
            rows.extend(rf"&\phantom{{{rel}}}\quad {line}" for line in lines[1:])
    return rows


def tex_align(d: Derivation, approx: Approximation | None, env: str = "align*") -> str:
    body = " \\\\\n".join(_tex_rows(d, approx, tags=env == "align*"))
    return f"\\begin{{{env}}}\n{body}\n\\end{{{env}}}"


def tex_statement(d: Derivation) -> str:
    return f"{latex(d.lhs)} {_REL_TEX[d.relation]} {latex(d.rhs)}"


def tex_statements(d: Derivation, parts: list[Derivation]) -> list[str]:
    """One line per distinct statement, each case with its own hypotheses: ``... \\quad \\text{if } y = 1``."""
    lines: list[str] = []
    for part in parts:
        own = [t.strip("$") for t in tex_assumption_list(case_assumptions(part, parts)) if t.startswith("$")]
        line = tex_statement(part) + (r" \quad \text{if } " + r" \text{ and } ".join(own) if own else "")
        if line not in lines:
            lines.append(line)
    return lines


def _qed(d: Derivation) -> str:
    return rf"\hfill${QED}$" if d.status == "proved" else ""


def tex_given(given: Sequence[Given]) -> str:
    rows = [rf"{latex(g.symbol)} &= \left({', '.join(latex(v) for v in g.values)}\right) "
            rf"&& \text{{({tex_text(g.description)})}}" for g in given]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def derivation_latex(d: Derivation, *, standalone: bool = False, given: Sequence[Given] = (),
                     approx: Approximation | None = None, figure: FigureRef | None = None) -> str:
    """The derivation as LaTeX: an ``align*`` of its steps, or a complete document.

    >>> x = sp.Symbol("x")
    >>> twice = sp.Add(x, x, evaluate=False)
    >>> d = Derivation("t", "Twice", 2 * x, "=", twice, (Step(2 * x, twice, "=", "sum", status="verified"),))
    >>> print(derivation_latex(d))
    \\begin{align*}
    2 x &= x + x && \\text{(sum)}
    \\end{align*}
    """
    parts = statements(d)
    aligns = []
    for part in parts:
        aligns.append(tex_align(part, approx if part is parts[-1] else None))
    if not standalone:
        return "\n".join(aligns + ([] if figure is None else [tex_figure(figure)]))
    return _tex_document(d, parts, aligns, given, figure)


def derivation_display(d: Derivation, *, approx: Approximation | None = None) -> str:
    r"""The steps as one display for MathJax (Jupyter's ``_repr_latex_``): ``aligned``, no tags.

    >>> x = sp.Symbol("x")
    >>> d = Derivation("t", "t", x, "=", x, (Step(x, x, "=", "reflexivity", status="verified"),))
    >>> print(derivation_display(d))
    $$\begin{aligned}
    x &= x && \text{(reflexivity)}
    \end{aligned}$$
    """
    parts = statements(d)
    blocks = [tex_align(p, approx if p is parts[-1] else None, env="aligned") for p in parts]
    if len(blocks) == 1:
        return f"$${blocks[0]}$$"
    return "$$\\begin{gathered}\n" + " \\\\[1em]\n".join(blocks) + "\n\\end{gathered}$$"


def _tex_document(d: Derivation, parts: list[Derivation], aligns: list[str], given: Sequence[Given],
                  figure: FigureRef | None = None) -> str:
    out = [r"\documentclass[11pt]{article}",
           r"\usepackage{amsmath,amssymb}" + ("" if figure is None else r"\usepackage{graphicx}"),
           r"\usepackage[a4paper,margin=2.2cm]{geometry}", r"\allowdisplaybreaks",
           r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{0.6em}", r"\pagestyle{empty}", "",
           r"\begin{document}", rf"\section*{{{tex_prose(d.title)}}}", ""]
    if given:
        out += [r"\paragraph{Given.}", tex_given(given), ""]
    out += [r"\paragraph{Statement.}"]
    lines = tex_statements(d, parts)
    if len(lines) == 1:
        out += [rf"\[ {lines[0]} \]", ""]
    else:
        out += [r"\begin{gather*}", " \\\\\n".join(lines), r"\end{gather*}", ""]
    assumptions = common_assumptions(d, parts)
    if assumptions:
        out += [r"\paragraph{Assumptions.}", r"\begin{itemize}"]
        out += [rf"  \item {a}" for a in tex_assumption_list(assumptions)] + [r"\end{itemize}", ""]
    out += [r"\paragraph{Derivation.}"]
    for part, block in zip(parts, aligns):
        if len(parts) > 1:
            out.append(rf"\subparagraph{{{tex_prose(part.title)}}}")
            own = tex_assumption_list(case_assumptions(part, parts))
            if own:
                out.append(rf"\emph{{Assume}} {', '.join(own)}.")
        out += [block, ""]
    if figure is not None:
        out += [tex_figure(figure), ""]
    out += [rf"\paragraph{{Status.}} {tex_text(status_sentence(d))}{_qed(d)}", ""]
    for i, step in unproved_details(d):
        out += [rf"Step {i} ({tex_prose(step.justification)}): {tex_text(step.detail)}", ""]
    out += [tex_text(note) + "\n" for note in d.notes]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
