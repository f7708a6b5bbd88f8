"""``symxent tour``: the worked examples, every figure exact and certified."""

from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tour", help="walk through the worked examples, exactly")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..tour import render_tour

    print(render_tour())
    return 0
