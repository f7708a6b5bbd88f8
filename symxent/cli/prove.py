"""``symxent prove [NAME ...|--all] [--json]`` and ``symxent prove --list``: the catalogue, proved.

Exit code 0 when every identity asked for is proved, 1 otherwise, 2 for bad input.
"""

from __future__ import annotations

import argparse
import time

import sympy as sp

from ..derivation import Derivation
from ..identities import Identity, catalogue, get
from ._common import CliError, print_json

__all__ = ["register", "run", "record", "statement_latex"]

_LATEX_REL = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">", "!=": r"\ne"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prove", help="prove catalogue identities step by step (general n)",
                       description="Prove identities of the catalogue: each step is checked by the rule it "
                                   "cites, under the stated assumptions. Exit 0 iff all asked are proved.")
    p.add_argument("names", nargs="*", metavar="NAME", help="identities to prove (see --list)")
    p.add_argument("--all", action="store_true", help="prove the whole catalogue")
    p.add_argument("--list", action="store_true", help="list the catalogue and exit")
    p.add_argument("--families", action="store_true",
                   help="prove every derivation of the parametric families (entropy and KL of each pair)")
    p.add_argument("--json", action="store_true", help="print a JSON list of results")
    p.set_defaults(run=run)


def statement_latex(d: Derivation) -> str:
    """``lhs REL rhs`` in LaTeX; a statement of several parts joins them with commas."""
    if d.parts:
        return r",\quad ".join(statement_latex(p) for p in d.parts)
    return f"{sp.latex(d.lhs)} {_LATEX_REL[d.relation]} {sp.latex(d.rhs)}"


def _steps(d: Derivation) -> int:
    return sum(_steps(p) for p in d.parts) if d.parts else len(d.steps)


def _first_gap(d: Derivation):
    for part in (d.parts or (d,)):
        step = part.first_unproved()
        if step is not None:
            return part, step
    return None


def record(ident: Identity) -> tuple[dict, Derivation]:
    """Prove one identity; the JSON record and the derivation."""
    start = time.perf_counter()
    d = ident.derive()
    status = d.status
    seconds = time.perf_counter() - start
    rec = {"name": ident.name, "number": ident.number, "status": status, "statement": statement_latex(d),
           "assumptions": list(dict.fromkeys(a.text for a in d.assumptions)), "steps": _steps(d),
           "seconds": round(seconds, 4)}
    gap = _first_gap(d)
    if status != "proved" and gap is not None:
        rec["first_unproved"] = {"part": gap[0].name, "justification": gap[1].justification, "detail": gap[1].detail}
    return rec, d


def run(args: argparse.Namespace) -> int:
    from ..families.catalogue import entries, find

    if args.list:
        for ident in (entries() if args.families else catalogue()):  # --list --families: the family derivations
            print(f"{ident.number:>2}. {ident.name:<26} {ident.summary}")
        return 0
    if sum(map(bool, (args.all, args.names, args.families))) > 1:
        raise CliError("prove: give NAME ..., --all or --families, not two of them")
    if not (args.all or args.names or args.families):
        raise CliError("prove: give NAME ... or --all (see symxent prove --list)")
    idents = catalogue() if args.all else list(entries()) if args.families else \
        [find(name) or get(name) for name in args.names]
    records = []
    for ident in idents:
        rec, _ = record(ident)
        records.append(rec)
        if not args.json:
            mark = "proved " if rec["status"] == "proved" else rec["status"].upper()
            print(f"{mark:<10} {rec['name']:<26} {rec['steps']:>3} steps  {rec['seconds']:.3f} s   {ident.summary}")
            if "first_unproved" in rec:
                gap = rec["first_unproved"]
                print(f"           stops at {gap['part']}: {gap['justification']} -- {gap['detail']}")
    if args.json:
        print_json(records)
    else:
        proved = sum(r["status"] == "proved" for r in records)
        print(f"{proved}/{len(records)} proved in {sum(r['seconds'] for r in records):.2f} s")
    return 0 if all(r["status"] == "proved" for r in records) else 1
