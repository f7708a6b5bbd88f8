"""The families' entropy against TFP, torch and scipy, for every family each has, in float32 and float64.

Each result is a verdict with its cause; a library without that entropy says so (an error, not a crash).
Skipped family by family when the library is absent.
"""

from __future__ import annotations

import pytest

from symxent.crosscheck.families_oracle import check_family

PARAMS = {
    "normal": {"loc": "0", "scale": "1"}, "exponential": {"rate": "2"}, "gamma": {"concentration": "2", "rate": "3"},
    "beta": {"concentration1": "2", "concentration0": "3"}, "laplace": {"loc": "0", "scale": "2"},
    "uniform": {"low": "0", "high": "3"}, "lognormal": {"loc": "0", "scale": "1"}, "gumbel": {"loc": "0", "scale": "2"},
    "halfnormal": {"scale": "2"}, "cauchy": {"loc": "0", "scale": "2"}, "pareto": {"scale": "1", "alpha": "3"},
    "bernoulli": {"probs": "0.3"}, "binomial": {"total_count": "10", "probs": "0.3"}, "geometric": {"probs": "0.3"},
    "poisson": {"rate": "2"}, "categorical": {"probs": ["0.2", "0.3", "0.5"]},
    "dirichlet": {"concentration": ["1", "2", "3"]},
    "multivariatenormal": {"loc": ["0", "0"], "covariance_matrix": [["2", "1"], ["1", "2"]]},
}
NAMED = {"exact": "correctly rounded", "rounding": "rounding", "precision": "precision", "dtype": "returns",
         "error": "has no entropy"}
# What each library lacks (measured: TFP 0.25, torch 2.13): an entropy that is not implemented.
MISSING = {"tfp": {"pareto", "binomial", "poisson"}, "torch": {"poisson"}, "scipy": set()}


def _tfp_or_skip():
    try:
        from tensorflow_probability.substrates import numpy as tfp

        tfp.distributions.Normal(0.0, 1.0).entropy()
    except Exception:
        pytest.skip("tensorflow-probability (NumPy substrate, with scipy) is not installed")


def _available(lib: str):
    if lib == "tfp":
        _tfp_or_skip()
    else:
        pytest.importorskip({"torch": "torch", "scipy": "scipy.stats"}[lib])


@pytest.mark.parametrize("lib", ["tfp", "torch", "scipy"])
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_entropy_has_a_verdict_with_its_cause(lib, name):
    _available(lib)
    r = check_family("entropy", name, PARAMS[name], libs=(lib,), digits=25)
    dtypes = {x.dtype for x in r.results}
    assert dtypes == {"float32", "float64"}
    for x in r.results:
        if lib == "scipy" and x.dtype == "float32":
            assert x.verdict == "skipped" and "float64" in x.why
            continue
        if name in MISSING[lib]:
            assert x.verdict == "error" and f"{lib} has no entropy" in x.why, x
            continue
        assert x.verdict in NAMED and NAMED[x.verdict] in x.why, x
        assert x.ulps is not None and (x.verdict != "exact" or x.ulps == 0)
        if x.verdict in ("exact", "rounding"):
            assert abs(x.ulps) <= 16


def test_tfp_bernoulli_entropy_is_float32_for_float64_parameters():
    _tfp_or_skip()
    r = check_family("entropy", "bernoulli", {"probs": "0.3"}, libs=("tfp",))
    f64 = next(x for x in r.results if x.dtype == "float64")
    assert f64.verdict == "dtype" and "returns float32" in f64.why and abs(f64.ulps) > 2**20


def test_scipy_has_poisson_entropy_that_torch_and_tfp_lack():
    pytest.importorskip("scipy.stats")
    r = check_family("entropy", "poisson", {"rate": "2"}, libs=("scipy",), digits=30)
    assert r.exact == "1.70488264393298383837758664449"
    f64 = next(x for x in r.results if x.dtype == "float64")
    assert f64.verdict in ("exact", "rounding")


def test_rounded_categorical_probabilities_are_renormalised():
    pytest.importorskip("torch")
    r = check_family("entropy", "categorical", {"probs": ["0.2", "0.3", "0.5"]}, libs=("torch",))
    f32 = next(x for x in r.results if x.dtype == "float32")
    assert f32.verdict in ("exact", "rounding"), f32
