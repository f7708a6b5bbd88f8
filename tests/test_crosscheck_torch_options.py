"""torch's loss options beyond the defaults, against values computed independently with mpmath:
``kl_div(log_target=True)``, ``gaussian_nll_loss(full=True)`` and ``poisson_nll_loss(full=True)``
(whose Stirling term is not ``log y!``)."""

from __future__ import annotations

import math

import mpmath
import pytest

from symxent.crosscheck import compare, make_problem

pytest.importorskip("torch")
mpmath.mp.dps = 40


def _row(report, function):
    (res,) = [r for r in report.results if r.function.startswith(function)]
    return res


def _stirling(y):
    y = mpmath.mpf(y)
    return y * mpmath.log(y) - y + mpmath.log(2 * mpmath.pi * y) / 2 if y > 1 else mpmath.mpf(0)


def test_kl_log_target_matches_the_mathematics_in_float64():
    P, Q = [[0.5, 0.5], [0.1, 0.9]], [[0.25, 0.75], [0.3, 0.7]]
    r = compare(make_problem("kl", P, Q), libs=["torch"], digits=25)
    res = _row(r, "kl_div(log Q, log P, log_target=True, reduction='batchmean')")
    exact = sum(mpmath.mpf(p) * mpmath.log(mpmath.mpf(p) / mpmath.mpf(q))
                for pr, qr in zip(P, Q) for p, q in zip(pr, qr)) / 2
    assert float(r.exact.value) == pytest.approx(float(exact), rel=1e-15)
    assert res.verdict == "rounding" and abs(res.convention_ulp_error) <= 2


def test_kl_log_target_with_a_zero_probability_is_nan_by_convention():
    r = compare(make_problem("kl", [[0.0, 1.0]], [[0.25, 0.75]]), libs=["torch"], digits=20)
    res = _row(r, "kl_div(log Q, log P, log_target=True")
    assert math.isnan(res.value) and res.verdict == "semantics" and "0 * (-inf)" in res.explanation
    plain = _row(r, "kl_div(log Q, P, reduction='batchmean')")
    assert plain.verdict == "rounding"  # the plain form skips P = 0 as 0 log 0 = 0


def test_gaussian_full_adds_half_log_two_pi_per_element():
    y, mu, var = [1.0, 2.0, -1.0], [0.5, 2.5, 0.0], [1.0, 0.25, 4.0]
    r = compare(make_problem("gaussian_nll", y, mu, var=var), libs=["torch"], digits=25)
    res = _row(r, "gaussian_nll_loss(full=True)")
    exact = sum(mpmath.log(2 * mpmath.pi * v) / 2 + (mpmath.mpf(a) - b) ** 2 / (2 * v)
                for a, b, v in zip(y, mu, var)) / 3
    assert res.verdict == "rounding", res.explanation
    assert res.value == pytest.approx(float(exact), rel=1e-15)
    default = [x for x in r.results if x.function == "gaussian_nll_loss"]
    assert len(default) == 1 and default[0].verdict == "semantics"  # omits 1/2 log 2 pi


@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_full_uses_stirling_not_log_factorial(log_input):
    y = [3.0, 0.0, 7.0, 1.0]
    x = [0.5, -1.0, 2.0, 0.1] if log_input else [1.5, 0.25, 6.0, 1.0]
    r = compare(make_problem("poisson_nll", y, x, log_input=log_input), libs=["torch"], digits=25)
    res = _row(r, "poisson_nll_loss(full=True)")
    if log_input:
        torch_formula = sum(mpmath.exp(b) - a * mpmath.mpf(b) + _stirling(a) for a, b in zip(y, x)) / 4
    else:
        torch_formula = sum(b - a * mpmath.log(mpmath.mpf(b) + mpmath.mpf(1e-8)) + _stirling(a)
                            for a, b in zip(y, x)) / 4
    assert res.convention_value == pytest.approx(float(torch_formula), rel=1e-7 if not log_input else 1e-15)
    assert abs(res.convention_ulp_error) <= 4
    # the mathematics has log y! instead: 3! and 7! differ from Stirling's value
    exact = float(r.exact.value)
    assert res.verdict == "semantics" and "Stirling" in res.explanation
    assert abs(res.value - exact) > 1e-3


def test_jax_log_target_and_kl_div_rows():
    pytest.importorskip("jax")
    pytest.importorskip("optax")
    P, Q = [[0.5, 0.5], [0.1, 0.9]], [[0.25, 0.75], [0.3, 0.7]]
    r = compare(make_problem("kl", P, Q), libs=["jax"], digits=25)
    logt = [x for x in r.results if "with_log_targets" in x.function]
    kl_div = [x for x in r.results if "special.kl_div" in x.function]
    assert logt and kl_div
    for res in logt + kl_div:
        assert res.error is None and abs(res.convention_ulp_error) <= 4, res
    zero = compare(make_problem("kl", [[0.0, 1.0]], [[0.25, 0.75]]), libs=["jax"], digits=20)
    (first, *_) = [x for x in zero.results if "with_log_targets" in x.function]
    assert math.isnan(first.value) and first.verdict == "semantics"


