"""The mathematical oracle: exact readings, definitions checked against symxent's measures,
options, reductions, validation, and containment of an independent high-precision value."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent import binary_cross_entropy, cross_entropy, entropy, evaluate, kl_divergence, log_loss
from symxent.crosscheck import exact_value, make_problem, read_array
from symxent.errors import DomainError, ShapeError, UnsupportedError
from symxent.examples import EXAMPLE_1, EXAMPLE_2
from symxent.exact.interval import to_fraction
from symxent.testing.strategies import unit_floats

P1 = [float(v) for v in EXAMPLE_1.p]
Q1 = [float(v) for v in EXAMPLE_1.q]


def _symxent(expr, digits=30) -> str:
    return str(evaluate(expr, digits))


def test_worked_example_2_log_loss_matches_symxent_evaluate():
    p = make_problem("log_loss", EXAMPLE_2.labels, EXAMPLE_2.prediction_floats)
    assert str(exact_value(p)) == _symxent(log_loss(EXAMPLE_2.labels, EXAMPLE_2.prediction_floats))


def test_worked_example_1_in_nats_matches_symxent_evaluate():
    tol = sp.Rational(1, 10**15)  # the binary readings of 0.1, 0.4, 0.5 do not sum to exactly 1
    from symxent.distributions import Categorical
    P, Q = Categorical(P1, "P", tol=tol), Categorical(Q1, "Q", tol=tol)
    assert str(exact_value(make_problem("cce", P1, Q1))) == _symxent(cross_entropy(P, Q))
    assert str(exact_value(make_problem("kl", P1, Q1))) == _symxent(kl_divergence(P, Q))
    assert str(exact_value(make_problem("entropy", P1))) == _symxent(entropy(P))


@pytest.mark.parametrize("dtype", ["float64", "float32", "bfloat16"])
def test_logits_give_the_same_value_as_their_probabilities(dtype):
    # softmax of logits log(q) is q / sum(q): compare with the renormalised probabilities exactly
    x = read_array(np.log(np.array(Q1)), dtype=None).values.astype(np.float64)
    p = make_problem("cce", [2], [x.tolist()], logits=True)
    with mpmath.workprec(300):
        z = [mpmath.mpf(v) for v in x.tolist()]
        truth = mpmath.log(sum(mpmath.exp(v) for v in z)) - z[2]
    e = exact_value(p, 25).enclosure
    assert e.contains(to_fraction(truth._mpf_)) or abs(float(e.lo) - float(truth)) < 1e-60


def test_options_label_smoothing_class_weights_ignore_index():
    q = [[0.25, 0.25, 0.5], [0.5, 0.25, 0.25], [0.125, 0.125, 0.75]]
    eps, wf = 0.25, [1.0, 2.0, 0.5]
    p = make_problem("cce", [2, 0, 1], q, label_smoothing=eps, weight=wf, ignore_index=1)
    w = [sp.Rational(v) for v in wf]
    # by hand: rows 0 and 1 kept; loss_i = (1-eps) w_y (-log q_y) + eps/3 sum_c w_c (-log q_c)
    def row(qr, y):
        nll = -w[y] * sp.log(sp.Rational(qr[y]))
        smooth = -sum(wc * sp.log(sp.Rational(qc)) for wc, qc in zip(w, qr))
        return (1 - sp.Rational(eps)) * nll + sp.Rational(eps) / 3 * smooth
    expected = (row(q[0], 2) + row(q[1], 0)) / (w[2] + w[0])
    assert str(exact_value(p)) == _symxent(expected)


def test_reductions():
    y, q = [1, 0, 1], [0.5, 0.25, 0.75]
    total = sum(_symxent_terms(y, q))
    assert str(exact_value(make_problem("bce", y, q, reduction="sum"))) == _symxent(total)
    assert str(exact_value(make_problem("bce", y, q, reduction="mean"))) == _symxent(total / 3)
    per = exact_value(make_problem("bce", y, q, reduction="none"))
    assert [str(c) for c in per] == [_symxent(t) for t in _symxent_terms(y, q)]


def _symxent_terms(y, q):
    return [binary_cross_entropy(a, sp.Rational(b)) for a, b in zip(y, q)]


def test_gaussian_poisson_mse():
    g = exact_value(make_problem("gaussian_nll", [1.0], [0.0], var=2.0))
    assert str(g) == _symxent(sp.Rational(1, 4) + sp.log(4 * sp.pi) / 2)
    pois = exact_value(make_problem("poisson_nll", [3.0], [0.5]))
    assert str(pois) == _symxent(sp.exp(sp.Rational(1, 2)) - sp.Rational(3, 2) + sp.log(6))
    rate = exact_value(make_problem("poisson_nll", [2.0, 0.0], [0.5, 0.25], log_input=False, reduction="sum"))
    assert str(rate) == _symxent(sp.Rational(3, 4) - 2 * sp.log(sp.Rational(1, 2)) + sp.log(2))
    assert str(exact_value(make_problem("mse", [1, 2], [1.5, 2]), 5)) == "0.12500"


def test_infinities_and_exact_zero():
    assert str(exact_value(make_problem("bce", [1.0], [0.0]))) == "inf"
    assert str(exact_value(make_problem("kl", [0.5, 0.5], [1.0, 0.0]))) == "inf"
    assert str(exact_value(make_problem("kl", [0.5, 0.5], [0.5, 0.5]))) == "0"
    assert str(exact_value(make_problem("cce", [[1.0, 0.0]], [[0.0, -np.inf]], logits=True))) == "0"


def test_float32_and_bfloat16_inputs_are_read_as_received():
    torch = pytest.importorskip("torch")
    t = torch.tensor([0.1], dtype=torch.bfloat16)
    a = read_array(t)
    assert a.dtype == "bfloat16" and Fraction(a.values[0]) == Fraction(0.10009765625)
    p = make_problem("bce", torch.tensor([1.0]), torch.tensor([0.1], dtype=torch.float32))
    assert p.dtype == "float32" and p.reading == "exact binary values of float32 inputs"
    assert Fraction(p.prediction[0]) == Fraction(float(np.float32(0.1)))


@pytest.mark.parametrize("args, kwargs, error, message", [
    (("bce", [1], [1.5]), {}, DomainError, r"prediction\[0\]=1.5"),
    (("bce", [2], [0.5]), {}, DomainError, r"target\[0\]=2.0"),
    (("bce", [1, 0], [0.5]), {}, ShapeError, "shape"),
    (("cce", [0], [[0.0, np.inf]]), {"logits": True}, DomainError, r"prediction\[0, 1\]=inf"),
    (("gaussian_nll", [1.0], [0.0]), {"var": 0.0}, DomainError, r"var\[0\]=0.0"),
    (("nope", [1], [1]), {}, UnsupportedError, "measure='nope'"),
    (("bce", [1], [0.5]), {"reduction": "avg"}, UnsupportedError, "reduction='avg'"),
])
def test_bad_inputs_name_the_offending_value(args, kwargs, error, message):
    # (a label out of range is not refused: it is kept as 'invalid', see test_crosscheck_unvalidated)
    with pytest.raises(error, match=message):
        make_problem(*args, **kwargs)


_prob = unit_floats()  # powers of two to the subnormals, 1 - 2^-k, 0, 1 and any


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(_prob, _prob), min_size=1, max_size=6))
def test_bce_interval_contains_a_double_precision_reference(pairs):
    y, q = [a for a, _ in pairs], [b for _, b in pairs]
    got = exact_value(make_problem("bce", y, q, reduction="sum"), 20)
    with mpmath.workprec(2 * 70 + 100):
        total = mpmath.mpf(0)
        for a, b in zip(y, q):
            a, b = mpmath.mpf(a), mpmath.mpf(b)
            for w, x in ((a, b), (1 - a, 1 - b)):
                if w:
                    total -= w * mpmath.log(x) if x else -mpmath.inf
    if mpmath.isinf(total):
        assert got.enclosure.lo == float("inf")
    else:
        e, v = got.enclosure, to_fraction(total._mpf_)
        slack = abs(v) / 2**150 + Fraction(1, 2**200)
        assert e.lo - slack <= v <= e.hi + slack


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=-50, max_value=50), min_size=2, max_size=5), st.data())
def test_cce_logits_interval_contains_a_double_precision_reference(logits, data):
    label = data.draw(st.integers(0, len(logits) - 1))
    got = exact_value(make_problem("cce", [label], [logits], logits=True), 20)
    with mpmath.workprec(250):
        z = [mpmath.mpf(v) for v in logits]
        truth = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in z)) - z[label]
    v = to_fraction(truth._mpf_)
    slack = abs(v) / 2**150 + Fraction(1, 2**200)
    assert got.enclosure.lo - slack <= v <= got.enclosure.hi + slack
