"""Continuous families on the real line, with torch.distributions' parameter names.

Each class gives its support and its density on the support; nothing else is typed in: the
entropy and the divergences are derived from the density (:mod:`symxent.families.derivations`).

>>> Normal(loc=0, scale="1e-200").scale == sp.Rational(1, 10**200)
True
>>> Uniform(1, 1)
Traceback (most recent call last):
...
symxent.errors.DomainError: Uniform: low=1 must be < high=1
"""

from __future__ import annotations

import sympy as sp

from ..errors import DomainError, shown
from .base import POSITIVE, REAL, Family, x

__all__ = ["Normal", "Exponential", "Gamma", "Beta", "Laplace", "Uniform", "LogNormal", "Gumbel", "HalfNormal",
           "Cauchy", "Pareto"]

_OO = sp.oo


class Normal(Family):
    """``N(loc, scale^2)``.

    >>> Normal(0, 1).density()
    sqrt(2)*exp(-x**2/2)/(2*sqrt(pi))
    """

    PARAMS = {"loc": REAL, "scale": POSITIVE}

    def support(self):
        return (-_OO, _OO)

    def _density(self, at):
        m, s = self.loc, self.scale
        return sp.exp(-(at - m) ** 2 / (2 * s**2)) / (sp.sqrt(2 * sp.pi) * s)


class Exponential(Family):
    """``rate * exp(-rate x)`` on ``(0, oo)``."""

    PARAMS = {"rate": POSITIVE}

    positive_support = True

    def support(self):
        return (sp.Integer(0), _OO)

    def _density(self, at):
        return self.rate * sp.exp(-self.rate * at)


class Gamma(Family):
    """``rate^a x^(a-1) exp(-rate x) / Gamma(a)`` with ``a = concentration``."""

    PARAMS = {"concentration": POSITIVE, "rate": POSITIVE}

    positive_support = True

    def support(self):
        return (sp.Integer(0), _OO)

    def _density(self, at):
        a, b = self.concentration, self.rate
        return b**a * at ** (a - 1) * sp.exp(-b * at) / sp.gamma(a)


class Beta(Family):
    """``x^(a-1) (1-x)^(b-1) Gamma(a+b) / (Gamma(a) Gamma(b))``, ``a = concentration1``, ``b = concentration0``."""

    PARAMS = {"concentration1": POSITIVE, "concentration0": POSITIVE}

    positive_support = True

    def support(self):
        return (sp.Integer(0), sp.Integer(1))

    def _density(self, at):
        a, b = self.concentration1, self.concentration0
        return sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(b)) * at ** (a - 1) * (1 - at) ** (b - 1)


class Laplace(Family):
    """``exp(-|x - loc| / scale) / (2 scale)``."""

    PARAMS = {"loc": REAL, "scale": POSITIVE}

    def support(self):
        return (-_OO, _OO)

    def _density(self, at):
        return sp.exp(-sp.Abs(at - self.loc) / self.scale) / (2 * self.scale)


class Uniform(Family):
    """``1 / (high - low)`` on ``(low, high)``."""

    PARAMS = {"low": REAL, "high": REAL}

    def _validate(self) -> None:
        if (self.high - self.low).is_nonpositive:
            raise DomainError(f"Uniform: low={shown(self.low)} must be < high={shown(self.high)}")

    def support(self):
        return (self.low, self.high)

    def _density(self, at):
        return 1 / (self.high - self.low)


class LogNormal(Family):
    """``exp(loc + scale Z)`` with Z standard normal, on ``(0, oo)``."""

    PARAMS = {"loc": REAL, "scale": POSITIVE}

    positive_support = True

    def support(self):
        return (sp.Integer(0), _OO)

    def _density(self, at):
        m, s = self.loc, self.scale
        return sp.exp(-(sp.log(at) - m) ** 2 / (2 * s**2)) / (at * s * sp.sqrt(2 * sp.pi))


class Gumbel(Family):
    """``exp(-z - exp(-z)) / scale`` with ``z = (x - loc) / scale``."""

    PARAMS = {"loc": REAL, "scale": POSITIVE}

    def support(self):
        return (-_OO, _OO)

    def _density(self, at):
        z = (at - self.loc) / self.scale
        return sp.exp(-z - sp.exp(-z)) / self.scale


class HalfNormal(Family):
    """``|N(0, scale^2)|``: ``sqrt(2/pi) exp(-x^2 / (2 scale^2)) / scale`` on ``(0, oo)``."""

    PARAMS = {"scale": POSITIVE}

    positive_support = True

    def support(self):
        return (sp.Integer(0), _OO)

    def _density(self, at):
        s = self.scale
        return sp.sqrt(2) * sp.exp(-at**2 / (2 * s**2)) / (sp.sqrt(sp.pi) * s)


class Cauchy(Family):
    """``1 / (pi scale (1 + ((x - loc)/scale)^2))``."""

    PARAMS = {"loc": REAL, "scale": POSITIVE}

    def support(self):
        return (-_OO, _OO)

    def _density(self, at):
        m, s = self.loc, self.scale
        return s / (sp.pi * (s**2 + (at - m) ** 2))


class Pareto(Family):
    """``alpha scale^alpha / x^(alpha + 1)`` on ``(scale, oo)``."""

    PARAMS = {"scale": POSITIVE, "alpha": POSITIVE}

    positive_support = True

    def support(self):
        return (self.scale, _OO)

    def _density(self, at):
        a, s = self.alpha, self.scale
        return a * s**a / at ** (a + 1)
