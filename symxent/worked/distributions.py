"""Worked examples of the entropy, cross-entropy and KL divergence of given distributions."""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from .. import measures
from ..derivation import Assumption, Derivation
from ..distributions import as_distribution
from ..errors import DomainError, ShapeError
from ..exact import evaluate
from ..inputs import FloatReading
from ..logbase import as_base, unit_of
from ..render.document import Given
from ..render.notation import BaseLog, CrossEntropyOf, EntropyOf, KLDivergenceOf, ordered_mul, to_sympy
from .core import WorkedExample, _i, chain
from .logs import collected, expanded, log_sum, weighted_log

__all__ = ["worked_measure", "formula_value", "base_tex"]

_CONVENTIONS = "conventions: $0 \\log 0 = 0$, and $p_i > 0$ with $q_i = 0$ gives $+\\infty$"
_MEASURES = {"entropy": "entropy", "cross-entropy": "cross-entropy", "kl": "KL divergence"}


def _pairs(measure: str, P: Sequence[sp.Expr], Q: Sequence[sp.Expr] | None) -> list[tuple[sp.Expr, sp.Expr]]:
    """The (weight, log argument) of every term with a non-zero weight (0 log 0 = 0)."""
    if measure == "entropy":
        return [(p, p) for p in P if p != 0]
    assert Q is not None, "every measure but entropy has a second distribution"
    if measure == "cross-entropy":
        return [(p, q) for p, q in zip(P, Q) if p != 0]
    return [(p, p / q if q != 0 else sp.zoo) for p, q in zip(P, Q) if p != 0]


def _definition(measure: str, n: int, base: sp.Expr) -> tuple[sp.Expr, sp.Expr, int]:
    p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
    P, Q = sp.Symbol("P"), sp.Symbol("Q")
    lhs, arg, sign = {"entropy": (EntropyOf(P), p[_i], -1), "cross-entropy": (CrossEntropyOf(P, Q), q[_i], -1),
                      "kl": (KLDivergenceOf(P, Q), p[_i] / q[_i], 1)}[measure]
    body = sp.Sum(ordered_mul(p[_i], BaseLog(arg, base)), (_i, 1, n))
    return lhs, ordered_mul(sign, body), sign


def formula_value(pairs: Sequence[tuple[sp.Expr, sp.Expr]], sign: int, base: sp.Expr) -> sp.Expr:
    """The written formula with the numbers put in: a weight > 0 on log 0 makes it +oo."""
    if any(r in (0, sp.zoo) for _, r in pairs):
        return sp.oo
    return sign * sp.Add(*(c * to_sympy(BaseLog(r, base)) for c, r in pairs))


def worked_measure(measure: str, p: Any, q: Any = None, *, base: Any = 2, digits: int = 10,
                   events: Sequence[str] | None = None, name: str | None = None, title: str | None = None,
                   floats: FloatReading = "binary") -> WorkedExample:
    """The worked example of ``measure`` ("entropy", "cross-entropy" or "kl") for P (and Q).

    >>> ex = worked_measure("entropy", ["1/2", "1/4", "1/4"], base=2, digits=3)
    >>> ex.derivation.rhs, str(ex.value)
    (3/2, '1.50')
    """
    if measure not in _MEASURES:
        raise DomainError(f"measure={measure!r} is not one of {', '.join(_MEASURES)}")
    b = as_base(base)
    P = as_distribution(p, "p", floats=floats).probs
    Q = None if measure == "entropy" else as_distribution(q, "q", floats=floats).probs
    if Q is not None and len(Q) != len(P):
        raise ShapeError(f"p has {len(P)} entries but q has {len(Q)}")
    if events is not None and len(events) != len(P):
        raise ShapeError(f"events has {len(events)} names but p has {len(P)} entries")
    exact_value = {"entropy": lambda: measures.entropy(P, base=b),
                   "cross-entropy": lambda: measures.cross_entropy(P, Q, base=b),
                   "kl": lambda: measures.kl_divergence(P, Q, base=b)}[measure]()
    lhs, definition, sign = _definition(measure, len(P), b)
    pairs = _pairs(measure, P, Q)
    formula = formula_value(pairs, sign, b)

    def value_of(e: sp.Expr) -> sp.Expr:
        return exact_value if e == lhs else formula if e == definition else to_sympy(e)

    unit = unit_of(b)
    dropped = "; 0 log 0 = 0" if len(pairs) < len(P) else ""
    rewrites = [(definition, "definition")]
    if formula == sp.oo:
        assert Q is not None  # entropy is finite: only a p_i > 0 with q_i = 0 gives +infinity
        i = next(i for i, (p_i, q_i) in enumerate(zip(P, Q)) if p_i != 0 and q_i == 0)
        rewrites.append((sp.oo, f"term {i + 1} puts a positive weight on log 0"))
    else:
        rewrites += [
            (ordered_mul(sign, log_sum(pairs, lambda c, r: weighted_log(c, r, b))),
             f"substitute the numbers{dropped}"),
            (ordered_mul(sign, log_sum([(c, r) for c, r in pairs if r != 1],
                                        lambda c, r: expanded(c, r, b))), "log of a product or quotient"),
            (collected(pairs, sign, b), "collect terms"),
        ]
    steps = chain(lhs, rewrites, value_of)
    given = [Given(sp.Symbol("P"), tuple(P), _describe("probabilities", events))]
    if Q is not None:
        given.append(Given(sp.Symbol("Q"), tuple(Q), _describe("probabilities", events)))
    d = Derivation(name or f"worked_{measure}", title or f"Worked example: {_MEASURES[measure]} in {unit}",
                   lhs, "=", steps[-1].after, tuple(steps),
                   (Assumption(sp.Symbol("b"), f"logarithms to base ${base_tex(b)}$: values in {unit}"),
                    Assumption(sp.Symbol("p"), _CONVENTIONS)))
    return WorkedExample(d.name, d, tuple(given), evaluate(exact_value, digits), unit)


def _describe(symbol: str, events: Sequence[str] | None) -> str:
    return f"{symbol}" if events is None else f"{symbol} of {', '.join(events)}"


def base_tex(b: sp.Expr) -> str:
    from ..render.latex import latex

    return "e" if b == sp.E else latex(b)
