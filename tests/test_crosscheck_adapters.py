"""The real libraries against both oracles: the worked examples through every installed
adapter, and the extreme inputs, each with its exact value and the library's known behaviour."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pytest

from symxent.crosscheck import LIBRARIES, compare, make_problem
from symxent.crosscheck.oracle import exact_value
from symxent.crosscheck.report import _adapter, tolerance
from symxent.examples import EXAMPLE_1, EXAMPLE_2

P1 = [float(v) for v in EXAMPLE_1.p]
Q1 = [float(v) for v in EXAMPLE_1.q]
Y2, Q2 = list(EXAMPLE_2.labels), list(EXAMPLE_2.prediction_floats)
LOGITS2 = [math.log(q / (1 - q)) for q in Q2]

EXAMPLES = {
    "ex2-bce": (("bce", Y2, Q2), {}),
    "ex2-bce-float32": (("bce", Y2, Q2), {"dtype": "float32"}),
    "ex2-bce-logits": (("bce", Y2, LOGITS2), {"logits": True}),
    "ex2-bce-sum": (("bce", Y2, Q2), {"reduction": "sum"}),
    "ex2-bce-none": (("bce", Y2, Q2), {"reduction": "none"}),
    "ex1-cce": (("cce", [P1], [Q1]), {}),
    "ex1-cce-logits-labels": (("cce", [2, 0], [np.log(Q1).tolist()] * 2), {"logits": True}),
    "ex1-kl": (("kl", [P1], [Q1]), {}),
    "ex1-entropy": (("entropy", [P1]), {}),
    "ex2-bce-bfloat16": (("bce", Y2, Q2), {"dtype": "bfloat16"}),
    "ex1-cce-options": (("cce", [2, 0, 1], [np.log(Q1).tolist(), [0.5, -1.0, 2.0], [0.0, 0.0, 0.0]]),
                        {"logits": True, "weight": [1.0, 2.0, 0.5], "label_smoothing": 0.1, "ignore_index": 1}),
    "ex1-cce-probs-labels": (("cce", [2, 0], [Q1, Q1]), {"dtype": "float32"}),
    "gaussian": (("gaussian_nll", [1.0, 2.0, -1.0], [0.5, 2.5, 0.0]), {"var": [1.0, 0.25, 1e-7]}),
    "poisson-log": (("poisson_nll", [3.0, 0.0, 7.0], [0.5, -1.0, 2.0]), {}),
    "poisson-rate": (("poisson_nll", [3.0, 0.0, 7.0], [1.5, 0.25, 6.0]), {"log_input": False}),
    "mse": (("mse", [1.0, 2.0, 3.5], [1.5, 2.0, 3.0]), {}),
}


def _installed(lib: str):
    if not _adapter(lib).available():
        pytest.skip(f"{lib} is not installed")


@lru_cache(maxsize=None)
def _report(key: str, lib: str):
    args, kwargs = EXAMPLES[key]
    if kwargs.get("dtype") == "bfloat16":
        pytest.importorskip("ml_dtypes")
    return compare(make_problem(*args, **kwargs), libs=[lib], digits=25)


@pytest.mark.parametrize("lib", LIBRARIES)
@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_worked_examples_through_every_installed_adapter(key, lib):
    _installed(lib)
    report = _report(key, lib)
    for r in report.results:
        assert r.version and r.dtype, r
        assert r.verdict in ("rounding", "precision", "semantics"), (r.function, r.explanation)
        assert r.explanation.startswith(r.verdict + ":")
        if r.verdict == "rounding":
            assert abs(r.convention_ulp_error) <= tolerance(10) or "cancellation" in r.explanation


def test_keras_adapter_sets_the_torch_backend_when_unset():
    _installed("keras")
    import os
    assert os.environ.get("KERAS_BACKEND")
    assert "backend" in _adapter("keras").version()


def test_every_installed_library_has_a_case_for_the_examples():
    for lib in LIBRARIES:
        if _adapter(lib).available():
            found = sum(len(_report(key, lib).results) for key in EXAMPLES if "bfloat16" not in key)
            assert found > 0, lib


# ---------------------------------------------------------------- extreme inputs

@lru_cache(maxsize=None)
def _extreme(name: str):
    args, kwargs = EXTREMES[name]
    libs = [lib for lib in LIBRARIES if _adapter(lib).available()]
    return compare(make_problem(*args, **kwargs), libs=libs, digits=25)


def _by(report, lib: str, function: str):
    hits = [r for r in report.results if r.library == lib and function in r.function]
    if not hits:
        pytest.skip(f"{lib} not installed or no {function} case")
    return hits[0]


LN2 = math.log(2)
EXTREMES = {
    "q=1e-300": (("bce", [1.0], [1e-300]), {}),
    "q=1-2^-53": (("bce", [0.0], [1 - 2**-53]), {}),
    "q=0,1": (("bce", [1.0, 0.0], [0.0, 1.0]), {}),
    "logits+-1000": (("bce", [1.0, 0.0], [-1000.0, 1000.0]), {"logits": True}),
    "cce-logit-1000": (("cce", [1], [[1000.0, -1000.0, 0.0]]), {"logits": True}),
    "-inf-soft": (("cce", [[1.0, 0.0]], [[0.0, -math.inf]]), {"logits": True}),
    "-inf-label": (("cce", [0], [[0.0, -math.inf]]), {"logits": True}),
    "kl~1e-18": (("kl", [[0.5, 0.5]], [[0.5 + 2**-30, 0.5 - 2**-30]]), {}),
}


def test_q_1e_300():
    r = _extreme("q=1e-300")
    assert r.exact_text.startswith("690.77552789821370518")  # -log(1e-300 as a float64)
    assert _by(r, "torch", "binary_cross_entropy").value == 100.0  # the log clamp at -100
    sk = _by(r, "sklearn", "log_loss")
    assert sk.value == pytest.approx(52 * LN2, rel=1e-15) and sk.verdict == "semantics"  # clip at eps = 2**-52
    k = _by(r, "keras", "ops.mean")
    assert k.value == pytest.approx(-math.log(1e-7), rel=1e-6) and "clipped" in k.explanation
    assert _by(r, "numpy", "log(q)").verdict == "rounding"


def test_q_one_minus_2_to_minus_53():
    r = _extreme("q=1-2^-53")
    assert r.exact_text.startswith("36.736800569677101399")  # 53 log 2
    t = _by(r, "torch", "binary_cross_entropy")
    assert t.verdict == "rounding" and abs(t.ulp_error) <= 1  # log1p(-x): exact complement
    sk = _by(r, "sklearn", "log_loss")
    assert sk.value == pytest.approx(52 * LN2, rel=1e-15) and "1 - p" in sk.explanation
    obj = _by(r, "keras", "losses.BinaryCrossentropy(")
    assert obj.dtype == "float32" and "floatx" in obj.explanation  # 1 - 2**-53 becomes 1.0 in float32


def test_q_zero_and_one():
    r = _extreme("q=0,1")
    assert r.exact_text == "inf"
    assert _by(r, "torch", "binary_cross_entropy").value == 100.0
    assert _by(r, "sklearn", "log_loss").value == pytest.approx(52 * LN2, rel=1e-15)
    assert _by(r, "numpy", "log(q)").value == math.inf


def test_logits_plus_minus_1000():
    r = _extreme("logits+-1000")
    assert r.exact_text.startswith("1000.0000000000000000")
    for lib, fn in (("torch", "with_logits"), ("jax", "sigmoid_binary"), ("keras", "ops.mean")):
        res = _by(r, lib, fn)
        # JAX by default computes float64 inputs in float32 (precision); its x64 row is rounding
        expected = "precision" if res.dtype != r.problem.dtype else "rounding"
        assert res.value == 1000.0 and res.verdict == expected, res.explanation
    r2 = _extreme("cce-logit-1000")
    assert r2.exact_text.startswith("2000.000000000000000")
    assert _by(r2, "torch", "cross_entropy").value == 2000.0


def test_minus_inf_logit_is_zero_log_zero():
    soft, label = _extreme("-inf-soft"), _extreme("-inf-label")
    assert soft.exact_text == "0" and label.exact_text == "0"
    t = _by(soft, "torch", "cross_entropy")
    assert math.isnan(t.value) and t.verdict == "semantics" and "nan" in t.explanation
    assert math.isnan(_by(soft, "jax", "optax.softmax_cross_entropy(").value)
    assert _by(soft, "jax", "safe_softmax").value == 0.0
    assert _by(label, "torch", "cross_entropy").value == 0.0


def test_near_identical_p_and_q():
    r = _extreme("kl~1e-18")
    assert r.exact_text.startswith("1.7347234759768070")  # about 2 * (2**-30)**2
    assert _by(r, "scipy", "rel_entr").verdict == "rounding"
    kl_div = _by(r, "scipy", "special.kl_div")
    assert kl_div.value <= 0.0 and "cancellation" in kl_div.explanation  # subtraction-based formula
    textbook = _by(r, "numpy", "log(p/q)")
    assert textbook.value <= 0.0 and "cancellation" in textbook.explanation


def test_one_hundred_thousand_classes():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    k = 10**5
    logits = np.round(rng.normal(size=(1, k)) * 8) / 8  # few distinct values: the reference groups them
    p = make_problem("cce", [12345], logits, logits=True)
    r = compare(p, libs=["torch"], digits=20)
    with np.errstate(all="ignore"):
        ref = np.log(np.sum(np.exp(logits - logits.max()))) + logits.max() - logits[0, 12345]
    assert float(r.exact_text) == pytest.approx(ref, rel=1e-12)
    res = _by(r, "torch", "cross_entropy")
    assert res.verdict == "rounding" and abs(res.ulp_error) <= tolerance(k)
    assert torch.__version__


# ---------------------------------------------------------------- properties against a real library

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 1.0]), st.floats(min_value=0.0, max_value=1.0)),
                min_size=1, max_size=6),
       st.sampled_from(["float64", "float32"]))
def test_torch_bce_is_within_rounding_of_its_convention(pairs, dtype):
    pytest.importorskip("torch")
    p = make_problem("bce", [y for y, _ in pairs], [q for _, q in pairs], dtype=dtype)
    (res,) = [r for r in compare(p, libs=["torch"], digits=20).results]
    assert res.verdict in ("rounding", "semantics"), res.explanation
    assert abs(res.convention_ulp_error) <= tolerance(len(pairs))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(
    st.lists(st.lists(st.floats(min_value=-200, max_value=200), min_size=k, max_size=k), min_size=1, max_size=4),
    st.integers(0, k - 1), st.floats(min_value=0.0, max_value=0.5))))
@example(([[0.0, 0.0, 0.0, 0.0, 0.0, 28.0]], 5, 0.0))  # CE ~ 3.5e-12: cancellation, not bfloat16
@example(([[0.0, -5.0]], 0, 0.0))  # log(1 + e^-5): rounding of a sum near 1, amplified by the log
def test_torch_cross_entropy_is_within_rounding_of_the_mathematics(data):
    pytest.importorskip("torch")
    rows, label, eps = data
    p = make_problem("cce", [label] * len(rows), rows, logits=True, label_smoothing=eps)
    (res,) = [r for r in compare(p, libs=["torch"], digits=20).results]
    # a loss of ~1e-16 that float64 rounding turns into 0 (100 % error) is named cancellation
    meaningless = res.rel_error >= 1 or (res.value < 0 < float(exact_value(p, 20).value))
    assert res.verdict == ("cancellation" if meaningless else "rounding"), res.explanation
