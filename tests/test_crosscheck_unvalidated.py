"""Inputs the mathematics does not define are still passed to the libraries: 'no validation'."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from symxent.cli import main
from symxent.crosscheck import compare, make_problem


def test_negative_target_entry_scipy_and_numpy_answer(capsys):
    pytest.importorskip("scipy")
    from scipy import special
    assert main(["check", "kl", "--p", "-0.5,1.5", "--q", "0.5,0.5", "--libs", "numpy,scipy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["exact"] == "undefined: target[0, 0]=-0.5 is negative"
    rows = {r["function"]: r for r in out["results"]}
    P, Q = np.array([-0.5, 1.5]), np.array([0.5, 0.5])
    with np.errstate(all="ignore"):
        assert math.isnan(np.sum(P * np.log(P / Q)))
        rel = float(special.rel_entr(P, Q).sum(-1))
    assert rows["sum(p*log(p/q), axis=-1)"]["value"] == "nan"
    assert rows["special.rel_entr(p, q).sum(-1)"]["value"] == str(rel) == "inf"
    assert all(r["verdict"] == "no validation" for r in rows.values())
    assert "where the mathematics is undefined, yet scipy accepted it" in rows["special.rel_entr(p, q).sum(-1)"]["explanation"]


def test_label_out_of_range_optax_returns_a_value_torch_refuses():
    pytest.importorskip("optax")
    import jax.numpy as jnp
    import optax
    p = make_problem("cce", [3], [[0.2, 0.3, 0.5]], logits=True)
    assert p.invalid == "target[0]=3.0 is not a class index 0..2"
    r = compare(p, libs=["jax"])
    assert r.exact_text.startswith("undefined")
    default = r.results[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = float(jnp.mean(optax.softmax_cross_entropy_with_integer_labels(
            jnp.asarray(np.array([[0.2, 0.3, 0.5]])), jnp.asarray(np.array([3], dtype=np.int32)))))
    assert default.verdict == "no validation"
    assert (math.isnan(got) and math.isnan(default.value)) or default.value == got


def test_torch_validates_labels():
    pytest.importorskip("torch")
    r = compare(make_problem("cce", [3], [[0.2, 0.3, 0.5]], logits=True), libs=["torch"])
    assert r.results and all(x.verdict == "refused" and "out of bounds" in x.explanation for x in r.results)


def test_fail_on_semantics_counts_no_validation(capsys):
    argv = ["check", "kl", "--p", "-0.5,1.5", "--q", "0.5,0.5", "--libs", "numpy", "--fail-on", "semantics"]
    assert main(argv) == 1


def test_out_of_range_label_is_kept_with_its_reason():
    p = make_problem("cce", [3], [[0.5, 0.5]])
    assert p.invalid == "target[0]=3.0 is not a class index 0..1"


def test_numpy_and_sklearn_out_of_range_labels_are_their_own_answers():
    pytest.importorskip("sklearn")
    q = [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
    r = compare(make_problem("cce", [3, 0], q), libs=["numpy", "sklearn"], digits=20)
    by = {x.library: x for x in r.results}
    assert by["numpy"].verdict == "refused" and "IndexError" in by["numpy"].explanation
    assert by["sklearn"].verdict == "refused" and "not belonging" in by["sklearn"].explanation
    neg = compare(make_problem("cce", [-1, 0], q), libs=["numpy"], digits=20)
    (row,) = neg.results  # NumPy's negative index picks the last class without a word
    assert row.verdict == "no validation"
    assert row.value == pytest.approx(-(math.log(0.5) + math.log(0.6)) / 2)
