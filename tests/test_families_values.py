"""Known values: every family's entropy and every derived pair's KL, certified to 30 digits and compared
with an independent computation in mpmath at 40 digits (quadrature or sums, see families_reference)."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symxent import evaluate
from symxent.families import (Bernoulli, Beta, Binomial, Categorical, Cauchy, Dirichlet, Exponential, Gamma, Geometric,
                              Gumbel, HalfNormal, Laplace, LogNormal, MultivariateNormal, Normal, Pareto, Poisson,
                              Uniform)
from symxent.families.registry import PAIRS, cross_entropy, entropy, kl_divergence

from families_reference import entropy as ref_entropy
from families_reference import kl as ref_kl
from families_reference import mpf

@pytest.fixture(autouse=True)
def _precision():
    """Comparisons at 60 digits (mpmath's global precision restored afterwards)."""
    with mpmath.workdps(60):
        yield


DIGITS = 30
# moderate parameters of each family (two instances, P and Q, of each)
SAMPLE = {
    Normal: [("1/3", "3/2"), ("-1/2", "2")], Laplace: [("1/4", "1/2"), ("-1", "3/2")],
    Cauchy: [("1/2", "1"), ("-1", "2")], Gumbel: [("1/2", "1"), ("-1", "3/2")],
    Exponential: [("3/2",), ("1/2",)], Gamma: [("5/2", "3/2"), ("3/2", "1/2")],
    Beta: [("3/2", "5/2"), ("2", "3")], Uniform: [("1/4", "3/4"), ("-1", "2")],
    LogNormal: [("1/4", "1/2"), ("-1/2", "1")], HalfNormal: [("3/2",), ("2",)],
    Pareto: [("2", "3"), ("1", "5/2")], Bernoulli: [("1/3",), ("3/4",)], Binomial: [(6, "1/3"), (6, "3/5")],
    Geometric: [("1/3",), ("1/2",)], Poisson: [("5/2",), ("4",)],
}


def _check(value, reference, what):
    got = evaluate(value, DIGITS)
    if reference == mpmath.inf:
        assert value == sp.oo, what
        return
    ref = mpmath.mpf(reference)
    assert abs(mpf(got.lower) - ref) <= mpmath.mpf(10) ** -28 * max(1, abs(ref)), (what, str(got), ref)
    assert len(str(got).lstrip("-0.").replace(".", "")) >= DIGITS - 1


@pytest.mark.parametrize("cls", list(SAMPLE), ids=lambda c: c.__name__)
def test_entropy_of_every_family_matches_integration(cls):
    P = cls(*SAMPLE[cls][0])
    value = entropy(P)
    if any(lim[2] == sp.oo for s in value.atoms(sp.Sum) for lim in s.limits):  # Poisson: E[log k!] is a series
        pytest.skip("the entropy has a series without a closed form")
    _check(value, ref_entropy(P), P)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0].__name__}-{p[1].__name__}")
def test_kl_of_every_pair_matches_integration(pair):
    p_cls, q_cls = pair
    P, Q = p_cls(*SAMPLE[p_cls][0]), q_cls(*SAMPLE[q_cls][1])
    _check(kl_divergence(P, Q), ref_kl(P, Q), (P, Q))


def test_an_inside_uniform_pair_and_a_pareto_pair_in_their_finite_case():
    for P, Q in [(Uniform("1/4", "3/4"), Uniform(0, 1)), (Pareto(2, 3), Pareto(1, 2)), (Uniform(1, 2), Pareto(1, 2)),
                 (Uniform("1/4", "1/2"), Beta(2, 3)), (Uniform(1, 2), Gamma(2, 1)), (Beta(2, 3), Uniform(-1, 2))]:
        value = kl_divergence(P, Q)
        assert value != sp.oo
        _check(value, ref_kl(P, Q), (P, Q))


def _ref_normal_kl(m1, s1, m2, s2):
    m1, s1, m2, s2 = map(mpf, (m1, s1, m2, s2))
    return mpmath.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - mpmath.mpf(1) / 2


def _ref_bern_kl(p, q):
    p, q = mpf(p), mpf(q)
    return p * mpmath.log(p / q) + (1 - p) * mpmath.log((1 - p) / (1 - q))


def _ref_beta_kl(a1, b1, a2, b2):
    a1, b1, a2, b2 = map(mpf, (a1, b1, a2, b2))
    lb = lambda a, b: mpmath.loggamma(a) + mpmath.loggamma(b) - mpmath.loggamma(a + b)  # noqa: E731
    psi = mpmath.digamma
    return lb(a2, b2) - lb(a1, b1) + (a1 - a2) * psi(a1) + (b1 - b2) * psi(b1) + (a2 - a1 + b2 - b1) * psi(a1 + b1)


def _ref_gamma_entropy(a, r):
    a, r = mpf(a), mpf(r)
    return a - mpmath.log(r) + mpmath.loggamma(a) + (1 - a) * mpmath.digamma(a)


