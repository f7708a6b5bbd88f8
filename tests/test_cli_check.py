"""``symxent check``: the table, the JSON schema, files as inputs, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symxent import binary_cross_entropy, evaluate, log_loss
from symxent.cli import main

# the value of the float64 readings of 0.8 and 0.4, by symxent's symbolic path (independent of the oracle)
EXPECTED = str(evaluate(log_loss([1, 0], [0.8, 0.4]), 30))

SCHEMA = {"library", "function", "version", "dtype", "value", "abs_error", "ulp_error", "rel_error",
          "convention_value", "explanation"}


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_json_schema_and_exact_digits(capsys):
    out = _json(capsys, ["check", "log_loss", "--y", "1,0", "--q", "0.8,0.4", "--libs", "numpy", "--json"])
    assert out["exact"] == EXPECTED
    rounded = out["exact_rounded"]
    assert rounded["float64"] == float(evaluate(log_loss([1, 0], [0.8, 0.4]), 30))
    assert rounded["float32"] == float(np.float32(rounded["float32"])) and rounded["bfloat16"] == 0.3671875
    assert out["inputs"]["dtype"] == "float64" and out["inputs"]["reading"].startswith("exact binary values")
    (r,) = out["results"]
    assert SCHEMA <= set(r)
    assert isinstance(r["ulp_error"], float) and isinstance(r["rel_error"], float)
    assert r["library"] == "numpy" and r["explanation"].startswith("rounding")


def test_digits_dtype_and_reduction(capsys):
    out = _json(capsys, ["check", "bce", "--y", "1,0", "--q", "0.8,0.4", "--libs", "numpy", "--json",
                         "--digits", "12", "--dtype", "float32", "--reduction", "none"])
    f32 = [float(np.float32(0.8)), float(np.float32(0.4))]
    assert out["exact"] == [str(evaluate(binary_cross_entropy(y, q), 12)) for y, q in zip([1, 0], f32)]
    assert out["inputs"]["prediction"][0] == float(np.float32(0.8))
    assert out["results"][0]["dtype"] == "float32" and len(out["results"][0]["value"]) == 2


def test_table_names_the_semantics(capsys):
    pytest.importorskip("torch")
    assert main(["check", "bce", "--y", "1", "--q", "0", "--libs", "torch"]) == 0
    text = capsys.readouterr().out
    assert "exact: inf" in text and "clamped at -100" in text and "value 100.0" in text


def test_logits_with_minus_inf_and_rows(capsys):
    pytest.importorskip("torch")
    out = _json(capsys, ["check", "cross_entropy", "--y", "0", "--q", "0,-inf", "--logits", "--libs", "torch",
                         "--json"])
    assert out["exact"] == "0" and out["results"][0]["value"] == 0.0


def test_npy_and_csv_files(tmp_path, capsys):
    y, q = tmp_path / "y.npy", tmp_path / "q.csv"
    np.save(y, np.array([1.0, 0.0]))
    q.write_text("0.8,0.4\n")
    out = _json(capsys, ["check", "bce", "--y", str(y), "--q", str(q), "--libs", "numpy", "--json"])
    assert out["exact"] == EXPECTED


@pytest.mark.parametrize("argv, message", [
    (["check", "bce", "--y", "1", "--q", "1.5", "--libs", "numpy"], "prediction[0]=1.5"),
    (["check", "bce", "--y", "1", "--libs", "numpy"], "needs --q"),
    (["check", "bce", "--y", "1", "--q", "0.5", "--libs", "matlab"], "'matlab'"),
    (["check", "hinge", "--y", "1", "--q", "0.5"], "measure='hinge'"),
    (["check", "bce", "--y", "1", "--q", "zero"], "'zero' is not a number"),
    (["check", "bce", "--y", "nope.npy", "--q", "0.5"], "no such file"),
    (["check", "bce", "--y", "1", "--q", "0.5", "--digits", "0"], "--digits=0"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    assert main(["check", "entropy", "--p", "0.5,0.5", "--libs", "numpy"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_bar_on_a_terminal_goes_to_stderr_only(capsys, monkeypatch):
    import sys
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["check", "entropy", "--p", "0.5,0.5", "--libs", "numpy", "--json"]) == 0
    captured = capsys.readouterr()
    assert "numpy." in captured.err and "\r" in captured.err
    assert json.loads(captured.out)["exact"].startswith("0.693147180559945309417232121458")
