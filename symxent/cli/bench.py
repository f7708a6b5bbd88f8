"""``symxent bench``: time the certified kernels against float64 libraries, side by side."""

from __future__ import annotations

import argparse

from ..errors import SymxentError
from ._common import print_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time certified losses against sklearn/scipy/numpy float64")
    p.add_argument("--quick", action="store_true", help="small sizes, finishes in well under a minute")
    p.add_argument("--json", action="store_true", help="print a JSON list of result objects")
    p.add_argument("--only", action="append", metavar="CASE",
                   help="run only this case (repeatable): bce_prob, bce_prob_repeats, cce_prob, cce_logits, "
                        "kl_float_weights, entropy, kl_close; adversarial, each beside its clean case: "
                        "bce_subnormal, entropy_tiny_w, losses_0.1pct, kl_near_equal, bce_soft, first_call")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from ..kernels.bench import CASES, format_table, run_bench
    except ImportError as missing:  # numpy is an optional extra
        raise SymxentError(f"'symxent bench' needs the optional package {missing.name or str(missing)!r}; "
                           "install it, e.g. pip install 'symxent[bench]'") from None
    unknown = [c for c in args.only or () if c not in CASES]
    if unknown:
        raise SymxentError(f"--only={unknown[0]!r} is not a bench case; choose from {', '.join(CASES)}")
    rows = run_bench(quick=args.quick, only=args.only or CASES)
    if args.json:
        print_json(rows)
    else:
        print(format_table(rows))
        print("ratio = certified time / baseline time (min of interleaved repeats); digits = certified "
              "significant digits of the mean; ref ok = a subsample's certified interval contains the "
              "reference path's enclosure at 256 bits; vs clean = the same loss on clean data of the same "
              "size.")
    return 0 if all(r["contains_reference"] for r in rows) else 1
