"""Parametric families: exact parameters, derived entropy, cross-entropy and KL divergence."""

from .base import Family
from .continuous import Beta, Cauchy, Exponential, Gamma, Gumbel, HalfNormal, Laplace, LogNormal, Normal, Pareto, Uniform
from .discrete import Bernoulli, Binomial, Categorical, Geometric, Poisson
from .multivariate import Dirichlet, MultivariateNormal

__all__ = ["Family", "Bernoulli", "Binomial", "Categorical", "Geometric", "Poisson", "Normal", "Exponential",
           "Gamma", "Beta", "Laplace", "Uniform", "LogNormal", "Gumbel", "HalfNormal", "Cauchy", "Pareto",
           "MultivariateNormal", "Dirichlet"]