EXTREMES = [  # value, reference computed from the textbook formula in mpmath at 60 digits
    (lambda: kl_divergence(Normal(0, "1e-200"), Normal(0, 1)), lambda: _ref_normal_kl(0, "1e-200", 0, 1)),
    (lambda: kl_divergence(Normal(0, 1), Normal(0, "1e-200")), lambda: _ref_normal_kl(0, 1, 0, "1e-200")),
    (lambda: kl_divergence(Normal(0, "1e200"), Normal(1, 1)), lambda: _ref_normal_kl(0, "1e200", 1, 1)),
    (lambda: kl_divergence(Bernoulli("1e-300"), Bernoulli("1/2")), lambda: _ref_bern_kl("1e-300", "1/2")),
    (lambda: kl_divergence(Bernoulli(1 - sp.Rational(1, 2**53)), Bernoulli("1e-300")),
     lambda: _ref_bern_kl(1 - sp.Rational(1, 2**53), "1e-300")),
    (lambda: kl_divergence(Beta("1e-8", "1e8"), Beta(1, 1)), lambda: _ref_beta_kl("1e-8", "1e8", 1, 1)),
    (lambda: kl_divergence(Beta("1e8", 2), Beta("1e8", 3)), lambda: _ref_beta_kl("1e8", 2, "1e8", 3)),
    (lambda: entropy(Gamma("1e-8", "1e200")), lambda: _ref_gamma_entropy("1e-8", "1e200")),
    (lambda: entropy(Gamma("1e8", "1e-200")), lambda: _ref_gamma_entropy("1e8", "1e-200")),
    (lambda: kl_divergence(Exponential("1e-200"), Exponential("1e200")),
     lambda: mpmath.log(mpf("1e-200") / mpf("1e200")) + mpf("1e200") / mpf("1e-200") - 1),
    (lambda: kl_divergence(Poisson("1e-200"), Poisson(1)),
     lambda: mpf("1e-200") * mpmath.log(mpf("1e-200")) - mpf("1e-200") + 1),
]


@pytest.mark.parametrize("k", range(len(EXTREMES)))
def test_extreme_parameters_are_certified(k):
    value, reference = EXTREMES[k]
    with mpmath.workdps(60):
        ref = reference()
    got = evaluate(value(), DIGITS)
    assert abs(mpf(got.lower) - ref) <= mpmath.mpf(10) ** -29 * abs(ref), (str(got), ref)


def test_multivariate_and_categorical_reduce_to_the_univariate_derivations():
    P = MultivariateNormal(["1/2", -1], ["1/4", 3])
    Q = MultivariateNormal([0, 2], [1, "1/2"])
    parts = kl_divergence(Normal("1/2", "1/2"), Normal(0, 1)) + kl_divergence(Normal(-1, sp.sqrt(3)),
                                                                              Normal(2, sp.sqrt(sp.Rational(1, 2))))
    assert sp.simplify(kl_divergence(P, Q) - parts) == 0
    assert sp.simplify(entropy(P) - entropy(Normal("1/2", "1/2")) - entropy(Normal(-1, sp.sqrt(3)))) == 0
    d = Dirichlet(["3/2", "5/2"]).kl(Dirichlet([2, 3])) - Beta("3/2", "5/2").kl(Beta(2, 3))
    assert abs(mpf(evaluate(d + 1, 30).lower) - 1) < mpmath.mpf(10) ** -28
    d = Categorical(["1/3", "2/3"]).kl(Categorical(["3/4", "1/4"])) - kl_divergence(Bernoulli("2/3"), Bernoulli("1/4"))
    assert sp.simplify(sp.expand_log(d, force=True)) == 0


def test_full_covariance_against_the_textbook_matrices():
    P = MultivariateNormal([0, 1], [[2, "1/2"], ["1/2", 1]])
    Q = MultivariateNormal([1, 0], [[1, 0], [0, 3]])
    with mpmath.workdps(50):
        S1, S2 = mpmath.matrix([[2, 0.5], [0.5, 1]]), mpmath.matrix([[1, 0], [0, 3]])
        d = mpmath.matrix([1, -1])
        inv = S2**-1
        ref = ((inv * S1).apply(lambda v: v) and sum((inv * S1)[i, i] for i in range(2))
               + (d.T * inv * d)[0] - 2 + mpmath.log(mpmath.det(S2) / mpmath.det(S1))) / 2
    assert abs(mpf(evaluate(kl_divergence(P, Q), 30).lower) - ref) < mpmath.mpf(10) ** -28


def test_cross_entropy_is_entropy_plus_kl_and_infinite_off_the_support():
    P, Q = Gamma(2, 3), Exponential(1)
    assert sp.expand(cross_entropy(P, Q) - entropy(P) - kl_divergence(P, Q)) == 0
    assert cross_entropy(Normal(0, 1), Exponential(1)) == sp.oo
