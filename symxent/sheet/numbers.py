"""The numbers of an exercise, drawn from a seeded generator at a level of niceness.

Three levels, from nicest to most realistic:

- ``"dyadic"``: probabilities that are powers of 1/2 (and, where the answer stays a rational
  number of bits, other multiples of 1/8), so that in base 2 the answers need no logarithm;
- ``"fractions"``: small fractions k/d with a common denominator d from 3 to 10;
- ``"decimals"``: multiples of 0.05 (single probabilities also of 0.02 or 0.04), printed as
  decimals (and read exactly: 0.35 is 7/20).

Every draw is strictly between 0 and 1, so no exercise meets ``0 log 0`` or an infinite KL.

>>> import random
>>> power_distribution(random.Random(1), 3)
(1/2, 1/4, 1/4)
>>> show(sp.Rational(7, 20), "decimals"), show(sp.Rational(2, 3), "fractions")
('0.35', '\\\\tfrac{2}{3}')
"""

from __future__ import annotations

import random
from decimal import Decimal
from functools import lru_cache

import sympy as sp

__all__ = ["LEVELS", "distribution", "power_distribution", "probability", "show", "show_list"]

LEVELS = ("dyadic", "fractions", "decimals")
_DENOMINATORS = {"dyadic": (8,), "fractions": (3, 4, 5, 6, 7, 8, 9, 10), "decimals": (10, 20)}
_SINGLE = {"dyadic": (8,), "fractions": (3, 4, 5, 6, 7, 8, 9, 10, 11, 12), "decimals": (10, 20, 25, 50)}


@lru_cache(maxsize=None)
def _compositions(total: int, parts: int) -> tuple[tuple[int, ...], ...]:
    """Every way of writing ``total`` as an ordered sum of ``parts`` positive integers."""
    if parts == 1:
        return ((total,),)
    return tuple((k, *rest) for k in range(1, total - parts + 2) for rest in _compositions(total - k, parts - 1))


@lru_cache(maxsize=None)
def _powers_of_half(parts: int) -> tuple[tuple[sp.Rational, ...], ...]:
    """Ordered tuples of ``parts`` powers of 1/2 (down to 1/16) that sum to 1."""
    halves = [sp.Rational(1, 2**k) for k in range(1, 5)]
    found: list[tuple[sp.Rational, ...]] = []

    def extend(prefix: tuple, left: sp.Rational) -> None:
        if len(prefix) == parts:
            if left == 0:
                found.append(prefix)
            return
        for h in halves:
            if h <= left:
                extend((*prefix, h), left - h)

    extend((), sp.Integer(1))
    return tuple(found)


def power_distribution(rng: random.Random, events: int) -> tuple[sp.Rational, ...]:
    """A distribution whose entries are powers of 1/2: its logarithms in base 2 are integers."""
    return rng.choice(_powers_of_half(events))


def distribution(rng: random.Random, level: str, events: int) -> tuple[sp.Rational, ...]:
    """A distribution over ``events`` outcomes, every entry strictly between 0 and 1 (dyadic: eighths)."""
    d = rng.choice([d for d in _DENOMINATORS[level] if d >= events])
    return tuple(sp.Rational(k, d) for k in rng.choice(_compositions(d, events)))


def probability(rng: random.Random, level: str) -> sp.Rational:
    """One probability strictly between 0 and 1 (dyadic: a multiple of 1/8; decimals: of 0.02 or 0.05)."""
    d = rng.choice(_SINGLE[level])
    return sp.Rational(rng.randint(1, d - 1), d)


def show(x: sp.Rational, level: str) -> str:
    """How the question prints a number: a decimal at the ``"decimals"`` level, else a fraction."""
    if x.is_Integer:
        return str(x)
    if level == "decimals" and 10**6 % x.q == 0:  # a terminating decimal: exact, no rounding
        return str(Decimal(x.p) / Decimal(x.q))
    sign = "-" if x < 0 else ""
    return rf"{sign}\tfrac{{{abs(x.p)}}}{{{x.q}}}"


def show_list(xs, level: str) -> str:
    """``\\left(a, b, c\\right)`` of numbers as the question prints them."""
    return r"\left(" + ", ".join(show(x, level) for x in xs) + r"\right)"
