"""Identities that hold exactly at random rational distributions (hypothesis)."""

from fractions import Fraction

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symxent import closed_form, cross_entropy, entropy, evaluate, kl_divergence


@st.composite
def distributions(draw, n=None, allow_zero=True):
    """A random distribution with rational entries summing exactly to 1."""
    size = n if n is not None else draw(st.integers(2, 6))
    low = 0 if allow_zero else 1
    weights = draw(st.lists(st.integers(low, 50), min_size=size, max_size=size).filter(lambda w: sum(w) > 0))
    total = sum(weights)
    return [sp.Rational(w, total) for w in weights]


@st.composite
def pairs(draw):
    n = draw(st.integers(2, 5))
    return draw(distributions(n)), draw(distributions(n, allow_zero=False))


@given(pairs(), st.sampled_from([2, sp.E, 10, sp.Rational(3, 2)]))
def test_decomposition_holds_exactly(pq, base):
    p, q = pq
    gap = cross_entropy(p, q, base=base) - entropy(p, base=base) - kl_divergence(p, q, base=base)
    assert closed_form(gap) == 0


@given(distributions())
def test_kl_of_a_distribution_with_itself_is_zero(p):
    assert kl_divergence(p, p) == 0


@given(distributions())
def test_self_cross_entropy_is_entropy(p):
    assert closed_form(cross_entropy(p, p) - entropy(p)) == 0


@given(distributions(), st.sampled_from([2, 10, 3, sp.Rational(1, 2)]))
def test_change_of_base(p, base):
    assert closed_form(entropy(p, base=base) - entropy(p) / sp.log(base)) == 0


@given(pairs())
def test_gibbs_numerically(pq):
    p, q = pq
    value = evaluate(kl_divergence(p, q), 30)
    assert value.upper >= 0 and (value.decimal == "0") == (p == q)
