"""Poisson's entropy: the series E[log K!], named by its derivation and certified with a tail bound."""

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symxent import evaluate
from symxent.errors import UnsupportedError
from symxent.families import Poisson, entropy
from symxent.families.derivations import entropy_derivation
from symxent.families.series import MAX_TERMS, PoissonLogFactorialMean, enclose_log_factorial_mean, name_series


def _reference(rate: sp.Rational, dps: int = 60) -> mpmath.mpf:
    """E[log K!] by mpmath's own summation at high precision, for comparison."""
    with mpmath.workdps(dps):
        r = mpmath.mpf(rate.p) / rate.q
        top = int(r + 40 * mpmath.sqrt(r) + 200)  # the terms past it are below 1e-150 of the sum
        return mpmath.fsum(mpmath.exp(-r + k * mpmath.log(r) - mpmath.loggamma(k + 1)) * mpmath.loggamma(k + 1)
                           for k in range(2, top))


@pytest.mark.parametrize("rate", ["1e-200", "1/3", "1", "2", "7.5", "50", "1000"])
def test_enclosure_contains_the_sum(rate):
    r = sp.Rational(rate) if "e" not in rate else sp.Rational(1, 10**200)
    got = evaluate(PoissonLogFactorialMean(r), 30)
    ref = _reference(r)
    with mpmath.workdps(60):
        lo = mpmath.mpf(got.lower.numerator) / got.lower.denominator
        hi = mpmath.mpf(got.upper.numerator) / got.upper.denominator
        assert lo <= ref * (1 + mpmath.mpf(10) ** -45) and ref * (1 - mpmath.mpf(10) ** -45) <= hi
        assert abs(lo / ref - 1) < mpmath.mpf(10) ** -28


@settings(max_examples=10, deadline=None)
@given(st.fractions(min_value=sp.Rational(1, 1000), max_value=200, max_denominator=1000))
def test_entropy_is_the_series_at_random_rates(rate):
    r = sp.Rational(rate.numerator, rate.denominator)
    H = evaluate(entropy(Poisson(r)), 25)
    with mpmath.workdps(50):
        rr = mpmath.mpf(r.p) / r.q
        top = int(rr + 40 * mpmath.sqrt(rr) + 200)
        logp = (k * mpmath.log(rr) - rr - mpmath.loggamma(k + 1) for k in range(top))
        direct = -mpmath.fsum(mpmath.exp(lp) * lp for lp in logp)
    assert abs(float(H.lower) - float(direct)) <= 1e-14 * max(1.0, abs(float(direct)))


def test_known_values():
    # 30 digits, from the series summed by mpmath at 60 digits (independent of the enclosure)
    assert str(evaluate(entropy(Poisson(2)), 30)) == "1.70488264393298383837758664449"
    got = evaluate(entropy(Poisson(1)), 30)
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(got.lower.numerator) / got.lower.denominator - 1 - _reference(sp.Integer(1))) < 1e-29


def test_the_tail_bound_is_what_closes_the_interval():
    from mpmath import iv

    a = enclose_log_factorial_mean(iv.mpf(3), 40)
    b = enclose_log_factorial_mean(iv.mpf(3), 200)
    assert a.a <= b.a <= b.b <= a.b and b.delta < a.delta


def test_a_rate_interval_encloses_every_rate_in_it():
    from mpmath import iv

    both = enclose_log_factorial_mean(iv.mpf([2, 3]), 60)
    for r in (2, 3):
        one = enclose_log_factorial_mean(iv.mpf(r), 60)
        assert both.a <= one.a and one.b <= both.b


def test_too_large_a_rate_is_one_error(monkeypatch):
    import symxent.families.series as series

    monkeypatch.setattr(series, "MAX_TERMS", 10)
    with pytest.raises(UnsupportedError, match="too large"):
        evaluate(PoissonLogFactorialMean(sp.Integer(100)), 20)
    assert MAX_TERMS > 10**6


def test_derivation_names_the_series_and_claims_no_closed_form():
    d = entropy_derivation(Poisson)
    assert d.status == "proved"
    last = d.steps[-1]
    assert last.rule == "series_definition" and last.status == "verified"
    assert "no closed form" in last.justification
    assert d.rhs.atoms(PoissonLogFactorialMean)


def test_name_series_only_names_the_poisson_series():
    r = sp.Symbol("r", positive=True)
    k = sp.Symbol("j", integer=True, nonnegative=True)
    s = sp.Sum(r**k * sp.exp(-r) * sp.log(sp.factorial(k)) / sp.factorial(k), (k, 0, sp.oo))
    assert name_series(s) == PoissonLogFactorialMean(r)
    other = sp.Sum(r**k * sp.exp(-r) / sp.factorial(k), (k, 0, sp.oo))
    assert name_series(other) == other


def test_scipy_agrees():
    stats = pytest.importorskip("scipy.stats")
    for rate in (0.5, 2.0, 30.0):
        exact = evaluate(entropy(Poisson(rate)), 20)
        assert abs(stats.poisson(rate).entropy() - float(exact.lower)) < 1e-12
