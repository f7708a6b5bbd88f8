"""A sheet as two documents from one source: the questions, and the checked solutions.

Both come in LaTeX (a complete document for pdflatex) and Markdown (``$``/``$$`` maths, for
GitHub and Jupyter). The questions leave a box (LaTeX) or blank lines (Markdown) to answer in;
the solutions print every derivation with the renderers of :mod:`symxent.render`, its status
as the machine established it, and the answer, which is the derivation's result.
"""

from __future__ import annotations

from ..errors import UnsupportedError
from ..render.document import Given, status_sentence, tex_align
from ..render.escape import tex_text
from ..render.latex import latex
from ..render.markdown import _md_math  # the $$ block whose lines Markdown cannot take for a list
from .exercise import Exercise, Part

__all__ = ["render_sheet", "FORMATS"]

FORMATS = ("latex", "markdown")
_ROOM = {"decomposition": "7cm", "claim": "7cm", "gaussian-nll": "6cm"}  # answer space; 4.5cm otherwise
_PREAMBLE = [r"\documentclass[11pt]{article}", r"\usepackage{amsmath,amssymb}",
             r"\usepackage[a4paper,margin=2.2cm]{geometry}", r"\allowdisplaybreaks",
             r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{0.6em}", ""]


def _intro(sheet, solutions: bool) -> str:
    s = sheet.settings
    intro = (f"{len(sheet.exercises)} exercises, level {s.level}, seed {sheet.seed}. Give every answer exactly and "
             f"as a decimal to {s.digits} significant digits.")
    if s.level == "decimals":
        intro += r" The decimals of the questions are exact numbers ($0.35 = \tfrac{7}{20}$)."
    if solutions:
        intro += (" Every derivation below was built and checked step by step by symxent, and its decimal "
                  "certified; a solution with a step the machine did not verify is never printed.")
    return intro


def _given(given: tuple[Given, ...], env: str = "align*") -> str:
    """What a derivation starts from: ``P = (a, b)`` for a list, ``z = \\ln 2`` for one number."""
    rows = []
    for g in given:
        values = ", ".join(latex(v) for v in g.values)
        shown = values if len(g.values) == 1 else rf"\left({values}\right)"
        rows.append(rf"{latex(g.symbol)} &= {shown} && \text{{({tex_text(g.description)})}}")
    return f"\\begin{{{env}}}\n" + " \\\\\n".join(rows) + f"\n\\end{{{env}}}"


def _sentence(title: str) -> str:
    return title if title.endswith(("?", ".")) else title + "."


def _answer(ex: Exercise) -> str:
    unit = f"\\ \\text{{{ex.unit}}}" if ex.unit else ""
    return f"${latex(ex.answer)} \\approx {ex.value}{unit}$"


# -- LaTeX --------------------------------------------------------------------------------------

def _tex_question(k: int, ex: Exercise) -> list[str]:
    box = r"\fbox{\parbox[t][%s][t]{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}{\small\textit{Answer:}}}"
    heading = rf"\textbf{{Exercise {k}. {_sentence(tex_text(ex.title))}}}"
    return [r"\begin{minipage}{\linewidth}", f"{heading} {tex_text(ex.prompt)}",
            r"\par\smallskip", box % _ROOM.get(ex.kind, "4.5cm"), r"\end{minipage}", r"\par\bigskip", ""]


def _tex_part(part: Part, titled: bool) -> list[str]:
    out = [rf"\paragraph{{{_sentence(tex_text(part.derivation.title))}}}"] if titled else []
    if part.given:
        out.append(_given(part.given))
    out += [tex_align(part.derivation, part.approx),
            rf"{{\small\textit{{{tex_text(status_sentence(part.derivation))}}}}}", ""]
    return out


def _figures(sheet, ex: Exercise) -> list:
    """The figures of this exercise, as the sheet drew them (once, whatever the formats asked)."""
    for other, figures in zip(sheet.exercises, sheet.figure_lists):
        if other is ex:
            return list(figures)
    return []


def _tex_solution(k: int, ex: Exercise, figures: list) -> list[str]:
    out = [rf"\subsection*{{Exercise {k}. {tex_text(ex.title)}}}", rf"\textit{{{tex_text(ex.prompt)}}}", ""]
    for part in ex.parts:
        out += _tex_part(part, len(ex.parts) > 1)
    if ex.verdict:
        out += [tex_text(ex.verdict), ""]
    for f in figures:
        out += [r"\begin{center}", f.latex, r"\end{center}"] + ([tex_text(f.caption)] if f.caption else []) + [""]
    out += [rf"\textbf{{Answer.}} {_answer(ex)}", ""]
    return out


def _latex(sheet, solutions: bool) -> str:
    title = f"Solutions. {sheet.title}" if solutions else sheet.title
    figures = [_figures(sheet, ex) if solutions else [] for ex in sheet.exercises]
    graphics = [r"\usepackage{graphicx}"] if any(f.files for fs in figures for f in fs) else []
    out = [*_PREAMBLE[:-1], *graphics, _PREAMBLE[-1], r"\begin{document}", rf"\section*{{{tex_text(title)}}}",
           tex_text(_intro(sheet, solutions)), r"\bigskip", ""]
    for k, (ex, fs) in enumerate(zip(sheet.exercises, figures), 1):
        out += _tex_solution(k, ex, fs) if solutions else _tex_question(k, ex)
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# -- Markdown -----------------------------------------------------------------------------------

def _md_part(part: Part, titled: bool) -> list[str]:
    out = [f"**{_sentence(part.derivation.title)}**", ""] if titled else []
    if part.given:
        out += [_md_math(_given(part.given, "aligned")), ""]
    out += [_md_math(tex_align(part.derivation, part.approx, env="aligned")), "",
            f"*{status_sentence(part.derivation)}*", ""]
    return out


def _markdown(sheet, solutions: bool) -> str:
    title = f"Solutions. {sheet.title}" if solutions else sheet.title
    out = [f"# {title}", "", _intro(sheet, solutions), ""]
    for k, ex in enumerate(sheet.exercises, 1):
        out += [f"## Exercise {k}. {ex.title}", ""]
        if not solutions:
            out += [ex.prompt, "", "**Answer:**", ""] + ["&nbsp;", ""] * (8 if ex.kind in _ROOM else 5)
            continue
        out += [f"*{ex.prompt}*", ""]
        for part in ex.parts:
            out += _md_part(part, len(ex.parts) > 1)
        if ex.verdict:
            out += [ex.verdict, ""]
        for f in _figures(sheet, ex):
            out += [f.markdown, ""] + ([f"*{f.caption}*", ""] if f.caption else [])
        out += [f"**Answer.** {_answer(ex)}", ""]
    return "\n".join(out).rstrip() + "\n"


def render_sheet(sheet, format: str = "markdown", *, solutions: bool = False) -> str:
    """The questions (or, with ``solutions=True``, the solutions) of a sheet as LaTeX or Markdown."""
    if format not in FORMATS:
        raise UnsupportedError(f"format={format!r} is not one of {', '.join(FORMATS)}")
    return _latex(sheet, solutions) if format == "latex" else _markdown(sheet, solutions)
