"""Figures for the solutions of a problem sheet (:mod:`symxent.sheet`, ``symxent sheet --figures``).

:func:`register_sheet_figures` is the hook the sheet calls (``symxent.sheet.figures``): it
registers :func:`sheet_figure`, which draws, for an exercise, the picture of this module that
shows its numbers —

* entropy, cross-entropy, KL, decomposition: :func:`~symxent.plot.distributions` of P (and Q);
* log loss: :func:`~symxent.plot.binary_predictions`, each sample on the curve of its label;
* BCE from a logit: :func:`~symxent.plot.bce_vs_logit`, the sample marked;
* KL of two Bernoullis: :func:`~symxent.plot.kl_bernoulli_heatmap`, the point ``(a, b)`` marked;

and none for the other kinds. A figure is two files, PDF (for LaTeX's ``\\includegraphics``)
and PNG (for Markdown), named after the exercise (``fig-<kind>-<hash>``): the same exercise
gives the same names and the same bytes. The sheet's folder output writes them beside the
documents (``Sheet.figure_files()``).

>>> import symxent
>>> s = symxent.sheet(1, kinds="kl", seed=1, level="dyadic", figures=True)
>>> [name.rsplit(".", 1)[1] for name in sorted(s.figure_files())]
['pdf', 'png']
>>> "\\\\includegraphics" in s.solutions("latex")
True
"""

from __future__ import annotations

import hashlib
import io
from typing import Any, Callable

import sympy as sp

__all__ = ["register_sheet_figures", "sheet_figure"]

_DISTRIBUTIONS = ("entropy", "cross-entropy", "kl", "decomposition")
_UNITS = {"bits": sp.Integer(2), "nats": sp.E, "hartleys": sp.Integer(10)}


def register_sheet_figures(register: Callable[[Callable[[Any], Any]], None]) -> None:
    """Register this module's figure maker with the sheet (``register`` is ``register_figure``)."""
    register(sheet_figure)


def _base(unit: str) -> sp.Expr:
    """The log base of an exercise, read back from its unit (``bits``, ``nats``, ``base 3``)."""
    if unit in _UNITS:
        return _UNITS[unit]
    if unit.startswith("base "):
        from .contributions import numeric_base
        return numeric_base(unit[5:])
    return sp.E


def _given(ex: Any) -> dict[str, tuple]:
    """What the exercise's derivations start from, by symbol name (the first one wins)."""
    out: dict[str, tuple] = {}
    for part in ex.parts:
        for g in part.given:
            out.setdefault(str(g.symbol), tuple(g.values))
    return out


def _draw(ex: Any) -> tuple[Any, str] | None:
    """The matplotlib figure for an exercise and its caption, or None."""
    from . import bce_vs_logit, binary_predictions, distributions, kl_bernoulli_heatmap

    g, base = _given(ex), _base(ex.unit)
    if ex.kind in _DISTRIBUTIONS and "P" in g:
        q = g.get("Q")
        caption = "The distributions P and Q side by side, with the totals of the solution." if q \
            else "The distribution P and the contributions of its events to the entropy."
        return distributions(list(g["P"]), list(q) if q else None, base=base), caption
    if ex.kind == "log-loss" and "y" in g and "yhat" in g:
        return (binary_predictions(list(g["y"]), list(g["yhat"]), base=base),
                "Each prediction on the loss curve of its label; the dashed line is the log loss.")
    if ex.kind == "bce-logit" and "y" in g and "z" in g:
        return (bce_vs_logit(list(g["y"]), list(g["z"]), base=base),
                "The binary cross-entropy against the logit, the exercise's sample marked.")
    if ex.kind == "family-kl" and "a" in g and "b" in g:
        return (kl_bernoulli_heatmap(base=base, p=[g["a"][0]], q=[g["b"][0]], resolution=120),
                "The KL divergence of two Bernoulli distributions over the unit square, (a, b) marked.")
    return None


def _bytes(fig: Any, fmt: str) -> bytes:
    from ._mpl import _metadata

    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=120, metadata=_metadata(fmt))
    return buf.getvalue()


def sheet_figure(ex: Any) -> Any:
    """The :class:`symxent.sheet.Figure` of an exercise (PDF and PNG files), or None for its kind."""
    from ..sheet.figures import Figure

    drawn = _draw(ex)
    if drawn is None:
        return None
    fig, caption = drawn
    name = f"fig-{ex.kind}-" + hashlib.sha256((ex.kind + "\n" + ex.prompt).encode("utf-8")).hexdigest()[:10]
    files = ((f"{name}.pdf", _bytes(fig, "pdf")), (f"{name}.png", _bytes(fig, "png")))
    latex = rf"\includegraphics[width=0.78\linewidth]{{{name}.pdf}}"
    return Figure(latex, f"![{caption}]({name}.png)", caption, files)
