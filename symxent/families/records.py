"""SymPy's results for the moment integrals, recorded once so that a verdict never depends on the clock.

Some moment integrals take SymPy seconds to a minute (Beta's ``E[log X]`` about 60 s, only to come
back unevaluated), so under a time bound their verdict would change with the machine's load, and
``derivations/`` would not regenerate identically. Instead, ``scripts/record_moments.py`` runs
``Integral.doit()`` on every moment integral that the shipped derivations cite, under a generous
bound, and writes the results to ``moment_records.json`` beside this module:

- ``"evaluated"``: SymPy's value (``srepr``), which the ``moment`` rule then treats as it would a
  fresh result (the branch the assumptions select, compared with the table entry; a value still
  holding an integral leaves the step "unverified"). ``tests/test_moment_records.py`` re-runs
  every integral whose recorded value is closed with the installed SymPy and checks it gets the
  recorded value, so a record never vouches for a value SymPy does not give;
- ``"out_of_time"``: SymPy did not finish within the recording bound. The step is "unverified".

An integral that has no record is integrated live, under :data:`~symxent.families.rules.MOMENT_SECONDS`.
The file is package data written by the project's script, never user input.

>>> import sympy as sp
>>> x = sp.Symbol("x", positive=True)
>>> lookup(sp.Integral(sp.exp(-x), (x, 0, sp.oo))) is None   # not one of the recorded moments
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sympy as sp

__all__ = ["RECORDS_FILE", "Record", "lookup", "records", "key"]

RECORDS_FILE = Path(__file__).with_name("moment_records.json")


@dataclass(frozen=True)
class Record:
    """One recorded integration: its outcome, SymPy's value (when evaluated) and what it cost."""

    status: str                 # "evaluated" or "out_of_time"
    value: sp.Expr | None
    seconds: float
    sympy_version: str


def key(integral: sp.Expr) -> str:
    """The record's key: the integral's ``srepr`` (symbols with their assumptions)."""
    return sp.srepr(integral)


def _parse(text: str) -> sp.Expr:
    """``srepr`` text back to the expression. SymPy prints hyper's argument tuples as ``TupleArg``,
    which its constructor does not take back (they are read as the plain tuples hyper builds them
    from), and Risch's ``NonElementaryIntegral`` is not in SymPy's namespace; any other unknown name
    is an error, never a new undefined function."""
    from sympy.integrals.risch import NonElementaryIntegral
    # safe: srepr text from the package's own moment_records.json (written by scripts/record_moments.py), never user input
    out = sp.sympify(text, locals={"TupleArg": sp.Tuple, "NonElementaryIntegral": NonElementaryIntegral})
    unknown = out.atoms(sp.core.function.AppliedUndef)
    if unknown:
        raise ValueError(f"the record names functions SymPy does not know: {sorted(map(str, unknown))}")
    return out


@lru_cache(maxsize=1)
def records() -> dict[str, Record]:
    """The recorded integrations, by :func:`key` (empty when the file is absent)."""
    if not RECORDS_FILE.exists():
        return {}
    data = json.loads(RECORDS_FILE.read_text(encoding="utf-8"))
    version = data.get("sympy", "?")
    out = {}
    for entry in data.get("records", []):
        value = _parse(entry["value"]) if entry.get("value") is not None else None
        out[entry["integral"]] = Record(entry["status"], value, float(entry["seconds"]), version)
    return out


def lookup(integral: sp.Expr) -> Record | None:
    """The record of ``integral``, or None when it was never recorded."""
    return records().get(key(integral))
