"""The "is this claim true?" kind: a false claim, and the counterexample symxent's verify finds.

Each claim of the bank is false; :func:`symxent.verify` disproves it with an exact point where
it fails (confirmed by certified evaluation), seeded from the sheet's generator so that a sheet
is reproducible. The solution evaluates each side at that point as a worked example and
derives their difference, whose certified sign shows the claimed relation fails.

>>> import random
>>> ex = claim_exercise(random.Random(0), Settings("fractions", sp.Integer(2), 4))
>>> ex.kind, ex.verdict.startswith("The claim is false")
('claim', True)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from functools import lru_cache

import sympy as sp

from .. import measures
from ..derivation import Derivation
from ..exact import closed_form, evaluate
from ..render.latex import latex
from ..render.notation import BaseLog, CrossEntropyOf, EntropyOf, KLDivergenceOf, ordered_add, ordered_mul, to_sympy
from ..worked import worked_measure
from ..worked.core import chain
from .exercise import Exercise, Part, Settings, SheetError, part_of

__all__ = ["Claim", "CLAIMS", "claim_exercise"]

_P, _Q = sp.Symbol("P"), sp.Symbol("Q")
_REL_TEX = {"=": "=", "<=": r"\le"}
_TRIES = 3  # seeds of verify's search per claim


@dataclass(frozen=True)
class Claim:
    """``lhs REL rhs`` as verify reads it, and each side as (measure, first, second) or a constant."""

    lhs: str
    relation: str
    rhs: str
    left: tuple
    right: tuple


CLAIMS = (
    Claim("H(P, Q)", "=", "H(Q, P)", ("cross-entropy", "P", "Q"), ("cross-entropy", "Q", "P")),
    Claim("KL(P, Q)", "=", "KL(Q, P)", ("kl", "P", "Q"), ("kl", "Q", "P")),
    Claim("H(P, Q)", "<=", "H(P)", ("cross-entropy", "P", "Q"), ("entropy", "P")),
    Claim("KL(P, Q)", "<=", "H(P)", ("kl", "P", "Q"), ("entropy", "P")),
    Claim("KL(P, Q)", "<=", "KL(Q, P)", ("kl", "P", "Q"), ("kl", "Q", "P")),
    Claim("H(P)", "<=", "log(2)", ("entropy", "P"), ("constant", sp.log(2))),
)

_QUANTITY = {"entropy": lambda a, b: EntropyOf(a), "cross-entropy": CrossEntropyOf, "kl": KLDivergenceOf}
_MEASURE = {"entropy": lambda a, b: measures.entropy(a), "cross-entropy": measures.cross_entropy,
            "kl": measures.kl_divergence}


@lru_cache(maxsize=256)
def _counterexample(claim: Claim, seed: int) -> dict | None:
    """{"P": (...), "Q": (...)} where verify disproves the claim, or None when it does not."""
    from ..derivation.verify import verify

    r = verify(claim.lhs, claim.rhs, relation=claim.relation, seed=seed, seconds=120)
    if r.status != "disproved":
        return None
    assert r.counterexample is not None, "a disproved claim carries its counterexample"
    by_name = {str(k): v for k, v in r.counterexample.items()}
    n = int(by_name["n"])
    return {name: tuple(by_name[f"{name.lower()}[{k}]"] for k in range(1, n + 1))
            for name in ("P", "Q") if f"{name.lower()}[1]" in by_name}


def _roughness(point: dict) -> tuple[int, int]:
    """How unpleasant a counterexample is to work by hand: its largest, then total, denominator."""
    denominators = [x.q for v in point.values() for x in v]
    return max(denominators), sum(denominators)


def _tex(side: tuple) -> str:
    if side[0] == "constant":
        return latex(side[1])
    return latex(_QUANTITY[side[0]](sp.Symbol(side[1]), sp.Symbol(side[-1])))


def _side(side: tuple, point: dict, digits: int) -> tuple[sp.Expr, sp.Expr, Part | None]:
    """(notation, exact value, worked part) of one side at the counterexample (nats)."""
    if side[0] == "constant":
        return side[1], side[1], None
    kind, a, b = side[0], side[1], side[-1]
    ex = worked_measure(kind, list(point[a]), None if kind == "entropy" else list(point[b]), base="e", digits=digits,
                        name=f"sheet_claim_{kind}", title=f"${_tex(side)}$ at the counterexample, in nats")
    exact = _MEASURE[kind](list(point[a]), list(point[b]) if kind != "entropy" else None)
    part = part_of(ex)
    if a != "P":  # the worked example names its arguments P, Q: rename them to the side's own
        part = _renamed(part, {sp.Symbol("P"): sp.Symbol(a), sp.Symbol("Q"): sp.Symbol(b),
                               sp.IndexedBase("p"): sp.IndexedBase(a.lower()),
                               sp.IndexedBase("q"): sp.IndexedBase(b.lower())})
    return _QUANTITY[kind](sp.Symbol(a), sp.Symbol(b)), exact, part


def _renamed(part: Part, names: dict) -> Part:
    """The same derivation with its symbols renamed at once (an alpha-renaming keeps every check)."""
    d = part.derivation
    with sp.evaluate(False):  # rebuilt as they were written: no reordering of the factors
        return _renamed_unevaluated(part, d, names)


def _renamed_unevaluated(part: Part, d: Derivation, names: dict) -> Part:
    steps = tuple(replace(st, before=st.before.xreplace(names), after=st.after.xreplace(names)) for st in d.steps)
    given = tuple(replace(g, symbol=g.symbol.xreplace(names)) for g in part.given)
    d = replace(d, lhs=d.lhs.xreplace(names), rhs=d.rhs.xreplace(names), steps=steps)
    return Part(d, tuple(sorted(given, key=lambda g: str(g.symbol))), part.approx)


def claim_exercise(rng: random.Random, s: Settings) -> Exercise:
    """A false claim of the bank, disproved at a counterexample found by :func:`symxent.verify`."""
    claim = rng.choice(CLAIMS)
    found = [p for p in (_counterexample(claim, rng.randrange(1000)) for _ in range(_TRIES)) if p is not None]
    if not found:  # verify ran out of time at every seed (a loaded machine): no exercise to print
        raise SheetError(f"symxent verify found no counterexample to {claim.lhs} {claim.relation} {claim.rhs} "
                         "in time; try again")
    point = min(found, key=_roughness)  # the nicest of a few counterexamples: the smallest denominators
    (lq, lv, lpart), (rq, rv, rpart) = _side(claim.left, point, s.digits), _side(claim.right, point, s.digits)
    worked = {lq: lpart.derivation.rhs if lpart else lv, rq: rpart.derivation.rhs if rpart else rv}
    exact = {lq: lv, rq: rv}
    diff = evaluate(lv - rv, s.digits)
    if diff.lower <= 0 <= diff.upper:
        raise AssertionError(f"the certified sign of {claim.lhs} - {claim.rhs} is unknown at {point}")

    def value_of(e: sp.Expr) -> sp.Expr:
        return to_sympy(e.xreplace(exact))

    lhs = ordered_add([lq, ordered_mul(-1, rq)])
    steps = chain(lhs, [(ordered_add([worked[lq], ordered_mul(-1, worked[rq])]), "the values above"),
                        (_collected(lv - rv), "collect terms")], value_of)
    d = Derivation("sheet_claim", "The difference of the two sides", lhs, "=", steps[-1].after, tuple(steps))
    approx = Part(d, (), _approx(diff))
    parts = tuple(p for p in (lpart, rpart) if p is not None) + (approx,)
    sign = "positive" if diff.lower > 0 else "negative"
    statement = f"${_tex(claim.left)} {_REL_TEX[claim.relation]} {_tex(claim.right)}$"
    verdict = (f"The claim is false: at this point the difference of the two sides is {sign} "
               f"(certified: ${diff.decimal}$), so {statement} fails.")
    shown = ", ".join(f"${k} = \\left({', '.join(latex(x) for x in v)}\\right)$" for k, v in point.items())
    prompt = (f"True or false: {statement} for all distributions $P$ and $Q$ on the same finite set of outcomes "
              f"with positive probabilities? If it is false, give a counterexample and evaluate both sides there.")
    return Exercise("claim", "Is this claim true?", prompt, parts, d.rhs, diff.decimal, "nats",
                    tuple(x for v in point.values() for x in v), f"{verdict} Counterexample: {shown}.")


def _collected(value: sp.Expr) -> sp.Expr:
    """The exact closed form of a value in nats, written as the worked examples write theirs."""
    form = closed_form(value)
    assert form is not None, "a sheet value is a sum of logarithms of rationals"
    rational, logs = form.as_coeff_Add()
    coeffs = dict(arg.as_independent(sp.log)[::-1] for arg in sp.Add.make_args(logs) if arg != 0)
    terms = [rational] if rational != 0 else []
    for log in sorted(coeffs, key=lambda e: e.args[0]):
        c = coeffs[log]
        terms.append(ordered_mul(c, BaseLog(log.args[0], sp.E)) if c != -1 else -BaseLog(log.args[0], sp.E))
    return ordered_add(terms) if terms else sp.Integer(0)


def _approx(value):
    from ..render.document import Approximation

    return Approximation(value.decimal, value.digits, "nats")
