"""The prove and verify commands, called through main(argv)."""

from __future__ import annotations

import json

import pytest

from symxent.cli import main
from symxent.identities import catalogue

SPEC_NAMES = [i.name for i in catalogue()]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys):
    code, out, _ = run(capsys, "prove", "--list")
    assert code == 0
    assert [line.split()[1] for line in out.strip().splitlines()] == SPEC_NAMES


def test_prove_all_json(capsys):
    code, out, _ = run(capsys, "prove", "--all", "--json")
    records = json.loads(out)
    assert code == 0 and [r["name"] for r in records] == SPEC_NAMES
    for r in records:
        assert set(r) >= {"name", "status", "statement", "assumptions", "steps", "seconds"}
        assert r["status"] == "proved" and r["steps"] >= 1 and isinstance(r["statement"], str)


def test_prove_some_text(capsys):
    code, out, _ = run(capsys, "prove", "ce_decomposition", "kl_nonnegative")
    assert code == 0 and "2/2 proved" in out


def test_statement_is_latex(capsys):
    _, out, _ = run(capsys, "prove", "ce_lower_bound", "--json")
    (rec,) = json.loads(out)
    assert rec["statement"] == r"H(P, Q) \ge H(P)"


@pytest.mark.parametrize("argv", [("prove",), ("prove", "nope"), ("prove", "--all", "ce_decomposition"),
                                  ("verify", "H(P,Q", "0"), ("verify", "x", "y", "--where", "x in (1, 0)"),
                                  ("verify", "__import__('os')", "0"), ("verify", "x", "y", "--relation", "=>")])
def test_bad_input_is_one_line_and_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("symxent: error:")


def test_verify_disproves_with_json_counterexample(capsys):
    code, out, _ = run(capsys, "verify", "H(P, Q)", "H(Q, P)", "--json")
    rec = json.loads(out)
    assert code == 1 and rec["status"] == "disproved"
    assert rec["counterexample"]["n"] in ("2", "3") and rec["values"]["lhs"] != rec["values"]["rhs"]


def test_verify_proves(capsys):
    code, out, _ = run(capsys, "verify", "BCE(y, sigmoid(z))", "max(z, 0) - z*y + log(1 + exp(-abs(z)))",
                       "--where", "y in [0, 1]")
    assert code == 0 and out.startswith("proved")


def test_verify_inequality_and_undecided(capsys):
    assert run(capsys, "verify", "KL(P, Q)", "0", "--relation", ">=")[0] == 0
    code, out, _ = run(capsys, "verify", "exp(x)", "1 + x", "--relation", ">=")
    assert code == 1 and out.startswith("undecided")


def test_verify_help_documents_the_grammar(capsys):
    code, out, _ = run(capsys, "verify", "--help")
    assert code == 0
    for word in ("H(P, Q)", "KL(P, Q)", "sigmoid", "Sum(f, i, 1, N)", "--where", "Bernoulli"):
        assert word in out


def test_verify_echoes_the_claim_as_typed_with_its_base(capsys):
    """Issue 11: not 'H(P) = H(P)/log(2)', which drops the base the user typed."""
    code, out, _ = run(capsys, "verify", "H(P, base=2)", "H(P)/log(2)")
    assert code == 0
    assert out.splitlines()[0] == "proved: H(P, base=2) = H(P)/log(2)"
    assert "read as" not in out  # the reading is the claim itself


def test_verify_shows_the_reading_when_it_differs_and_sigmoid_by_its_name(capsys):
    code, out, _ = run(capsys, "verify", "sigmoid(z)", "1/(1 + exp(-z))", "--where", "z in R")
    assert code == 0 and out.splitlines()[0] == "proved: sigmoid(z) = 1/(1 + exp(-z))"
    code, out, _ = run(capsys, "verify", "log2(x)", "log(x)/log(2)", "--where", "x > 0")
    assert out.splitlines()[1].startswith("  read as: ")


def test_verify_result_str_is_a_summary_and_repr_the_dataclass():
    from symxent.derivation.verify import verify

    result = verify("H(P, Q)", "H(Q, P)")
    assert str(result).startswith("disproved: H(P, Q) = H(Q, P)\n  counterexample: n = 2")
    assert repr(result).startswith("VerifyResult(status='disproved'")
