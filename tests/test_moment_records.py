"""The recorded moment integrations (symxent/families/moment_records.json) are what SymPy gives."""

import pytest
import sympy as sp

from symxent.derivation.bound import bounded
from symxent.families.records import Record, lookup, records

CLOSED = sorted((k for k, r in records().items() if r.status == "evaluated" and not r.value.has(sp.Integral, sp.Sum)),
                key=lambda k: records()[k].seconds)


def test_the_records_are_there_and_well_formed():
    assert records(), "symxent/families/moment_records.json is missing: run scripts/record_moments.py"
    assert all(isinstance(r, Record) and r.status in ("evaluated", "out_of_time") for r in records().values())
    assert all((r.value is None) == (r.status == "out_of_time") for r in records().values())
    assert len(CLOSED) >= 20  # most moments of the table are integrals SymPy does


@pytest.mark.parametrize("text", CLOSED, ids=[f"record{i}" for i in range(len(CLOSED))])
def test_a_closed_record_is_what_the_installed_sympy_gives(text):
    """A record that can make a step "verified" is re-derived here: the record vouches for nothing SymPy
    does not give (the bound is generous: the slowest of these takes a few seconds)."""
    integral = sp.sympify(text)  # safe: the package's own record file, as records() reads it
    live = bounded(lambda: integral.doit(), seconds=120.0)
    recorded = lookup(integral).value
    assert live == recorded or bounded(lambda: sp.simplify(live - recorded), seconds=60.0) == 0


def test_an_unrecorded_integral_is_integrated_live():
    from symxent.families import rules
    x = sp.Symbol("x", positive=True)
    integral = sp.Integral(3 * sp.exp(-3 * x), (x, 0, sp.oo))
    assert lookup(integral) is None
    assert rules._integrated(integral) == ("live", 1)
    assert integral in rules.LIVE
