"""``symxent verify "LHS" "RHS" [--where "p in (0,1)" ...] [--relation <=] [--json]``.

Exit code 0 when the claim is proved, 1 when it is disproved or undecided, 2 for bad input.
"""

from __future__ import annotations

import argparse

import sympy as sp

from ..derivation.bound import check_seconds
from ..derivation.verify import verify
from ..parsing import parse_where
from ._common import print_json

__all__ = ["register", "run"]

GRAMMAR = """\
claims are typed in a small, safe grammar (parsed, never executed):
  numbers       2, 0.1, 1/3, 2.5e-3 (exact: 0.1 is 1/10); constants pi, e, oo
  operators     + - * / ** and parentheses
  symbols       lower-case names (p, z, sigma, mu1): real numbers, domains via --where
  sizes         n (events), N (samples), K (classes): positive integers
  distributions P, Q, R, ... (one capital letter): an n-event distribution with entries
                in (0, 1] summing to 1; or a list [a, 1 - a]; or Bernoulli(a)
  measures      H(P) entropy, H(P, Q) or CE(P, Q) cross-entropy, KL(P, Q), JS(P, Q),
                each with an optional base=2; BCE(y, q); gaussian_nll(y, mu, sigma); mse(y, y_hat)
  functions     log(x), log(x, b), ln, log2, log10, exp, sqrt, abs, max, min, sigmoid, softplus
  sums          Sum(f, i, 1, N) with subscripts x[i]
domains (--where, repeatable):  "p in (0, 1)", "y in [0, 1]", "y in {0, 1}", "z in R", "s > 0"
a side may start with "-" (or, options first, go after "--"):
  symxent verify "-log(q)" "BCE(1, q)" --where "q in (0, 1)"
examples:
  symxent verify "H(P, Q)" "H(Q, P)"                      -> disproved, with a counterexample
  symxent verify "H(P, Q)" "H(P) + KL(P, Q)"              -> proved
  symxent verify "KL(P, Q)" 0 --relation ">="             -> proved (Gibbs' inequality)
  symxent verify "BCE(y, sigmoid(z))" "max(z, 0) - z*y + log(1 + exp(-abs(z)))" --where "y in [0, 1]"
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="prove or disprove a claim LHS = RHS (or <=, >=)",
                       description="Decide a claim: proved (with a checked derivation), disproved (with an "
                                   "exact counterexample, certified), or undecided. Exit 0 iff proved.",
                       epilog=GRAMMAR, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lhs", help="left-hand side")
    p.add_argument("rhs", help="right-hand side")
    p.add_argument("--where", action="append", default=[], metavar="DOMAIN",
                   help='a symbol\'s domain, e.g. "p in (0, 1)" (repeatable)')
    p.add_argument("--relation", default="=", choices=["=", "<=", ">=", "<", ">"], help="the relation (default =)")
    p.add_argument("--seconds", default="10", help="time bound in seconds, in (0, 3600] (default 10)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    seconds = check_seconds(args.seconds, "--seconds")
    where = dict(parse_where(w) for w in args.where)
    args.lhs, args.rhs = args.lhs.strip(), args.rhs.strip()  # shield_expressions' leading space
    result = verify(args.lhs, args.rhs, where, args.relation, seconds=seconds)
    point = {str(k): str(v) for k, v in (result.counterexample or {}).items()}
    rec = {"status": result.status, "claim": f"{args.lhs} {result.relation} {args.rhs}", "lhs": str(result.lhs), "rhs": str(result.rhs), "relation": result.relation,
           "lhs_latex": sp.latex(result.lhs), "rhs_latex": sp.latex(result.rhs),
           "assumptions": [a.text for a in result.assumptions], "counterexample": point or None,
           "values": dict(zip(("lhs", "rhs"), result.values)) if result.values else None, "detail": result.detail}
    if args.json:
        print_json(rec)
    else:
        print(f"{result.status}: {args.lhs} {result.relation} {args.rhs}")  # the claim as typed
        read = f"{result.lhs} {result.relation} {result.rhs}"
        if read.replace(" ", "") != f"{args.lhs}{result.relation}{args.rhs}".replace(" ", ""):
            print(f"  read as: {read}")
        if point:
            print("  counterexample: " + ", ".join(f"{k} = {v}" for k, v in point.items()))
            print(f"  there lhs = {rec['values']['lhs']}, rhs = {rec['values']['rhs']} (certified digits)")
        print(f"  {result.detail}")
    return 0 if result.status == "proved" else 1
