"""Worked examples of a binary classifier's log loss (mean binary cross-entropy)."""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from .. import measures
from ..derivation import Assumption, Derivation
from ..errors import DomainError, ShapeError
from ..exact import evaluate
from ..inputs import FloatReading, exact_list
from ..logbase import as_base, unit_of
from ..render.document import Given
from ..render.notation import BaseLog, LogLossOf, ordered_add, ordered_mul, to_sympy
from .core import WorkedExample, _i, chain
from .distributions import base_tex, formula_value
from .logs import collected, expanded, log_sum, weighted_log

__all__ = ["worked_log_loss"]

_LABELS = "labels $y_i \\in \\{0, 1\\}$; predictions $\\hat{y}_i$ read exactly"


def _one_minus(x: sp.Expr) -> sp.Expr:
    return ordered_add([sp.Integer(1), -x])


def worked_log_loss(labels: Sequence[Any], predictions: Sequence[Any], *, base: Any = "e", digits: int = 10,
                    name: str | None = None, title: str | None = None, floats: FloatReading = "binary",
                    notes: Sequence[str] = ()) -> WorkedExample:
    """The worked example of the mean binary cross-entropy (log loss) of 0/1 labels.

    >>> ex = worked_log_loss([1, 0], ["0.5", "0.5"], base=2, digits=3)
    >>> ex.derivation.rhs, str(ex.value)
    (1, '1.00')
    """
    b = as_base(base)
    ys, qs = exact_list(labels, "labels", floats=floats), exact_list(predictions, "predictions", floats=floats)
    if len(ys) != len(qs) or not ys:
        raise ShapeError(f"labels has {len(ys)} entries and predictions {len(qs)}: need equal, non-zero lengths")
    for k, (y, q) in enumerate(zip(ys, qs)):
        if y not in (0, 1):
            raise DomainError(f"labels[{k}]={labels[k]!r} is not a binary label (0 or 1)")
        if not (q.is_Rational and 0 <= q <= 1):
            raise DomainError(f"predictions[{k}]={predictions[k]!r} is not a probability in [0, 1]")
    n = len(ys)
    exact_value = measures.log_loss(ys, qs, base=b)
    y, yh = sp.IndexedBase("y"), sp.IndexedBase("yhat")
    lhs = LogLossOf(sp.Symbol("y"), sp.Symbol("yhat"))
    term = ordered_add([ordered_mul(y[_i], BaseLog(yh[_i], b)),
                        ordered_mul(_one_minus(y[_i]), BaseLog(_one_minus(yh[_i]), b))])
    definition = ordered_mul(sp.Rational(-1, n), sp.Sum(term, (_i, 1, n)))
    kept = [q if y_ == 1 else 1 - q for y_, q in zip(ys, qs)]
    pairs = [(sp.Integer(1), r) for r in kept]
    formula = formula_value(pairs, 1, b) * sp.Rational(-1, n) if 0 not in kept else sp.oo

    def value_of(e: sp.Expr) -> sp.Expr:
        return exact_value if e == lhs else formula if e == definition else to_sympy(e)

    unit = unit_of(b)
    rewrites = [(definition, "definition")]
    if 0 in kept:
        k = kept.index(0)
        rewrites.append((sp.oo, f"sample {k + 1} gives its own label probability 0"))
    else:
        counts = {r: kept.count(r) for r in dict.fromkeys(kept)}
        grouped = list((sp.Integer(c), r) for r, c in counts.items())
        coeff = sp.Rational(-1, n)
        rewrites += [
            (ordered_mul(coeff, log_sum(pairs, lambda c, r: BaseLog(r, b))),
             "substitute the numbers"),
            (ordered_mul(coeff, log_sum(grouped, lambda c, r: weighted_log(c, r, b))),
             "collect equal logarithms"),
            (ordered_mul(coeff, log_sum([(c, r) for c, r in grouped if r != 1],
                                         lambda c, r: expanded(c, r, b))), "log of a product or quotient"),
            (collected(grouped, coeff, b), "collect terms"),
        ]
    steps = chain(lhs, rewrites, value_of)
    given = (Given(sp.Symbol("y"), tuple(ys), "labels"), Given(sp.Symbol("yhat"), tuple(qs),
                                                                   "predicted probabilities of class 1"))
    d = Derivation(name or "worked_log_loss", title or f"Worked example: log loss in {unit}", lhs, "=",
                   steps[-1].after, tuple(steps),
                   (Assumption(sp.Symbol("b"), f"logarithms to base ${base_tex(b)}$: values in {unit}"),
                    Assumption(sp.Symbol("y"), _LABELS)), notes=tuple(notes))
    return WorkedExample(d.name, d, given, evaluate(exact_value, digits), unit)
