"""Worked examples for coursework: definition, substitution, exact closed form, decimal value.

For numbers a student is given, :func:`worked_measure` (entropy, cross-entropy, KL divergence of
two distributions) and :func:`worked_log_loss` (a binary classifier's log loss) write the
derivation a student is asked to show, one step per line, and check every step exactly: the
definition against :mod:`symxent.measures`, every rewriting by the exact normal form of
:func:`symxent.exact.closed_form`. The value closing the example is certified to the digits
asked for by :func:`symxent.exact.evaluate`.

>>> ex = worked_measure("cross-entropy", ["1/2", "1/2"], ["1/4", "3/4"], base=2, digits=5)
>>> ex.derivation.proved, str(ex.value), ex.unit
(True, '1.2075', 'bits')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import sympy as sp

from . import measures
from .derivation import Assumption, Derivation, Step
from .distributions import as_distribution
from .errors import DomainError, ShapeError
from .exact import CertifiedValue, closed_form, evaluate
from .inputs import FloatReading, exact_list
from .logbase import as_base, unit_of
from .render.document import Approximation, Given
from .render.notation import BaseLog, CrossEntropyOf, EntropyOf, KLDivergenceOf, LogLossOf, ordered_add, ordered_mul
from .render.notation import to_sympy

__all__ = ["WorkedExample", "worked_measure", "worked_log_loss", "example_1", "example_2", "worked_examples"]

_i = sp.Symbol("i", integer=True, positive=True)
_MEASURES = {"entropy": "entropy", "cross-entropy": "cross-entropy", "kl": "KL divergence"}


@dataclass(frozen=True)
class WorkedExample:
    """A checked derivation for given numbers, with its certified decimal value."""

    name: str
    derivation: Derivation
    given: tuple[Given, ...]
    value: CertifiedValue
    unit: str

    @property
    def approximation(self) -> Approximation | None:
        """The certified decimal closing the derivation (None when the value is infinite)."""
        if self.value.expr in (sp.oo, -sp.oo):
            return None
        return Approximation(self.value.decimal, self.value.digits, self.unit)

    def to_latex(self, *, standalone: bool = False) -> str:
        from .render.document import derivation_latex

        return derivation_latex(self.derivation, standalone=standalone, given=self.given, approx=self.approximation)

    def to_markdown(self) -> str:
        from .render.document import derivation_markdown

        return derivation_markdown(self.derivation, given=self.given, approx=self.approximation)

    def to_text(self) -> str:
        from .render.document import derivation_text

        return derivation_text(self.derivation, given=self.given, approx=self.approximation)

    def _repr_latex_(self) -> str:
        from .render.document import derivation_latex

        body = derivation_latex(self.derivation, approx=self.approximation)
        return "$$" + body.replace("align*", "aligned") + "$$"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


# -- checking a step ---------------------------------------------------------------------------

def _check(before: sp.Expr, after: sp.Expr) -> tuple[str, str]:
    """("verified"|"failed"|"unverified", how) for two exact numeric values."""
    if before in (sp.oo, -sp.oo) or after in (sp.oo, -sp.oo):
        return ("verified", "both sides are the same infinity") if before == after else \
            ("failed", f"{before} != {after}")
    diff = closed_form(sp.Add(before, -after))
    if diff is None:
        return "unverified", "outside the exact log-linear normal form"
    if diff == 0:
        return "verified", "exact: the difference is 0 in the normal form r + sum c_p log p"
    return "failed", f"the two sides differ by {diff}"


def _step(before: sp.Expr, after: sp.Expr, why: str, value_of) -> Step:
    status, detail = _check(value_of(before), value_of(after))
    return Step(before, after, "=", why, status=status, detail=detail)


def _chain(lhs: sp.Expr, rewrites: list[tuple[sp.Expr, str]], value_of) -> list[Step]:
    """Steps lhs = e1 = e2 = ..., dropping a rewrite that leaves the expression as it was."""
    steps, current = [], lhs
    for after, why in rewrites:
        if after == current:
            continue
        steps.append(_step(current, after, why, value_of))
        current = after
    return steps


# -- logarithms of rationals, expanded over primes ----------------------------------------------

def _log_terms(r: sp.Rational, base: sp.Expr) -> tuple[list[sp.Expr], dict]:
    """``log_b r`` as terms ``+-e log_b p`` (numerator primes, then denominator), and their coefficients."""
    terms, coeffs = [], {}
    for part, sign in ((r.p, 1), (r.q, -1)):
        for prime, e in sorted(sp.factorint(part).items()):
            c = sp.Integer(sign * e)
            if base.is_Integer and prime == base:
                terms.append(c)
                coeffs[1] = coeffs.get(1, 0) + c
            else:
                terms.append(ordered_mul(c, BaseLog(sp.Integer(prime), base)) if c != -1 else -BaseLog(
                    sp.Integer(prime), base))
                coeffs[prime] = coeffs.get(prime, 0) + c
    return terms, coeffs


def _expanded(c: sp.Rational, r: sp.Rational, base: sp.Expr) -> sp.Expr:
    terms, _ = _log_terms(r, base)
    if not terms:
        return sp.Integer(0)
    if len(terms) == 1 and terms[0].is_Rational:
        return c * terms[0]
    return ordered_mul(c, ordered_add(terms))


def _collected(pairs: Sequence[tuple[sp.Rational, sp.Rational]], outer: sp.Rational, base: sp.Expr) -> sp.Expr:
    """``outer * sum c log_b r`` collected: a rational, then ``c_p log_b p`` by increasing prime."""
    total: dict = {}
    for c, r in pairs:
        for key, e in _log_terms(r, base)[1].items():
            total[key] = total.get(key, 0) + outer * c * e
    terms = [total.pop(1)] if total.get(1, 0) != 0 else []
    terms += [ordered_mul(total[p], BaseLog(sp.Integer(p), base)) if total[p] != -1 else
              -BaseLog(sp.Integer(p), base) for p in sorted(total) if total[p] != 0]
    return ordered_add(terms) if terms else sp.Integer(0)


def _log_sum(pairs: Sequence[tuple[sp.Rational, sp.Rational]], base: sp.Expr, f) -> sp.Expr:
    return ordered_add([f(c, r) for c, r in pairs]) if pairs else sp.Integer(0)


def _weighted_log(c: sp.Rational, r: sp.Rational, base: sp.Expr) -> sp.Expr:
    return ordered_mul(c, BaseLog(r, base))


# -- entropy, cross-entropy, KL divergence ------------------------------------------------------

def _pairs(measure: str, P: Sequence[sp.Expr], Q: Sequence[sp.Expr] | None) -> list[tuple[sp.Expr, sp.Expr]]:
    """The (weight, log argument) of every term with a non-zero weight (0 log 0 = 0)."""
    if measure == "entropy":
        return [(p, p) for p in P if p != 0]
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


def _formula_value(pairs: Sequence[tuple[sp.Expr, sp.Expr]], sign: int, base: sp.Expr) -> sp.Expr:
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
    formula = _formula_value(pairs, sign, b)

    def value_of(e: sp.Expr) -> sp.Expr:
        return exact_value if e == lhs else formula if e == definition else to_sympy(e)

    unit = unit_of(b)
    dropped = "; 0 log 0 = 0" if len(pairs) < len(P) else ""
    rewrites = [(definition, "definition")]
    if formula == sp.oo:
        k = next(i for i, (_, r) in enumerate(pairs) if r in (0, sp.zoo))
        rewrites.append((sp.oo, f"term {k + 1} puts a positive weight on log 0"))
    else:
        rewrites += [
            (ordered_mul(sign, _log_sum(pairs, b, lambda c, r: _weighted_log(c, r, b))),
             f"substitute the numbers{dropped}"),
            (ordered_mul(sign, _log_sum([(c, r) for c, r in pairs if r != 1], b,
                                        lambda c, r: _expanded(c, r, b))), "log of a product or quotient"),
            (_collected(pairs, sign, b), "collect terms"),
        ]
    steps = _chain(lhs, rewrites, value_of)
    given = [Given(sp.Symbol("P"), tuple(P), _describe("probabilities", events))]
    if Q is not None:
        given.append(Given(sp.Symbol("Q"), tuple(Q), _describe("probabilities", events)))
    d = Derivation(name or f"worked_{measure}", title or f"Worked example: {_MEASURES[measure]} in {unit}",
                   lhs, "=", steps[-1].after, tuple(steps),
                   (Assumption(sp.Symbol("b"), f"logarithms to base ${_base_tex(b)}$: values in {unit}"),
                    Assumption(sp.Symbol("p"), "conventions: $0 \\log 0 = 0$, and $p_i > 0$ with $q_i = 0$ gives $+\\infty$")))
    return WorkedExample(d.name, d, tuple(given), evaluate(exact_value, digits), unit)


def _describe(symbol: str, events: Sequence[str] | None) -> str:
    return f"{symbol}" if events is None else f"{symbol} of {', '.join(events)}"


def _base_tex(b: sp.Expr) -> str:
    from .render.latex import latex

    return "e" if b == sp.E else latex(b)


# -- a binary classifier's log loss -------------------------------------------------------------

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
                        ordered_mul(ordered_add([sp.Integer(1), -y[_i]]), BaseLog(ordered_add([sp.Integer(1), -yh[_i]]), b))])
    definition = ordered_mul(sp.Rational(-1, n), sp.Sum(term, (_i, 1, n)))
    kept = [q if y_ == 1 else 1 - q for y_, q in zip(ys, qs)]
    pairs = [(sp.Integer(1), r) for r in kept]
    formula = _formula_value(pairs, 1, b) * sp.Rational(-1, n) if 0 not in kept else sp.oo

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
            (ordered_mul(coeff, _log_sum(pairs, b, lambda c, r: BaseLog(r, b))),
             "substitute the numbers"),
            (ordered_mul(coeff, _log_sum(grouped, b, lambda c, r: _weighted_log(c, r, b))),
             "collect equal logarithms"),
            (ordered_mul(coeff, _log_sum([(c, r) for c, r in grouped if r != 1], b,
                                         lambda c, r: _expanded(c, r, b))), "log of a product or quotient"),
            (_collected(grouped, coeff, b), "collect terms"),
        ]
    steps = _chain(lhs, rewrites, value_of)
    given = (Given(sp.Symbol("y"), tuple(ys), "labels"), Given(sp.Symbol("yhat"), tuple(qs),
                                                                   "predicted probabilities of class 1"))
    d = Derivation(name or "worked_log_loss", title or f"Worked example: log loss in {unit}", lhs, "=",
                   steps[-1].after, tuple(steps),
                   (Assumption(sp.Symbol("b"), f"logarithms to base ${_base_tex(b)}$: values in {unit}"),
                    Assumption(sp.Symbol("y"), "labels $y_i \\in \\{0, 1\\}$; predictions $\\hat{y}_i$ read exactly")), notes=tuple(notes))
    return WorkedExample(d.name, d, given, evaluate(exact_value, digits), unit)


# -- the two examples of the documentation -------------------------------------------------------

def example_1(digits: int = 10) -> WorkedExample:
    """Worked example 1: the cross-entropy of two distributions over three events, in bits.

    >>> str(example_1(digits=4).value)
    '3.288'
    """
    from .examples import EXAMPLE_1 as E

    return worked_measure("cross-entropy", E.p, E.q, base=E.base, digits=digits, events=E.events,
                          name="example_1", title="Worked example 1: cross-entropy of three events, in bits")


def example_2(digits: int = 10) -> WorkedExample:
    """Worked example 2: a binary classifier's log loss over ten samples, in nats.

    >>> str(example_2(digits=4).value)
    '0.2469'
    """
    from .examples import EXAMPLE_2 as E

    as_floats = evaluate(measures.log_loss(E.labels, E.prediction_floats), 20)
    as_decimals = evaluate(measures.log_loss(E.labels, E.predictions), 20)
    note = (f"The predictions are read as exact decimals (0.8 is 4/5), giving {as_decimals} nats to 20 digits. "
            f"Read as the binary values of the float64 literals they give {as_floats} nats: "
            "a check of floating-point code must say which reading it uses.")
    return worked_log_loss(E.labels, E.predictions, base="e", digits=digits, name="example_2",
                           title="Worked example 2: log loss of a binary classifier, in nats", notes=(note,))


def worked_examples(digits: int = 10) -> list[WorkedExample]:
    """Both worked examples of the documentation, in order."""
    return [example_1(digits), example_2(digits)]
