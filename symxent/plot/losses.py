"""A binary classifier's losses: the ``-log q`` and ``-log(1 - q)`` curves, and BCE against the logit.

The curves are drawn from float64 formulas (they are pictures); every marked sample, and the
mean line, is the certified float64 of the exact loss from :mod:`symxent.measures`.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Sequence

import sympy as sp

from .. import measures
from ..errors import DomainError, ShapeError
from ..exact import evaluate
from ..inputs import FloatReading, exact_list
from ._mpl import matplotlib, new_figure
from .contributions import certified_float, numeric_base

__all__ = ["binary_predictions", "bce_vs_logit", "sample_losses"]

COLOURS = {1: "#4c72b0", 0: "#c44e52", "mean": "#333333"}


def _labels_and(values: Sequence[Any], labels: Sequence[Any], name: str,
                floats: FloatReading) -> tuple[list[int], list[sp.Expr]]:
    ys, xs = exact_list(labels, "y", floats=floats), exact_list(values, name, floats=floats)
    if len(ys) != len(xs) or not ys:
        raise ShapeError(f"y has {len(ys)} entries and {name} {len(xs)}: need equal, non-zero lengths")
    for k, (y, x) in enumerate(zip(ys, xs)):
        if y not in (0, 1):
            raise DomainError(f"y[{k}]={y} is not a binary label (0 or 1)")
        if x.free_symbols or not x.is_real:
            raise DomainError(f"{name}[{k}]={x} is not a real number")
    return [int(y) for y in ys], xs


def sample_losses(y: Sequence[Any], q: Sequence[Any], *, base: Any = "e",
                  floats: FloatReading = "binary") -> tuple[list[sp.Expr], sp.Expr]:
    """Each sample's exact binary cross-entropy, and their mean (the log loss).

    >>> sample_losses([1, 0], ["1/2", "3/4"], base=2)
    ([1, 2], 3/2)
    """
    _, _, losses, mean = _exact_losses(y, q, numeric_base(base), floats)
    return losses, mean


def _exact_losses(y: Sequence[Any], q: Sequence[Any], b: sp.Expr,
                  floats: FloatReading) -> tuple[list[int], list[sp.Expr], list[sp.Expr], sp.Expr]:
    ys, qs = _labels_and(q, y, "q", floats)
    distinct = {pair: measures.binary_cross_entropy(*pair, base=b) for pair in dict.fromkeys(zip(ys, qs))}
    losses = [distinct[pair] for pair in zip(ys, qs)]
    return ys, qs, losses, sp.Add(*losses) / len(losses)  # the log loss: the mean of the BCE terms


def _unit(base: Any) -> tuple[sp.Expr, str, float]:
    from ..logbase import unit_of

    b = numeric_base(base)
    return b, unit_of(b), certified_float(sp.log(b))


def _mark_samples(ax: Any, xs: list[float], ys: list[int], losses: list[float], top: float) -> None:
    """One marker per sample on the curve of its label; an infinite loss is a triangle at the top."""
    for label in (1, 0):
        finite = [(x, v) for x, y, v in zip(xs, ys, losses) if y == label and math.isfinite(v)]
        infinite = [x for x, y, v in zip(xs, ys, losses) if y == label and not math.isfinite(v)]
        for (x, v), count in Counter(finite).items():
            if count > 1:  # samples on the same point: say how many
                ax.annotate(f"×{count}", (x, v), xytext=(5, 4), textcoords="offset points", fontsize=8,
                            color=COLOURS[label])
        if finite:
            ax.scatter([x for x, _ in finite], [v for _, v in finite], s=42, color=COLOURS[label], zorder=3,
                       edgecolors="white", linewidths=0.8, label=f"samples with y = {label}")
        if infinite:
            ax.scatter(infinite, [top] * len(infinite), marker="^", s=60, color=COLOURS[label], zorder=3,
                       clip_on=False, label=f"y = {label}: loss ∞ (off the top)")


def _mean_line(ax: Any, mean: sp.Expr, unit: str) -> None:
    value = evaluate(mean, 4)
    if value.decimal == "inf":
        ax.plot([], [], " ", label="mean loss = ∞")
        return
    ax.axhline(value.float64, color=COLOURS["mean"], linestyle="--", linewidth=1.2,
               label=f"mean loss = {value.decimal} {unit}")


def _top(finite: list[float], floor: float) -> float:
    return max([floor, *finite]) * 1.18


def binary_predictions(y: Sequence[Any], q: Sequence[Any], *, base: Any = "e",
                       floats: FloatReading = "binary") -> Any:
    """The loss curves ``-log_b q`` (label 1) and ``-log_b(1 - q)`` (label 0), each sample marked.

    Sample i sits at ``(q_i, loss_i)`` on the curve of its label ``y_i``; the dashed line is the
    mean loss (the log loss). Losses are exact, drawn at their certified float64; a loss of
    ``+oo`` (a label given probability 0) is a triangle at the top edge.

    Returns
    -------
    matplotlib.figure.Figure

    >>> fig = binary_predictions([1, 0], ["0.8", "0.4"])
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('predicted probability q of class 1', 'loss (nats)')
    """
    import numpy as np

    b, unit, ln_b = _unit(base)
    ys, qs, losses, mean = _exact_losses(y, q, b, floats)
    matplotlib()
    fig = new_figure(6.8, 4.6)
    ax = fig.subplots()
    floats_of = {v: certified_float(v) for v in dict.fromkeys(losses)}
    values = [floats_of[v] for v in losses]
    top = _top([v for v in values if math.isfinite(v)], 3.0 / ln_b)
    grid = np.linspace(0, 1, 801)[1:-1]
    ax.plot(grid, -np.log(grid) / ln_b, color=COLOURS[1], label=f"$-\\log{_sub(b)} q$  (loss if y = 1)")
    ax.plot(grid, -np.log1p(-grid) / ln_b, color=COLOURS[0], label=f"$-\\log{_sub(b)}(1 - q)$  (loss if y = 0)")
    _mark_samples(ax, [certified_float(v) for v in qs], ys, values, top)
    _mean_line(ax, mean, unit)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted probability q of class 1")
    ax.set_ylabel(f"loss ({unit})")
    ax.set_title(f"Binary cross-entropy of {len(ys)} prediction{'s' * (len(ys) != 1)}")
    ax.legend(loc="upper center", frameon=False, fontsize=9)
    ax.grid(alpha=0.3)
    return fig


def _sub(b: sp.Expr) -> str:
    """The base as a subscript of log in mathtext: ``log_{2}``, ``log_{3/2}``, none for e.

    >>> _sub(sp.Integer(2)), _sub(sp.Rational(3, 2)), _sub(sp.E)
    ('_{2}', '_{3/2}', '')
    """
    return "" if b == sp.E else f"_{{{b}}}"


def bce_vs_logit(y: Sequence[Any] | None = None, z: Sequence[Any] | None = None, *, base: Any = "e",
                 zlim: tuple[float, float] = (-6.0, 6.0), floats: FloatReading = "binary") -> Any:
    """BCE against the logit z: ``softplus(-z)`` for label 1, ``softplus(z)`` for label 0.

    With ``q = sigmoid(z)``, ``-log q = log(1 + e^-z)`` and ``-log(1 - q) = log(1 + e^z)`` (in
    base b, divided by ``ln b``): nearly linear on the wrong side, nearly 0 on the right one.
    Given labels ``y`` and logits ``z``, each sample is marked at its exact loss and the mean is
    drawn dashed; the z range widens to show every sample.

    Returns
    -------
    matplotlib.figure.Figure

    >>> fig = bce_vs_logit()
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('logit z', 'binary cross-entropy (nats)')
    """
    import numpy as np

    b, unit, ln_b = _unit(base)
    if (y is None) != (z is None):
        raise ShapeError("bce_vs_logit needs both y and z (labels and logits), or neither")
    marked = None
    if y is not None and z is not None:
        ys, zs = _labels_and(z, y, "z", floats)
        losses = [measures.binary_cross_entropy(yi, 1 / (1 + sp.exp(-zi)), base=b) for yi, zi in zip(ys, zs)]
        marked = (ys, [certified_float(v) for v in zs], [certified_float(v) for v in losses],
                  sp.Add(*losses) / len(losses))
    lo, hi = float(zlim[0]), float(zlim[1])
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise DomainError(f"zlim={zlim!r} must be two finite numbers, the first smaller")
    if marked is not None:
        lo, hi = min(lo, min(marked[1]) - 0.5), max(hi, max(marked[1]) + 0.5)
    matplotlib()
    fig = new_figure(6.8, 4.6)
    ax = fig.subplots()
    grid = np.linspace(lo, hi, 801)
    ax.plot(grid, np.logaddexp(0, -grid) / ln_b, color=COLOURS[1], label="y = 1:  softplus(−z) = −log σ(z)")
    ax.plot(grid, np.logaddexp(0, grid) / ln_b, color=COLOURS[0], label="y = 0:  softplus(z) = −log(1 − σ(z))")
    if marked is not None:
        ys, xs, values, mean = marked
        _mark_samples(ax, xs, ys, values, math.inf)
        _mean_line(ax, mean, unit)
    ax.axvline(0, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, None)
    ax.set_xlabel("logit z")
    ax.set_ylabel(f"binary cross-entropy ({unit})")
    ax.set_title("Binary cross-entropy against the logit" + ("" if b == sp.E else f" (log base {b})"))
    ax.legend(loc="upper center", frameon=False, fontsize=9)
    ax.grid(alpha=0.3)
    return fig
