"""KL(Bern(p) ‖ Bern(q)) over the unit square, as a heat map with a colorbar."""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from .. import measures
from ..distributions import bernoulli
from ..errors import DomainError, ShapeError
from ..exact import evaluate
from ..inputs import FloatReading, exact, exact_list
from ._mpl import matplotlib, new_figure
from .contributions import certified_float, numeric_base

__all__ = ["kl_bernoulli_heatmap", "kl_bernoulli_grid"]

_LEVELS = (0.05, 0.25, 1.0, 2.0, 4.0)  # contour lines, in the unit of the base


def kl_bernoulli_grid(resolution: int, ln_b: float) -> tuple[Any, Any, Any]:
    """Cell centres ``(k + 1/2) / n`` of p and q and KL at each centre (float64, for colour).

    ``kl[i, j]`` is ``KL(Bern(p[j]) ‖ Bern(q[i]))`` divided by ``ln b``: rows are q, columns p.

    >>> p, q, kl = kl_bernoulli_grid(4, 1.0)
    >>> p.tolist(), float(kl[1, 1])
    ([0.125, 0.375, 0.625, 0.875], 0.0)
    """
    import numpy as np

    centres = (np.arange(resolution) + 0.5) / resolution
    p, q = centres[None, :], centres[:, None]
    kl = p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
    return centres, centres, np.maximum(kl, 0.0) / ln_b  # KL >= 0: clear a rounding below 0


def _points(p: Any, q: Any, floats: FloatReading) -> list[tuple[sp.Expr, sp.Expr]]:
    if p is None and q is None:
        return []
    if p is None or q is None:
        raise ShapeError("kl_bernoulli_heatmap marks points given both p and q")
    ps = exact_list(p, "p", floats=floats) if _is_list(p) else [exact(p, "p", floats=floats)]
    qs = exact_list(q, "q", floats=floats) if _is_list(q) else [exact(q, "q", floats=floats)]
    if len(ps) != len(qs):
        raise ShapeError(f"p has {len(ps)} entries but q has {len(qs)}")
    for k, (pk, qk) in enumerate(zip(ps, qs)):
        bernoulli(pk, f"p[{k}]"), bernoulli(qk, f"q[{k}]")
        if pk.free_symbols or qk.free_symbols:
            raise DomainError(f"point {k} ({pk}, {qk}) is not numeric: a picture needs numbers")
    return list(zip(ps, qs))


def _is_list(x: Any) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, str) and "," in x)


def kl_bernoulli_heatmap(*, base: Any = 2, p: Any = None, q: Any = None, resolution: int = 240,
                         floats: FloatReading = "binary") -> Any:
    """A heat map of ``KL(Bern(p) ‖ Bern(q))`` over ``0 < p, q < 1``, in the unit of ``base``.

    Zero on the diagonal ``p = q``, growing without bound towards ``q = 0`` or ``q = 1`` with p
    away from it. The colours are float64 values at the cell centres (a square-root colour
    scale, so the small values near the diagonal stay visible), with labelled contour lines;
    points ``(p, q)`` given are marked with their exact KL, certified.

    Returns
    -------
    matplotlib.figure.Figure

    >>> fig = kl_bernoulli_heatmap(base=2, p="0.1", q="0.5", resolution=50)
    >>> fig.axes[1].get_ylabel()
    'KL(Bern(p) ‖ Bern(q))  (bits)'
    """
    from ..logbase import unit_of

    if not isinstance(resolution, int) or not 8 <= resolution <= 2000:
        raise DomainError(f"resolution={resolution!r} must be an integer from 8 to 2000")
    b = numeric_base(base)
    unit, ln_b = unit_of(b), certified_float(sp.log(b))
    points = _points(p, q, floats)
    mpl = matplotlib()
    ps, qs, kl = kl_bernoulli_grid(resolution, ln_b)
    fig = new_figure(6.4, 5.4)
    ax = fig.subplots()
    image = ax.imshow(kl, origin="lower", extent=(0, 1, 0, 1), cmap="viridis", aspect="equal",
                      norm=mpl.colors.PowerNorm(gamma=0.5, vmin=0.0, vmax=float(kl.max())),
                      interpolation="nearest")
    levels = [v for v in _LEVELS if v < kl.max()]
    lines = ax.contour(ps, qs, kl, levels=levels, colors="white", linewidths=0.7, alpha=0.8)
    ax.clabel(lines, fmt=lambda v: f"{v:g}", fontsize=8)
    ax.plot([0, 1], [0, 1], color="white", linestyle="--", linewidth=0.9)
    ax.text(0.5, 0.56, "p = q:  KL = 0", rotation=45, rotation_mode="anchor", color="white", fontsize=8,
            ha="center", va="bottom")
    for pk, qk in points:
        _mark(ax, pk, qk, b, unit)
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    top = float(kl.max())
    ticks = [0.0, *levels, *(float(2**k) for k in range(3, 12) if 2**k < top)]  # the contour levels too
    bar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
    bar.set_label(f"KL(Bern(p) ‖ Bern(q))  ({unit})")
    ax.set_xlabel("p (true probability of class 1)")
    ax.set_ylabel("q (predicted probability of class 1)")
    ax.set_title(f"KL divergence of two Bernoulli distributions, in {unit}")
    if points:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, frameon=False, ncols=2)
    return fig


def _mark(ax: Any, p: sp.Expr, q: sp.Expr, b: sp.Expr, unit: str) -> None:
    value = evaluate(measures.kl_divergence(bernoulli(p, "p"), bernoulli(q, "q"), base=b), 4)
    x, y = certified_float(p), certified_float(q)
    shown = "∞" if value.decimal == "inf" else value.decimal
    ax.scatter([x], [y], marker="X", s=70, color="#c44e52", edgecolors="white", linewidths=0.8, zorder=4,
               clip_on=False, label=f"p = {p}, q = {q}:  KL = {shown} {unit}")
    dx = -0.03 if x > 0.6 else 0.03
    ax.annotate(shown, (x, y), xytext=(x + dx, y + (0.04 if y < 0.9 else -0.06)), color="white",
                fontsize=9, ha="right" if dx < 0 else "left",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "black", "alpha": 0.5, "linewidth": 0})