def test_dit_answers_in_bits_and_its_kl_cancels():
    pytest.importorskip("dit")
    P, Q = [[0.1, 0.4, 0.5]], [[0.8, 0.15, 0.05]]
    r = compare(make_problem("entropy", P), libs=["dit"], digits=25)
    (res,) = r.results
    bits = -sum(mpmath.mpf(p) * mpmath.log(mpmath.mpf(p), 2) for p in P[0])
    assert res.value == pytest.approx(float(bits), rel=1e-15) and res.verdict == "rounding"
    assert "base 2" in res.explanation  # the exact value above is in nats; the row says why it differs
    r2 = compare(make_problem("kl", P, Q, base=2), libs=["dit"], digits=25)
    assert r2.results[0].verdict == "rounding" and "base 2 whatever" not in r2.results[0].explanation
    close = compare(make_problem("kl", [[0.5, 0.5]], [[0.5 + 2**-30, 0.5 - 2**-30]]), libs=["dit"], digits=20)
    assert close.results[0].verdict == "cancellation"  # cross-entropy minus entropy


def test_torch_kl_div_given_probabilities_is_named_a_misuse():
    P, Q = [[0.5, 0.5], [0.1, 0.9]], [[0.25, 0.75], [0.3, 0.7]]
    r = compare(make_problem("kl", P, Q), libs=["torch"], digits=25)
    res = _row(r, "kl_div(Q, P, reduction='batchmean')")
    misuse = sum(mpmath.mpf(p) * (mpmath.log(p) - q) for pr, qr in zip(P, Q) for p, q in zip(pr, qr) if p) / 2
    assert res.convention_value == pytest.approx(float(misuse), rel=1e-15)
    assert res.verdict == "semantics" and "misuse" in res.function and "must be log Q" in res.explanation
    assert res.value < 0  # not even non-negative


def test_elementwise_functions_take_any_non_negative_reals():
    pytest.importorskip("scipy")
    P, Q = [2.0, 3.0], [1.0, 5.0]  # not distributions: sum p log(p/q) is still defined
    r = compare(make_problem("kl", P, Q), libs=["scipy"], digits=25)
    exact = sum(mpmath.mpf(p) * mpmath.log(mpmath.mpf(p) / q) for p, q in zip(P, Q))
    assert float(r.exact.value) == pytest.approx(float(exact), rel=1e-15) and exact < 0
    by = {x.function: x for x in r.results}
    assert by["special.rel_entr(p, q).sum(-1)"].verdict == "rounding"
    kl_div = by["special.kl_div(p, q).sum(-1)"]
    assert kl_div.convention_value == pytest.approx(float(exact + sum(Q) - sum(P)), rel=1e-15)
    assert by["stats.entropy(p, q)"].verdict == "semantics"  # it renormalises
    with pytest.raises(Exception, match="finite number >= 0"):
        make_problem("kl", [0.5, 0.5], [0.5, -1.0])


def _tfp():
    from symxent.crosscheck import tfp_adapter
    if not tfp_adapter.available():
        pytest.skip("tensorflow-probability (NumPy substrate) is not installed")


TFP_CASES = {  # (problem, function prefix, expected verdict, the value the test computes independently)
    "entropy": (("entropy", [[0.1, 0.4, 0.5]]), {}, "Categorical(probs=p).entropy()", "rounding"),
    "kl": (("kl", [[0.1, 0.4, 0.5]], [[0.8, 0.15, 0.05]]), {}, "kl_divergence(", "rounding"),
    "cce": (("cce", [[0.1, 0.4, 0.5]], [[0.8, 0.15, 0.05]]), {}, "Categorical(probs=p).cross_entropy(", "rounding"),
    "bce": (("bce", [1.0, 0.0, 0.3], [0.8, 0.4, 1e-300]), {}, "-Bernoulli(probs=q)", "rounding"),
    "labels": (("cce", [2, 0], [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]), {}, "-Categorical(probs=q)", "rounding"),
}


@pytest.mark.parametrize("key", sorted(TFP_CASES))
def test_tfp_numpy_substrate(key):
    _tfp()
    args, kw, function, verdict = TFP_CASES[key]
    r = compare(make_problem(*args, **kw), libs=["tfp"], digits=25)
    res = _row(r, function)
    assert res.verdict == verdict, res.explanation
    assert res.value == pytest.approx(float(r.exact.value), rel=1e-14)


def test_tfp_kl_of_nearly_equal_distributions_is_lost_to_renormalisation():
    _tfp()
    r = compare(make_problem("kl", [[0.5, 0.5]], [[0.5 + 2**-30, 0.5 - 2**-30]]), libs=["tfp"], digits=20)
    (res,) = r.results
    assert float(r.exact.value) == pytest.approx(2.0**-59, rel=1e-6, abs=0)  # about 2 (2^-30)^2
    assert res.value == 0.0 and res.verdict == "semantics" and "log_softmax" in res.explanation
