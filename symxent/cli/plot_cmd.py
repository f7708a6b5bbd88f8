"""``symxent plot KIND``: write a figure (PNG, SVG or PDF, chosen by the suffix of -o).

``symxent plot distributions --p 1/2,1/4,1/4 --q 1/3,1/3,1/3 --base 2 -o fig.png``; the other
kinds are ``binary-predictions`` (``--y``, ``--q``), ``bce-vs-logit`` (``--y``, ``--z``,
optional) and ``kl-bernoulli-heatmap`` (``--p``, ``--q`` to mark points, optional). Numbers are
read exactly by :func:`symxent.inputs.parse_number_list`; matplotlib is imported only when a
figure is drawn, and its absence is a one-line error naming the extra ``symxent[plot]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from ..inputs import parse_number_list
from ._common import CliError

__all__ = ["register", "run", "KINDS"]

KINDS = ("distributions", "binary-predictions", "bce-vs-logit", "kl-bernoulli-heatmap")
_SUFFIXES = (".png", ".svg", ".pdf")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="draw a figure to PNG, SVG or PDF (needs symxent[plot])",
                       description="Draw a figure of exact values: P and Q with each event's contribution, "
                                   "binary predictions on the -log q curves, BCE against the logit, or "
                                   "KL(Bern(p) || Bern(q)) as a heat map. Numbers are read exactly.")
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=f"the figure: {', '.join(KINDS)}")
    p.add_argument("--p", help="distributions: P, comma-separated; kl-bernoulli-heatmap: p of points to mark")
    p.add_argument("--q", help="distributions: Q (optional); binary-predictions: predicted probabilities "
                               "of class 1; kl-bernoulli-heatmap: q of points to mark")
    p.add_argument("--y", help="binary-predictions, bce-vs-logit: labels, comma-separated 0/1")
    p.add_argument("--z", help="bce-vs-logit: logits, comma-separated")
    p.add_argument("--events", help="distributions: names of the events, comma-separated")
    p.add_argument("--base", default=None, help="log base: 2, e, 10 or any positive number != 1 "
                                                "(default 2 for distributions and the heat map, e otherwise)")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write: .png, .svg or .pdf")
    p.add_argument("--dpi", default="150", help="PNG resolution in dots per inch (default 150)")
    p.set_defaults(run=run)


def _numbers(text: str | None, name: str) -> list | None:
    return None if text is None else parse_number_list(text, name)


def _need(args: argparse.Namespace, *names: str) -> None:
    missing = [f"--{n}" for n in names if getattr(args, n) is None]
    if missing:
        raise CliError(f"plot {args.kind} needs {' and '.join(missing)}")


def _distributions(args: argparse.Namespace, plot: Any) -> Any:
    _need(args, "p")
    events = None if args.events is None else [e.strip() for e in args.events.split(",")]
    return plot.distributions(_numbers(args.p, "p"), _numbers(args.q, "q"), base=args.base or 2, events=events)


def _binary(args: argparse.Namespace, plot: Any) -> Any:
    _need(args, "y", "q")
    return plot.binary_predictions(_numbers(args.y, "y"), _numbers(args.q, "q"), base=args.base or "e")


def _logit(args: argparse.Namespace, plot: Any) -> Any:
    if (args.y is None) != (args.z is None):
        raise CliError("plot bce-vs-logit needs both --y and --z, or neither")
    return plot.bce_vs_logit(_numbers(args.y, "y"), _numbers(args.z, "z"), base=args.base or "e")


def _heatmap(args: argparse.Namespace, plot: Any) -> Any:
    if (args.p is None) != (args.q is None):
        raise CliError("plot kl-bernoulli-heatmap marks points given both --p and --q")
    return plot.kl_bernoulli_heatmap(base=args.base or 2, p=_numbers(args.p, "p"), q=_numbers(args.q, "q"))


_DRAW: dict[str, Callable[[argparse.Namespace, Any], Any]] = {
    "distributions": _distributions, "binary-predictions": _binary, "bce-vs-logit": _logit,
    "kl-bernoulli-heatmap": _heatmap,
}


def _dpi(text: str) -> int:
    if not text.isdigit() or not 20 <= int(text[:6]) <= 1200:
        raise CliError(f"--dpi={text!r} must be an integer from 20 to 1200")
    return int(text)


def run(args: argparse.Namespace) -> int:
    target = Path(args.output)
    if target.suffix.lower() not in _SUFFIXES:
        raise CliError(f"plot: -o {args.output!r} must end in .png, .svg or .pdf")
    dpi = _dpi(args.dpi)
    from .. import plot

    figure = _DRAW[args.kind](args, plot)
    try:
        plot.save(figure, target, dpi=dpi)
    except OSError as err:
        raise CliError(f"plot: -o {args.output!r}: {err.strerror or err}") from None
    print(f"wrote {target}", file=sys.stderr)
    return 0
