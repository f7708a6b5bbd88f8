"""One case's failure never takes down the report: it becomes that library's row, with the error."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from symxent.cli import main
from symxent.crosscheck import compare, make_problem
from symxent.crosscheck import numpy_adapter, report as report_mod


def test_an_oracle_exception_becomes_the_row_and_keeps_the_value(monkeypatch):
    real_cases = numpy_adapter.cases

    def boom(rows):
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    def broken(p):
        return [dataclasses.replace(c, terms_of=boom) for c in real_cases(p)]

    monkeypatch.setattr(numpy_adapter, "cases", broken)
    r = compare(make_problem("kl", [0.5, 0.5], [0.25, 0.75]), libs=["numpy"], digits=20)
    (row,) = r.results
    expected = float(np.sum(np.array([0.5, 0.5]) * np.log(np.array([0.5, 0.5]) / np.array([0.25, 0.75]))))
    assert row.value == expected  # numpy's own answer is still shown
    assert row.verdict == "error" and "ValueError: Exceeds the limit" in row.error
    assert row.explanation.startswith("error: checking this call failed")
    assert r.exact_text == "0.14384103622589046372"


def test_an_adapter_that_cannot_pose_its_calls_is_one_row(monkeypatch):
    def broken(p):
        raise RuntimeError("backend failed to load")

    monkeypatch.setattr(numpy_adapter, "cases", broken)
    r = compare(make_problem("kl", [0.5, 0.5], [0.25, 0.75]), libs=["numpy"], digits=20)
    (row,) = r.results
    assert row.library == "numpy" and row.verdict == "error" and row.error == "RuntimeError: backend failed to load"


def test_scipy_kl_near_one_report_survives(capsys):
    scipy = pytest.importorskip("scipy")
    from scipy import special
    assert main(["check", "kl", "--p", "1.0000000001", "--q", "1", "--libs", "scipy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["function"]: r for r in out["results"]}
    assert len(rows) == 3 and all(r["library"] == "scipy" for r in rows.values())
    assert out["exact"] == "1.00000008279037100736274429121e-10"
    got = float(special.rel_entr(np.array([1.0000000001]), np.array([1.0])).sum(-1))
    assert rows["special.rel_entr(p, q).sum(-1)"]["value"] == got
    assert rows["special.rel_entr(p, q).sum(-1)"]["verdict"] == "rounding"
    # whatever the convention oracle does on renormalised inputs, the row carries scipy's value
    ent = rows["stats.entropy(p, q)"]
    assert ent["value"] == float(scipy.stats.entropy([1.0000000001], [1.0]))
    assert ent["verdict"] in {"error", "rounding", "semantics", "unexplained"}
    assert (ent["error"] is not None) == (ent["verdict"] == "error")


def test_numpy_textbook_kl_of_nearly_equal_rows_is_cancellation():
    from symxent import evaluate
    P, Q = [0.3, 0.7], [0.3000000001, 0.6999999999]
    r = compare(make_problem("kl", P, Q), libs=["numpy"], digits=20)
    (row,) = r.results
    p, q = np.array(P), np.array(Q)
    got = float(np.sum(p * np.log(p / q), axis=-1))
    assert row.value == got and got < 0  # numpy's actual answer: negative
    # the exact KL of the float64 readings, by the symbolic path (independent of the oracle)
    import sympy as sp
    expected = sum(sp.Rational(a) * sp.log(sp.Rational(a) / sp.Rational(b)) for a, b in zip(P, Q))
    assert r.exact_text == str(evaluate(expected, 20)) and float(r.exact.value) > 0
    assert row.verdict == "cancellation" and "sign is wrong" in row.explanation
    assert row.explanation.startswith("cancellation: rounding amplified by cancellation")


def test_an_exact_oracle_failure_keeps_the_libraries_rows(monkeypatch):
    from symxent.crosscheck import report as report_module
    from symxent.errors import PrecisionError

    def boom(problem, digits):
        raise PrecisionError("could not certify the exact value")

    monkeypatch.setattr(report_module, "exact_value", boom)
    r = report_module.compare(make_problem("kl", [0.5, 0.5], [0.25, 0.75]), libs=["numpy"], digits=20)
    (row,) = r.results
    assert r.exact is None and r.exact_text.startswith("not computed: PrecisionError")
    assert row.verdict == "error" and row.value == pytest.approx(0.14384103622589045)
    assert "could not certify" in row.explanation
