"""What the pictures show, computed exactly: each event's share of H(P), H(P, Q) and KL(P || Q).

No matplotlib here. The terms are the ones :mod:`symxent.measures` adds up (so they sum to its
values exactly, conventions included: ``0 log 0 = 0``, and ``p > 0`` with ``q = 0`` gives
``+oo``); every number handed to the drawing code is the correctly rounded float64 that
:func:`symxent.exact.evaluate` certifies.

>>> c = event_contributions(["1/2", "1/4", "1/4"], ["1/4", "1/4", "1/2"], base=2)
>>> c.entropy, c.cross_entropy, c.kl
((1/2, 1/2, 1/2), (1, 1/2, 1/4), (1/2, 0, -1/4))
>>> c.floats("kl"), c.unit
((0.5, 0.0, -0.25), 'bits')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import sympy as sp

from .. import measures
from ..distributions import as_distribution
from ..errors import ShapeError, UnsupportedError, shown
from ..exact import evaluate
from ..inputs import FloatReading
from ..logbase import as_base, base_label, unit_of
from ..measures import _xlog  # the one definition of a term w log_b(a), conventions included

__all__ = ["EventContributions", "event_contributions", "certified_float", "numeric_base"]

QUANTITIES = ("entropy", "cross_entropy", "kl")


def certified_float(value: sp.Expr) -> float:
    """The correctly rounded float64 of an exact value (``inf`` for ``+oo``).

    >>> certified_float(sp.log(2))
    0.6931471805599453
    """
    return evaluate(value, 17).float64


def numeric_base(base: Any) -> sp.Expr:
    """The base as an exact number; a picture needs a number, not a symbol.

    >>> numeric_base(2), numeric_base("e")
    (2, E)
    """
    b = as_base(base)
    if b.free_symbols:
        raise UnsupportedError(f"base={shown(base)} is a symbol: a picture needs a numeric base")
    return b


@dataclass(frozen=True)
class EventContributions:
    """Per-event terms of H(P), H(P, Q), KL(P || Q) (the last two are None without Q), exactly."""

    p: tuple[sp.Expr, ...]
    q: tuple[sp.Expr, ...] | None
    base: sp.Expr
    entropy: tuple[sp.Expr, ...]
    cross_entropy: tuple[sp.Expr, ...] | None
    kl: tuple[sp.Expr, ...] | None

    @property
    def unit(self) -> str:
        return unit_of(self.base)

    @property
    def base_text(self) -> str:
        return base_label(self.base)

    def floats(self, quantity: str) -> tuple[float, ...]:
        """The certified float64 of every term of ``quantity`` (``inf`` where it is infinite)."""
        terms = getattr(self, quantity)
        return tuple(certified_float(t) for t in terms)

    def total(self, quantity: str) -> sp.Expr:
        """The measure itself, from :mod:`symxent.measures` (equal to the sum of the terms)."""
        if quantity == "entropy":
            return measures.entropy(self.p, base=self.base)
        fn = measures.cross_entropy if quantity == "cross_entropy" else measures.kl_divergence
        return fn(self.p, self.q, base=self.base)


def _kl_term(p: sp.Expr, q: sp.Expr, b: sp.Expr) -> sp.Expr:
    """``p log_b(p/q)`` composed from the two terms KL = CE - H, with p = 0 and q = 0 handled."""
    if p.is_zero:
        return sp.Integer(0)
    if q.is_zero:
        return sp.oo
    return _xlog(p, p, b) - _xlog(p, q, b)


def event_contributions(p: Any, q: Any = None, *, base: Any = 2,
                        floats: FloatReading = "binary") -> EventContributions:
    """Each event's exact term of H(P) and, given Q, of H(P, Q) and KL(P || Q).

    >>> event_contributions([1, 0], [0, 1]).kl
    (oo, 0)
    """
    b = numeric_base(base)
    P = as_distribution(p, "p", floats=floats).probs
    _numeric(P, "p")
    if q is None:
        return EventContributions(P, None, b, tuple(-_xlog(x, x, b) for x in P), None, None)
    Q = as_distribution(q, "q", floats=floats).probs
    _numeric(Q, "q")
    if len(Q) != len(P):
        raise ShapeError(f"p has {len(P)} entries but q has {len(Q)}")
    return EventContributions(P, Q, b, tuple(-_xlog(x, x, b) for x in P),
                              tuple(-_xlog(x, y, b) for x, y in zip(P, Q)),
                              tuple(_kl_term(x, y, b) for x, y in zip(P, Q)))


def _numeric(values: Sequence[sp.Expr], name: str) -> None:
    for i, v in enumerate(values):
        if v.free_symbols:
            raise UnsupportedError(f"{name}[{i}]={shown(v)} is a symbol: a picture needs numbers")
