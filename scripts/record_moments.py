"""Record SymPy's integration of every moment integral the shipped derivations cite.

Writes ``symxent/families/moment_records.json`` (see :mod:`symxent.families.records`), so that
the ``moment`` steps of ``derivations/`` get the same verdict on every machine, whatever its load.
Run it after a change to the families, their moments table or SymPy's version::

    python scripts/record_moments.py            # record the integrals that have no record yet
    python scripts/record_moments.py --all      # re-record every one
    python scripts/record_moments.py --jobs 2 --seconds 180

then regenerate ``derivations/`` (``symxent derive --all -o derivations/ --force``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time

import sympy as sp


def _cited() -> list[sp.Expr]:
    """The moment integrals the shipped derivations cite (after their substitutions)."""
    import symxent.families.rules as rules
    from symxent.render.folder import documents

    seen: list = []

    def collect(before):
        seen.append(before)
        return "out_of_time", None

    real = rules._integrated
    rules._integrated = collect
    try:
        documents()
    finally:
        rules._integrated = real
    return list(dict.fromkeys(seen))


def _integrate(args: tuple[str, float]) -> dict:
    text, seconds = args
    from symxent.derivation.bound import OutOfTime, bounded
    from symxent.families.records import _parse

    integral = _parse(text)
    started = time.monotonic()
    try:
        value = bounded(lambda: integral.doit(), seconds=seconds)
        status, out = "evaluated", sp.srepr(value)
        if _parse(out) != value:
            raise RuntimeError(f"SymPy's value does not read back from its srepr: {out}")
    except OutOfTime:
        status, out = "out_of_time", None
    return {"integral": text, "status": status, "value": out, "seconds": round(time.monotonic() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    from symxent.families.records import RECORDS_FILE, key
    from symxent.families.rules import RECORD_SECONDS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="re-record every integral, not only the new ones")
    ap.add_argument("--jobs", type=int, default=max(1, (mp.cpu_count() or 2) // 2))
    ap.add_argument("--seconds", type=float, default=RECORD_SECONDS)
    opts = ap.parse_args(argv)

    old = json.loads(RECORDS_FILE.read_text(encoding="utf-8")) if RECORDS_FILE.exists() else {"records": []}
    kept = {} if opts.all else {r["integral"]: r for r in old["records"]}
    cited = [key(i) for i in _cited()]
    todo = [k for k in cited if k not in kept]
    print(f"{len(cited)} integrals cited, {len(todo)} to record (bound {opts.seconds:g} s, {opts.jobs} jobs)",
          file=sys.stderr)
    with mp.get_context("spawn").Pool(opts.jobs) as pool:
        for rec in pool.imap_unordered(_integrate, [(k, opts.seconds) for k in todo]):
            kept[rec["integral"]] = rec
            print(f"  {rec['status']:<12} {rec['seconds']:>6.1f} s  {_parse_short(rec['integral'])}", file=sys.stderr)
    out = {"sympy": sp.__version__, "bound_seconds": opts.seconds,
           "records": [kept[k] for k in sorted(set(cited) & set(kept))]}
    RECORDS_FILE.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RECORDS_FILE} ({len(out['records'])} records)", file=sys.stderr)
    return 0


def _parse_short(text: str) -> str:
    from symxent.families.records import _parse
    return str(_parse(text))[:100]


if __name__ == "__main__":
    sys.exit(main())
