"""``check --fail-on LEVEL`` exits 1 when a library's verdict reaches LEVEL; ``--ulps K`` is the rounding threshold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symxent.cli import main

KL = ["check", "kl", "--p", "0.5,0.5", "--q", "0.25,0.75", "--libs", "numpy"]


def _numpy_kl() -> float:
    p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    return float(np.sum(p * np.log(p / q), axis=-1))


@pytest.mark.parametrize("level, code", [("any", 1), ("rounding", 1), ("precision", 0), ("semantics", 0)])
def test_numpy_rounding_fails_only_rounding_levels(capsys, level, code):
    assert main(KL + ["--json", "--fail-on", level]) == code
    (row,) = json.loads(capsys.readouterr().out)["results"]
    assert row["value"] == _numpy_kl() and row["verdict"] == "rounding"
    assert abs(row["ulp_error"]) > 0.5  # not the correctly rounded 0.14384103622589045


def test_an_exact_answer_passes_any(capsys):
    assert main(["check", "kl", "--p", "0.5,0.5", "--q", "0.5,0.5", "--libs", "numpy", "--fail-on", "any"]) == 0


def test_without_fail_on_the_exit_is_0(capsys):
    assert main(KL) == 0


def test_ulps_zero_makes_the_same_error_unexplained(capsys):
    assert main(KL + ["--json", "--ulps", "0", "--fail-on", "semantics"]) == 1
    (row,) = json.loads(capsys.readouterr().out)["results"]
    assert row["value"] == _numpy_kl() and row["verdict"] == "unexplained"


def test_torch_clamp_fails_semantics(capsys):
    torch = pytest.importorskip("torch")
    argv = ["check", "bce", "--y", "1", "--q", "0", "--libs", "torch", "--json", "--fail-on", "semantics"]
    assert main(argv) == 1
    (row,) = json.loads(capsys.readouterr().out)["results"]
    got = torch.nn.functional.binary_cross_entropy(torch.tensor([0.0], dtype=torch.float64),
                                                   torch.tensor([1.0], dtype=torch.float64)).item()
    assert row["value"] == got == 100.0 and row["verdict"] == "semantics" and "clamped at -100" in row["explanation"]


def test_bad_ulps_is_one_line(capsys):
    assert main(KL + ["--ulps", "-1"]) == 2
    assert "--ulps=-1.0" in capsys.readouterr().err
