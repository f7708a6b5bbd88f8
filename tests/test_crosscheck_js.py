"""Jensen-Shannon: symxent.js_divergence, ``eval js`` and scipy's jensenshannon (a distance) in ``check``."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from symxent import evaluate, js_divergence, kl_divergence
from symxent.cli import main


def test_js_is_composed_from_kl_and_base_aware():
    P, Q = ["0.1", "0.9"], ["0.5", "0.5"]
    M = [sp.Rational(3, 10), sp.Rational(7, 10)]
    nats = js_divergence(P, Q)
    assert sp.simplify(nats - (kl_divergence(P, M) + kl_divergence(Q, M)) / 2) == 0
    assert sp.simplify(js_divergence(P, Q, base=2) - nats / sp.log(2)) == 0
    assert js_divergence([1, 0], [0, 1], base=2) == 1  # disjoint supports: one bit, never infinite


def test_eval_js(capsys):
    assert main(["eval", "js", "--p", "0.1,0.9", "--q", "0.5,0.5", "--base", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unit"] == "bits"
    assert out["value"] == str(evaluate(js_divergence(["0.1", "0.9"], ["0.5", "0.5"], base=2), 15))


def _check(capsys, p, q):
    assert main(["check", "js", "--p", p, "--q", q, "--libs", "scipy", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_scipy_jensenshannon_is_the_distance_squared_for_comparison(capsys):
    pytest.importorskip("scipy")
    from scipy.spatial import distance
    out = _check(capsys, "0.25,0.75", "0.5,0.5")
    (row,) = out["results"]
    assert row["function"].startswith("spatial.distance.jensenshannon") and row["function"].endswith("**2")
    assert row["value"] == float(distance.jensenshannon(np.array([0.25, 0.75]), np.array([0.5, 0.5]), axis=-1) ** 2)
    assert out["exact"] == str(evaluate(js_divergence(["0.25", "0.75"], ["0.5", "0.5"]), 30))
    assert row["verdict"] == "rounding"


def test_scipy_jensenshannon_renormalises(capsys):
    pytest.importorskip("scipy")
    from scipy.spatial import distance
    out = _check(capsys, "0.25,0.25", "0.5,0.25")
    (row,) = out["results"]
    P, Q = np.array([0.25, 0.25]), np.array([0.5, 0.25])
    assert row["value"] == float(distance.jensenshannon(P, Q, axis=-1) ** 2)
    # the mathematics does not renormalise: (sum p log(p/m) + q log(q/m)) / 2 with m = (p + q)/2
    p, q = [sp.Rational(1, 4)] * 2, [sp.Rational(1, 2), sp.Rational(1, 4)]
    expected = sum((a * sp.log(2 * a / (a + b)) + b * sp.log(2 * b / (a + b))) / 2 for a, b in zip(p, q))
    assert out["exact"] == str(evaluate(expected, 30))
    assert row["verdict"] == "semantics" and "renormalised" in row["explanation"]
    assert "distance sqrt(JS)" in row["explanation"]
    # the convention is JS of the renormalised inputs
    assert row["convention_value"] == pytest.approx(float(distance.jensenshannon(P, Q) ** 2), rel=1e-14)
