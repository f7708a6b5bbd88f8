"""``check --base``: scipy called with its ``base=``, the exact value in that base; others compared in nats."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from symxent import entropy, evaluate, js_divergence, kl_divergence
from symxent.cli import main


def _rows(capsys, argv):
    assert main(argv + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    return out, {r["function"]: r for r in out["results"]}


def test_scipy_entropy_base_2(capsys):
    pytest.importorskip("scipy")
    from scipy import stats
    out, rows = _rows(capsys, ["check", "entropy", "--p", "0.25,0.75", "--libs", "scipy,numpy", "--base", "2"])
    assert out["exact"] == str(evaluate(entropy(["0.25", "0.75"], base=2), 30))
    assert out["inputs"]["base"] == "2"
    r = rows["stats.entropy(p, base=2.0)"]
    assert r["value"] == float(stats.entropy(np.array([0.25, 0.75]), axis=-1, base=2.0))
    assert r["verdict"] == "rounding"
    # numpy's textbook formula has no base: its nats result is compared with the nats value, and said so
    (n,) = [v for k, v in rows.items() if k.startswith("-sum")]
    assert n["value"] == float(-np.sum(np.array([0.25, 0.75]) * np.log(np.array([0.25, 0.75]))))
    assert n["verdict"] == "rounding" and "no base parameter" in n["explanation"]
    assert str(evaluate(entropy(["0.25", "0.75"]), 16)) in n["explanation"]


def test_scipy_kl_and_js_base_10(capsys):
    pytest.importorskip("scipy")
    from scipy import stats
    from scipy.spatial import distance
    P, Q = np.array([0.25, 0.75]), np.array([0.5, 0.5])
    out, rows = _rows(capsys, ["check", "kl", "--p", "0.25,0.75", "--q", "0.5,0.5", "--libs", "scipy", "--base", "10"])
    assert out["exact"] == str(evaluate(kl_divergence(["0.25", "0.75"], ["0.5", "0.5"], base=10), 30))
    r = rows["stats.entropy(p, q, base=10.0)"]
    assert r["value"] == float(stats.entropy(P, Q, axis=-1, base=10.0)) and r["verdict"] == "rounding"
    assert "no base parameter" in rows["special.rel_entr(p, q).sum(-1)"]["explanation"]
    out, rows = _rows(capsys, ["check", "js", "--p", "0.25,0.75", "--q", "0.5,0.5", "--libs", "scipy", "--base", "2"])
    assert out["exact"] == str(evaluate(js_divergence(["0.25", "0.75"], ["0.5", "0.5"], base=2), 30))
    (r,) = rows.values()
    assert r["value"] == float(distance.jensenshannon(P, Q, axis=-1, base=2.0) ** 2) and r["verdict"] == "rounding"


def test_base_for_a_loss_without_one_is_one_line(capsys):
    assert main(["check", "mse", "--y", "1", "--q", "0.5", "--libs", "numpy", "--base", "2"]) == 2
    assert "only entropy, cce, kl and js take a base" in capsys.readouterr().err


def test_scipy_entr_elementwise_is_checked_in_nats(capsys):
    pytest.importorskip("scipy")
    from scipy import special
    out, rows = _rows(capsys, ["check", "entropy", "--p", "0.25,0.75", "--libs", "scipy"])
    r = rows["special.entr(p).sum(-1)"]
    assert r["value"] == float(special.entr(np.array([0.25, 0.75])).sum(-1))
    assert out["exact"] == str(evaluate(entropy(["0.25", "0.75"]), 30)) and r["verdict"] == "rounding"
