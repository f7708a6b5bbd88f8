"""Optional figures in the solutions: drawn by a plotting module when one is installed, else none.

The sheet draws nothing itself. A figure maker takes an :class:`~symxent.sheet.Exercise` and
returns a :class:`Figure` (self-contained LaTeX, e.g. TikZ/pgfplots code or an
``\\includegraphics`` of a file it wrote, and its Markdown) or None; makers join with
:func:`register_figure`. When a sheet asks for figures, :func:`figures_for` first lets an
installed ``symxent.plot`` register its makers, through a function
``register_sheet_figures(register_figure)`` if that module defines one; without it a sheet with
figures is the sheet without them. ``symxent.plot`` (the ``plot`` extra) defines that hook in
:mod:`symxent.plot.sheet_figures`; the sheet imports it only when figures are asked for.

>>> Figure(r"\fbox{P}", "P", "the two distributions").caption
'the two distributions'
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Figure", "MAKERS", "register_figure", "figures_for"]


@dataclass(frozen=True)
class Figure:
    """A figure of a solution: its LaTeX, its Markdown, a caption, and the files they include.

    ``files`` are ``(name, bytes)`` pairs (a PDF for ``\\includegraphics``, a PNG for Markdown)
    that the sheet writes beside its documents (:meth:`symxent.sheet.Sheet.figure_files`).
    """

    latex: str
    markdown: str
    caption: str = ""
    files: tuple[tuple[str, bytes], ...] = ()


MAKERS: list[Callable[[Any], Figure | None]] = []
_LOADED: list[bool] = []


def register_figure(maker: Callable[[Any], Figure | None]) -> None:
    """Add a figure maker (called with each exercise; None: no figure for it)."""
    if maker not in MAKERS:
        MAKERS.append(maker)


def _load_plot() -> None:
    """Let ``symxent.plot`` register its makers, once, if it is installed and offers the hook."""
    if _LOADED:
        return
    _LOADED.append(True)
    if importlib.util.find_spec("symxent.plot") is None:
        return
    hook = getattr(importlib.import_module("symxent.plot"), "register_sheet_figures", None)
    if callable(hook):
        hook(register_figure)


def figures_for(exercise: Any) -> list[Figure]:
    """The figures the registered makers draw for this exercise (none without a plotting module)."""
    _load_plot()
    return [f for f in (maker(exercise) for maker in MAKERS) if f is not None]
