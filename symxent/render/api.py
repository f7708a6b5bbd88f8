"""One entry point for every renderer: :func:`render` a derivation or worked example in a format."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Union

from ..derivation import Derivation
from ..errors import UnsupportedError
from .document import FigureRef, derivation_display, derivation_latex
from .markdown import derivation_markdown
from .plain import derivation_text

if TYPE_CHECKING:  # the worked examples import the renderers: no import at run time
    from ..worked import WorkedExample

__all__ = ["FORMATS", "render", "repr_latex", "repr_markdown"]

Format = Literal["latex", "markdown", "text"]
FORMATS: tuple[str, ...] = ("latex", "markdown", "text")


def render(obj: Union[Derivation, "WorkedExample"], format: Format = "text", *, standalone: bool = False,
           figure: FigureRef | None = None) -> str:
    """``obj`` as LaTeX (``standalone=True``: a complete document), Markdown or plain text.

    ``figure`` names a picture file to include (``\\includegraphics`` in LaTeX, an image link in
    Markdown, a line in text); :mod:`symxent.plot` draws it.

    >>> from symxent.worked import worked_measure
    >>> print(render(worked_measure("entropy", ["1/2", "1/2"], base=2), "text").splitlines()[-1])
    Status: Proved: symxent checked every step, and the steps chain from the left-hand side to the right.
    """
    from ..worked import WorkedExample

    if format not in FORMATS:
        raise UnsupportedError(f"format={format!r} is not one of {', '.join(FORMATS)}")
    if isinstance(obj, WorkedExample):
        if format == "latex":
            return obj.to_latex(standalone=standalone, figure=figure)
        return obj.to_markdown(figure=figure) if format == "markdown" else obj.to_text(figure=figure)
    if not isinstance(obj, Derivation):
        raise UnsupportedError(f"obj={obj!r} is neither a Derivation nor a WorkedExample")
    if format == "latex":
        return derivation_latex(obj, standalone=standalone, figure=figure)
    return derivation_markdown(obj, figure=figure) if format == "markdown" else derivation_text(obj, figure=figure)


def repr_latex(d: Derivation) -> str:
    """Jupyter's ``_repr_latex_``: the steps as one ``aligned`` display.

    >>> import sympy as sp
    >>> from symxent.derivation import Step
    >>> x = sp.Symbol("x")
    >>> print(repr_latex(Derivation("t", "t", x, "=", x, (Step(x, x, "=", "same"),))).splitlines()[0])
    $$\\begin{aligned}
    """
    return derivation_display(d)


def repr_markdown(d: Derivation) -> str:
    """Jupyter's ``_repr_markdown_``: the whole derivation as Markdown.

    >>> import sympy as sp
    >>> from symxent.derivation import Step
    >>> x = sp.Symbol("x")
    >>> repr_markdown(Derivation("t", "Same", x, "=", x, (Step(x, x, "=", "same"),))).splitlines()[0]
    '# Same'
    """
    return derivation_markdown(d)
