"""What the families share: the symbolic distributions, their assumptions, and the lemmas.

The lemma ``x - 1 - log x >= 0`` (equivalently ``ln x <= x - 1``) is proved here by calculus in
the engine (rule ``convex_minimum``), with its strict form away from x = 1; the inequalities of
the catalogue cite it.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..derivation.context import holds, in_interval, normalised, positive
from ..derivation.core import Assumption, Derivation
from ..derivation.engine import Proof
from ..derivation.quantities import distribution

__all__ = ["P", "Q", "R", "i", "n", "j", "x", "simplex", "ln_le_x_minus_1", "ln_lt_x_minus_1"]

P, Q, R = distribution("p"), distribution("q"), distribution("r")
i, n = P.index, P.n
j = sp.Symbol("j", integer=True, positive=True)
x = sp.Symbol("x", positive=True)


def simplex(*dists) -> tuple[Assumption, ...]:
    """Each distribution has positive entries that sum to 1."""
    out = []
    for d in dists:
        out.append(in_interval(d.term(), sp.Interval.Lopen(0, 1)))
        out.append(normalised(d))
    return tuple(out)


@cache
def ln_le_x_minus_1() -> Derivation:
    """``x - 1 - ln x >= 0`` for ``x > 0``: the minimum of a strictly convex function.

    >>> ln_le_x_minus_1().status
    'proved'
    """
    return (Proof("ln_le_x_minus_1", "ln x <= x - 1", x - 1 - sp.log(x), ">=", sp.Integer(0), (positive(x),))
            .step(sp.Integer(0), "convex_minimum", "f(x) = x - 1 - ln x is strictly convex, least at x = 1 where f(1) = 0",
                  ">=", var=x, at=sp.Integer(1))
            .qed())


@cache
def ln_lt_x_minus_1() -> Derivation:
    """``x - 1 - ln x > 0`` for ``x > 0``, ``x != 1``: the minimum at x = 1 is attained only there.

    >>> ln_lt_x_minus_1().status
    'proved'
    """
    return (Proof("ln_lt_x_minus_1", "ln x < x - 1 for x != 1", x - 1 - sp.log(x), ">", sp.Integer(0),
                  (positive(x), holds(sp.Ne(x, 1))))
            .step(sp.Integer(0), "convex_minimum", "strict convexity: x = 1 is the only point where f(x) = 0",
                  ">", var=x, at=sp.Integer(1))
            .qed())
