"""Two distributions side by side, and what each event adds to H(P), H(P, Q) and KL(P || Q)."""

from __future__ import annotations

import math
from typing import Any, Sequence

import sympy as sp

from ..exact import evaluate
from ..inputs import FloatReading
from ._mpl import matplotlib, new_figure
from .contributions import EventContributions, certified_float, event_contributions

__all__ = ["distributions"]

COLOURS = {"p": "#4c72b0", "q": "#dd8452", "entropy": "#4c72b0", "cross_entropy": "#8172b3", "kl": "#55a868"}
NAMES = {"entropy": "H(P)", "cross_entropy": "H(P, Q)", "kl": "KL(P ‖ Q)"}
INFINITE_HATCH = "///"


def distributions(p: Any, q: Any = None, *, base: Any = 2, events: Sequence[str] | None = None,
                  floats: FloatReading = "binary") -> Any:
    """Bars of P and Q per event, and each event's contribution to H(P), H(P, Q), KL(P ‖ Q).

    The top panel shows the probabilities (labelled with their exact values); the bottom panel
    the terms ``-p_i log_b p_i``, ``-p_i log_b q_i`` and ``p_i log_b(p_i / q_i)`` in the unit of
    ``base``, whose sums (in the legend) are the three measures. Terms are computed exactly
    and drawn at their certified float64; ``0 log 0 = 0`` draws nothing, and an infinite term
    (``p_i > 0``, ``q_i = 0``) is a hatched bar to the top of the panel marked ``∞``. Without
    ``q`` only P and H(P) are drawn.

    Returns
    -------
    matplotlib.figure.Figure

    >>> fig = distributions(["1/2", "1/4", "1/4"], ["1/3", "1/3", "1/3"], base=2)
    >>> fig.axes[1].get_ylabel()
    'contribution (bits)'
    >>> [float(b.get_height()) for b in fig.axes[1].containers[0]]  # -p_i log2 p_i
    [0.5, 0.5, 0.5]
    """
    c = event_contributions(p, q, base=base, floats=floats)
    names = _event_names(events, len(c.p))
    matplotlib()
    fig = new_figure(min(11.0, max(6.4, 1.2 * len(c.p) + 2.5)), 6.4)
    top, bottom = fig.subplots(2, 1, sharex=True)
    _probabilities(top, c, names)
    _contributions(bottom, c, names)
    fig.suptitle(f"P{'' if c.q is None else ' and Q'} per event, and each event's contribution "
                 f"(log base {c.base_text}: {c.unit})")
    return fig


def _event_names(events: Sequence[str] | None, n: int) -> list[str]:
    from ..errors import ShapeError

    if events is None:
        return [f"event {i + 1}" if n <= 8 else str(i + 1) for i in range(n)]
    names = [str(e) for e in events]
    if len(names) != n:
        raise ShapeError(f"events has {len(names)} names but p has {n} entries")
    return names


def _offsets(k: int, width: float) -> list[float]:
    return [(j - (k - 1) / 2) * width for j in range(k)]


def _probabilities(ax: Any, c: EventContributions, names: list[str]) -> None:
    series = [("P", c.p, COLOURS["p"])] + ([] if c.q is None else [("Q", c.q, COLOURS["q"])])
    width = 0.8 / len(series)
    for (label, values, colour), dx in zip(series, _offsets(len(series), width)):
        heights = [certified_float(v) for v in values]
        bars = ax.bar([i + dx for i in range(len(values))], heights, width, label=label, color=colour)
        if len(values) <= 12:
            ax.bar_label(bars, labels=[f"${sp.latex(v)}$" for v in values], padding=2, fontsize=8)
    ax.set_ylabel("probability")
    ax.set_ylim(0, max(certified_float(v) for v in (*c.p, *(c.q or ()))) * 1.22 or 1)
    ax.legend(loc="upper right", frameon=False, ncols=2)
    ax.grid(axis="y", alpha=0.3)


def _legend_label(c: EventContributions, quantity: str) -> str:
    total = c.total(quantity)
    value = evaluate(total, 4)
    shown = "∞" if value.decimal == "inf" else value.decimal
    return f"{NAMES[quantity]} = {shown} {c.unit}"


def _contributions(ax: Any, c: EventContributions, names: list[str]) -> None:
    quantities = ["entropy"] + ([] if c.q is None else ["cross_entropy", "kl"])
    values = {k: c.floats(k) for k in quantities}
    finite = [v for k in quantities for v in values[k] if math.isfinite(v)]
    high, low = max([0.0, *finite]), min([0.0, *finite])
    cap = high + 0.25 * ((high - low) or 1.0)  # where an infinite bar ends
    width = 0.8 / len(quantities)
    for quantity, dx in zip(quantities, _offsets(len(quantities), width)):
        heights = [cap if math.isinf(v) else v for v in values[quantity]]
        xs = [i + dx for i in range(len(heights))]
        bars = ax.bar(xs, heights, width, label=_legend_label(c, quantity), color=COLOURS[quantity])
        for bar, v, x in zip(bars, values[quantity], xs):
            if math.isinf(v):
                bar.set_hatch(INFINITE_HATCH)
                bar.set_alpha(0.55)
                ax.text(x, cap, "∞", ha="center", va="bottom", fontsize=13, color=COLOURS[quantity])
    for i, p_i in enumerate(c.p):
        if p_i == 0:
            ax.text(i, 0, "p = 0:\n0 · log 0 = 0", ha="center", va="bottom", fontsize=8, color="dimgrey")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylim(low - 0.08 * ((high - low) or 1.0), cap + 0.4 * ((high - low) or 1.0))
    ax.set_ylabel(f"contribution ({c.unit})")
    ax.set_xticks(range(len(names)), names)
    if sum(len(name) for name in names) > 80:  # too long to stand side by side
        ax.tick_params(axis="x", labelrotation=90)
    ax.set_xlabel("event")
    ax.legend(loc="upper right", frameon=False, fontsize=9, ncols=len(quantities))
    ax.grid(axis="y", alpha=0.3)
