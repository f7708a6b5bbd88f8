"""The family oracle: torch.distributions against the certified value (skipped without torch)."""

from __future__ import annotations

import math

import pytest

from symxent.cli import main
from symxent.crosscheck.families_oracle import check_family


def test_exact_value_without_any_library():
    r = check_family("kl", "normal", {"loc": "0", "scale": "1e-200"}, {"loc": "0", "scale": "1"}, libs=())
    assert r.exact == "460.017018598809136803598290937" and r.results == []


def test_a_library_without_an_adapter_is_skipped():
    r = check_family("entropy", "gamma", {"concentration": "2", "rate": "1"}, libs=("jax",))
    assert {x.verdict for x in r.results} == {"skipped"}


def test_bad_input_is_one_line_exit_2(capsys):
    assert main(["check", "kl", "--family", "normal", "--p-params", "loc=0", "--q-params", "loc=0,scale=1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing parameter" in err
    assert main(["check", "kl", "--family", "normal", "--p-params", "loc"]) == 2


def _tfp_or_skip():
    try:
        from tensorflow_probability.substrates import numpy as tfp

        tfp.distributions.Normal(0.0, 1.0).entropy()
    except Exception:
        pytest.skip("tensorflow-probability (NumPy substrate, with scipy) is not installed")


def test_tfp_gets_the_tiny_scale_right_where_torch_overflows():
    _tfp_or_skip()
    r = check_family("kl", "normal", {"loc": "0", "scale": "1e-200"}, {"loc": "0", "scale": "1"}, libs=("tfp",))
    f64 = next(x for x in r.results if x.dtype == "float64")
    assert f64.verdict in ("exact", "rounding") and f64.value > 460


def test_tfp_beta_kl_is_close_and_an_unimplemented_entropy_is_an_error_not_a_crash():
    _tfp_or_skip()
    r = check_family("kl", "beta", {"concentration1": "2", "concentration0": "3"},
                     {"concentration1": "1", "concentration0": "1"}, libs=("tfp",))
    assert all(x.verdict in ("exact", "rounding", "precision") and x.value is not None for x in r.results), r.results
    r = check_family("entropy", "pareto", {"scale": "2", "alpha": "3"}, libs=("tfp",))
    assert {x.verdict for x in r.results} == {"error"}


torch = pytest.importorskip("torch")


def test_torch_squares_the_scale_ratio_and_overflows():
    r = check_family("kl", "normal", {"loc": "0", "scale": "1e-200"}, {"loc": "0", "scale": "1"}, libs=("torch",))
    f64 = next(x for x in r.results if x.dtype == "float64")
    assert f64.value == math.inf and f64.verdict == "overflow" and "squared scale ratio" in f64.why
    f32 = next(x for x in r.results if x.dtype == "float32")
    assert f32.verdict == "input"  # 1e-200 is 0 in float32


def test_torch_clamps_bernoulli_probabilities_at_eps():
    r = check_family("kl", "bernoulli", {"probs": "0.5"}, {"probs": "1e-10"}, libs=("torch",))
    f32 = next(x for x in r.results if x.dtype == "float32")
    assert f32.verdict == "clamping" and abs(f32.ulps) > 1000


def test_moderate_parameters_are_rounding_and_support_stubs_are_exact(capsys):
    r = check_family("kl", "exponential", {"rate": "2"}, {"concentration": "3", "rate": "2"}, q_family="gamma")
    assert all(x.verdict in ("exact", "rounding") for x in r.results)
    r = check_family("kl", "uniform", {"low": "0", "high": "2"}, {"low": "0", "high": "1"})
    assert all(x.verdict == "exact" and x.value == math.inf for x in r.results)
    assert main(["check", "kl", "--family", "normal", "--p-params", "loc=0,scale=1", "--q-params",
                 "loc=1,scale=2", "--json"]) == 0
    assert '"exact": "0.443147180559945309417232121458"' in capsys.readouterr().out
