"""Families: parameters read exactly, domains checked with one-line errors, construction by name."""

from __future__ import annotations

import pytest
import sympy as sp

from symxent.errors import DomainError, ShapeError, SymxentError, UnsupportedError
from symxent.families import (Bernoulli, Beta, Binomial, Categorical, Cauchy, Dirichlet, Exponential, Gamma, Geometric,
                              Gumbel, HalfNormal, Laplace, LogNormal, MultivariateNormal, Normal, Pareto, Poisson,
                              Uniform)
from symxent.families.registry import FAMILIES, family

BAD = [  # (constructor, args, words the message must contain)
    (Normal, (0, 0), "scale=0 must be > 0"),
    (Normal, (0, "-1e-200"), "scale=-1/1"),
    (LogNormal, (0, -1), "scale=-1 must be > 0"),
    (Gumbel, (0, 0), "scale=0"),
    (Laplace, (0, -2), "scale=-2"),
    (Cauchy, (0, 0), "scale=0"),
    (HalfNormal, (0,), "scale=0"),
    (Exponential, (0,), "rate=0 must be > 0"),
    (Poisson, (-1,), "rate=-1"),
    (Gamma, (0, 1), "concentration=0 must be > 0"),
    (Gamma, (1, "-1e-8"), "rate="),
    (Beta, (1, 0), "concentration0=0"),
    (Pareto, (1, 0), "alpha=0"),
    (Pareto, (0, 1), "scale=0"),
    (Bernoulli, ("1.5",), "probs=3/2 must be in [0, 1]"),
    (Bernoulli, (-1,), "probs=-1"),
    (Geometric, (0,), "probs=0 must be in (0, 1]"),
    (Binomial, ("1/2", "0.5"), "total_count=1/2 must be a nonnegative integer"),
    (Binomial, (-3, "0.5"), "total_count=-3"),
    (Uniform, (1, 1), "low=1 must be < high=1"),
    (Uniform, (2, 1), "low=2 must be < high=1"),
    (Dirichlet, ([1, 0],), "concentration[1]=0 must be > 0"),
    (MultivariateNormal, ([0, 0], [[1, 2], [2, 1]]), "symmetric positive definite"),
]


@pytest.mark.parametrize("cls,args,words", BAD, ids=lambda v: getattr(v, "__name__", None))
def test_provably_bad_parameters_raise_a_one_line_domain_error(cls, args, words):
    with pytest.raises(DomainError) as err:
        cls(*args)
    message = str(err.value)
    assert words in message and "\n" not in message and message.startswith(cls.__name__)
    assert isinstance(err.value, SymxentError) and isinstance(err.value, ValueError)


def test_numbers_are_read_exactly():
    assert Normal(0, "1e-200").scale == sp.Rational(1, 10**200)
    assert Normal(0, "1e200").scale == 10**200
    assert Bernoulli("1e-300").probs == sp.Rational(1, 10**300)
    assert Bernoulli(1 - 2**-53).probs == 1 - sp.Rational(1, 2**53)  # a float is its binary value
    assert Gamma("1e-8", "1e8").params == {"concentration": sp.Rational(1, 10**8), "rate": 10**8}
    assert Exponential(0.1).rate == sp.Rational(*0.1.as_integer_ratio())


def test_symbols_pass_until_their_assumptions_refute_them():
    s = sp.Symbol("s", positive=True)
    m = sp.Symbol("m", real=True)
    assert Normal(m, s).params == {"loc": m, "scale": s}
    Normal(m, sp.Symbol("t"))  # may be anything: accepted
    with pytest.raises(DomainError):
        Normal(m, sp.Symbol("n", negative=True))


def test_arguments_by_name_and_errors_of_shape():
    assert Gamma(rate=2, concentration=3) == Gamma(3, 2)
    with pytest.raises(UnsupportedError, match="unknown parameter sigma"):
        Normal(loc=0, sigma=1)
    with pytest.raises(ShapeError, match="missing parameter"):
        Normal(0)
    with pytest.raises(ShapeError, match="takes 2 parameters"):
        Normal(0, 1, 2)
    with pytest.raises(ShapeError):
        MultivariateNormal([0, 0], [[1]])


def test_categorical_is_validated_by_the_finite_distributions():
    assert Categorical(["0.1", "0.4", "0.5"]).params["probs"] == (sp.Rational(1, 10), sp.Rational(2, 5), sp.Rational(1, 2))
    with pytest.raises(SymxentError, match="sums to"):
        Categorical(["0.1", "0.1"])


def test_family_by_name_is_case_insensitive_and_knows_every_family():
    assert family("normal", loc=0, scale=1) == Normal(0, 1)
    assert family("PARETO", scale=1, alpha=2) == Pareto(1, 2)
    assert len(FAMILIES) == 18
    with pytest.raises(UnsupportedError, match="is not one of"):
        family("student", df=3)


def test_support_and_torch_conventions():
    assert Geometric("1/2").support() == (0, sp.oo)  # failures before the first success
    assert Geometric("1/2").density(sp.Integer(0)) == sp.Rational(1, 2)
    assert Pareto(2, 3).support() == (2, sp.oo)
    assert Uniform(-1, 3).support() == (-1, 3)
    assert Binomial(5, "0.5").support() == (0, 5)
