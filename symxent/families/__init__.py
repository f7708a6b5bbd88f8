"""Parametric families: exact parameters, derived entropy, cross-entropy and KL divergence.

Parameter names and conventions are torch.distributions'. Every value comes from a derivation
(:mod:`symxent.families.derivations`, ``symxent derive kl_normal_normal``) evaluated at the
exact parameters; :func:`symxent.evaluate` certifies its digits.

>>> from symxent import evaluate
>>> str(evaluate(kl_divergence(Normal(0, "1e-200"), Normal(0, 1)), 20))
'460.01701859880913680'
"""

from .base import Family
from .continuous import Beta, Cauchy, Exponential, Gamma, Gumbel, HalfNormal, Laplace, LogNormal, Normal, Pareto, Uniform
from .discrete import Bernoulli, Binomial, Categorical, Geometric, Poisson
from .multivariate import Dirichlet, MultivariateNormal
from .registry import PAIRS, cross_entropy, entropy, family, is_derived, kl_divergence

__all__ = ["Family", "Bernoulli", "Binomial", "Categorical", "Geometric", "Poisson", "Normal", "Exponential",
           "Gamma", "Beta", "Laplace", "Uniform", "LogNormal", "Gumbel", "HalfNormal", "Cauchy", "Pareto",
           "MultivariateNormal", "Dirichlet", "family", "entropy", "kl_divergence", "cross_entropy", "is_derived",
           "PAIRS"]
