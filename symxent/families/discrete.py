"""Discrete families on the integers, with torch.distributions' parameter names and conventions.

``Geometric`` counts the failures before the first success (support ``{0, 1, ...}``), as torch
does; ``Categorical`` takes its probabilities as a list (any K), read exactly.

>>> Bernoulli("1e-300").probs == sp.Rational(1, 10**300)
True
>>> Bernoulli("1.5")
Traceback (most recent call last):
...
symxent.errors.DomainError: Bernoulli: probs=3/2 must be in [0, 1]
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..distributions.finite import Categorical as _Finite
from ..errors import DomainError, shown
from .base import COUNT, POSITIVE, UNIT, Family, k

__all__ = ["Bernoulli", "Binomial", "Geometric", "Poisson", "Categorical"]


class Bernoulli(Family):
    """``probs^k (1 - probs)^(1 - k)`` on ``{0, 1}``."""

    PARAMS = {"probs": UNIT}
    kind = "discrete"

    def support(self):
        return (sp.Integer(0), sp.Integer(1))

    def _density(self, at):
        p = self.probs
        return p**at * (1 - p) ** (1 - at)


class Binomial(Family):
    """``C(n, k) probs^k (1 - probs)^(n - k)`` on ``{0, ..., n}``, ``n = total_count``."""

    PARAMS = {"total_count": COUNT, "probs": UNIT}
    kind = "discrete"

    def support(self):
        return (sp.Integer(0), self.total_count)

    def _density(self, at):
        n, p = self.total_count, self.probs
        return sp.binomial(n, at) * p**at * (1 - p) ** (n - at)


class Geometric(Family):
    """``probs (1 - probs)^k`` on ``{0, 1, ...}``: failures before the first success (torch's convention)."""

    PARAMS = {"probs": UNIT}
    kind = "discrete"

    def _validate(self) -> None:
        if self.probs.is_zero:
            raise DomainError(f"Geometric: probs={shown(self.probs)} must be in (0, 1]")

    def support(self):
        return (sp.Integer(0), sp.oo)

    def _density(self, at):
        p = self.probs
        return p * (1 - p) ** at


class Poisson(Family):
    """``rate^k exp(-rate) / k!`` on ``{0, 1, ...}``."""

    PARAMS = {"rate": POSITIVE}
    kind = "discrete"

    def support(self):
        return (sp.Integer(0), sp.oo)

    def _density(self, at):
        r = self.rate
        return r**at * sp.exp(-r) / sp.factorial(at)


class Categorical(Family):
    """K events with probabilities ``probs`` (exact, summing to 1): ``probs[k]`` at ``k = 0..K-1``.

    >>> Categorical(["0.1", "0.4", "0.5"]).params["probs"]
    (1/10, 2/5, 1/2)
    """

    PARAMS = {"probs": UNIT}
    kind = "discrete"

    def __init__(self, probs: Any) -> None:  # a list, validated by the finite distributions
        self.params = {"probs": _Finite(probs, name="probs").probs}

    def __hash__(self) -> int:
        return hash(("Categorical", self.params["probs"]))

    def support(self):
        return (sp.Integer(0), sp.Integer(len(self.params["probs"]) - 1))

    def _density(self, at):
        probs = self.params["probs"]
        return sp.Piecewise(*((p, sp.Eq(at, i)) for i, p in enumerate(probs)), (0, True))
