"""``symxent eval MEASURE``: one quantity, exactly, with certified digits and its LaTeX."""

from __future__ import annotations

import argparse

import sympy as sp

from .. import measures
from ..timebound import check_seconds
from ..exact import closed_form, evaluate
from ..inputs import parse_number_list
from ..logbase import as_base, base_label, unit_of
from ._common import CliError, print_json

__all__ = ["register", "run", "evaluate_measure"]

MEASURES = {
    "entropy": ("H(P)", ("p",)),
    "cross-entropy": ("H(P, Q)", ("p", "q")),
    "kl": ("KL(P || Q)", ("p", "q")),
    "js": ("JS(P, Q)", ("p", "q")),
    "log-loss": ("log loss", ("y", "q")),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate one measure exactly, with certified digits",
                       description="Evaluate a measure exactly. Numbers are read as exact decimals "
                                   "(0.1 is 1/10) or fractions (1/3).")
    p.add_argument("measure", choices=sorted(MEASURES), help="the quantity")
    p.add_argument("--p", help="P, comma-separated probabilities (e.g. 0.1,0.4,0.5)")
    p.add_argument("--q", help="Q, comma-separated; for log-loss the predicted probabilities "
                               "(class-1 probabilities, or K-class rows separated by ';')")
    p.add_argument("--y", help="log-loss labels, comma-separated (0/1, or classes 0..K-1)")
    p.add_argument("--base", default="e", help="log base: 2, e, 10 or any positive number != 1 (default e)")
    p.add_argument("--digits", default="15", help="significant digits to certify (default 15)")
    p.add_argument("--seconds", default="60", help="time bound in seconds, in (0, 3600] (default 60)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _digits(text: str) -> int:
    try:
        return int(text) if len(text) < 20 else int("x")
    except ValueError:
        raise CliError(f"--digits={text!r} is not an integer") from None


def _require(args: argparse.Namespace, needed: tuple[str, ...]) -> None:
    for name in needed:
        if getattr(args, name) is None:
            raise CliError(f"{args.measure} needs --{name}")


def _rows(text: str) -> list:
    if ";" in text:
        return [parse_number_list(row, f"q[{i}]") for i, row in enumerate(text.split(";"))]
    return parse_number_list(text, "q")


def evaluate_measure(measure: str, args: argparse.Namespace) -> sp.Expr:
    """The exact expression of ``measure`` for the arguments of the command line."""
    base = as_base(args.base)
    if measure == "entropy":
        return measures.entropy(parse_number_list(args.p, "p"), base=base)
    if measure == "cross-entropy":
        return measures.cross_entropy(parse_number_list(args.p, "p"), parse_number_list(args.q, "q"), base=base)
    if measure == "kl":
        return measures.kl_divergence(parse_number_list(args.p, "p"), parse_number_list(args.q, "q"), base=base)
    if measure == "js":
        return measures.js_divergence(parse_number_list(args.p, "p"), parse_number_list(args.q, "q"), base=base)
    return measures.log_loss(parse_number_list(args.y, "y"), _rows(args.q), base=base)


def run(args: argparse.Namespace) -> int:
    symbol, needed = MEASURES[args.measure]
    _require(args, needed)
    digits = _digits(args.digits)
    seconds = check_seconds(args.seconds, "--seconds")
    base = as_base(args.base)
    expr = evaluate_measure(args.measure, args)
    value = evaluate(expr, digits, seconds=seconds)
    exact = closed_form(expr)
    exact = expr if exact is None else exact
    record = {
        "measure": args.measure,
        "exact": str(exact),
        "latex": sp.latex(exact),
        "value": value.decimal,
        "float64": value.float64,
        "unit": unit_of(base),
        "base": base_label(base),
        "digits": digits,
    }
    if args.json:
        record["float64"] = repr(value.float64)
        print_json(record)
        return 0
    width = 8
    print(f"{args.measure}  {symbol}, log base {base_label(base)} ({unit_of(base)})")
    print(f"  {'exact':<{width}}{exact}")
    print(f"  {'value':<{width}}{value.decimal} {unit_of(base)}   ({digits} significant digits, certified)")
    print(f"  {'float64':<{width}}{value.float64!r}")
    print(f"  {'LaTeX':<{width}}{record['latex']}")
    return 0
