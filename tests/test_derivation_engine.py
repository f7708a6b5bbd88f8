"""The engine: each rule accepts what its law allows and refuses the rest; a derivation is proved
only when every step is verified and the chain links up; SymPy work is time-bounded."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from symxent.derivation import Derivation, Proof, Step
from symxent.derivation.bound import OutOfTime, bounded, time_limit
from symxent.derivation.context import context_of, holds, in_interval, positive
from symxent.derivation.rules import RULES, check_step
from symxent.identities import get
from symxent.identities._common import P, Q, i, ln_le_x_minus_1, n, simplex, x

a, b = sp.symbols("a b", real=True)
u = sp.Symbol("u", positive=True)
p, q = P.term(), Q.term()


def S(body):
    return sp.Sum(body, (i, 1, n))


# (rule, before, after, relation, params, assumptions, expected status)
RULE_TABLE = [
    ("algebra", (a + 1) ** 2, a**2 + 2 * a + 1, "=", {}, (), "verified"),
    ("algebra", (a + 1) ** 2, a**2 + 1, "=", {}, (), "failed"),
    ("log_laws", sp.log(u**2), 2 * sp.log(u), "=", {}, (), "verified"),
    ("log_laws", sp.log(a * b), sp.log(a) + sp.log(b), "=", {}, (), "unverified"),  # a, b > 0 unknown
    ("log_laws", sp.log(a * b), sp.log(a) + sp.log(b), "=", {}, (positive(a), positive(b)), "verified"),
    ("log_laws", sp.log(1 - a), -sp.log(1 / (1 - a)), "=", {}, (in_interval(a, sp.Interval.open(0, 1)),), "verified"),
    ("sum_linearity", S(p - q), S(p) - S(q), "=", {}, (), "verified"),
    ("sum_linearity", S(p * q), S(p) * S(q), "=", {}, (), "failed"),
    ("normalisation", S(2 * p), sp.Integer(2), "=", {}, simplex(P), "verified"),
    ("normalisation", S(2 * p), sp.Integer(2), "=", {}, (), "unverified"),  # no normalisation stated
    ("definition", get("ce_decomposition").derive().lhs, -S(p * sp.log(q)), "=", {}, (), "verified"),
    ("definition", get("ce_decomposition").derive().lhs, -S(q * sp.log(p)), "=", {}, (), "failed"),
    ("substitute", a * b, b, "=", {"subs": {a: 1}}, (holds(sp.Eq(a, 1)),), "verified"),
    ("substitute", a * b, b, "=", {"subs": {a: 1}}, (), "unverified"),  # a = 1 is not assumed
    ("cases", sp.Max(a, 0), a, "=", {}, (in_interval(a, sp.Interval(0, sp.oo)),), "verified"),
    ("cases", sp.Max(a, 0), a, "=", {}, (), "failed"),
    ("algebra", a, a + 1, "<=", {}, (), "unverified"),  # an equality rule cannot give <=
    ("termwise", -S(p * sp.log(q / p)), -S(p * (q / p - 1)), ">=",
     {"lemma": ln_le_x_minus_1(), "subs": {x: q / p}, "factor": p}, simplex(P, Q), "verified"),
    ("termwise", -S(p * sp.log(q / p)), -S(p * (q / p - 1)), "<=",
     {"lemma": ln_le_x_minus_1(), "subs": {x: q / p}, "factor": p}, simplex(P, Q), "failed"),
    ("convex_minimum", x - 1 - sp.log(x), sp.Integer(0), ">=", {"var": x, "at": sp.Integer(1)}, (positive(x),),
     "verified"),
    ("convex_minimum", sp.log(x) - x + 1, sp.Integer(0), ">=", {"var": x, "at": sp.Integer(1)}, (positive(x),),
     "unverified"),  # concave: f'' > 0 fails
    ("convex_minimum", x - 1 - sp.log(x), sp.Integer(0), ">", {"var": x, "at": sp.Integer(1)}, (positive(x),),
     "failed"),  # strict only away from x = 1
    ("certified_order", sp.log(3), sp.log(2), ">", {}, (), "verified"),
    ("certified_order", sp.log(6), sp.log(2) + sp.log(3), ">", {}, (), "failed"),
    ("no_such_rule", a, a, "=", {}, (), "unverified"),
]


@pytest.mark.parametrize("rule, before, after, relation, params, assumptions, expected", RULE_TABLE)
def test_rule_table(rule, before, after, relation, params, assumptions, expected):
    status, detail = check_step(rule, before, after, relation, context_of(assumptions), params)
    assert status == expected, detail
    assert detail


def test_rules_are_registered():
    assert {"definition", "log_laws", "sum_linearity", "normalisation", "lemma", "termwise", "convex_minimum",
            "differentiate", "sifting", "change_of_variables", "evaluate", "certified_order"} <= set(RULES)


def test_proved_only_when_every_step_verifies_and_links_up():
    good = Proof("t", "t", sp.log(u**2), "=", 2 * sp.log(u)).step(2 * sp.log(u), "log_laws", "log of a power").qed()
    assert good.status == "proved" and good.proved
    short = Proof("t", "t", sp.log(u**2), "=", 3 * sp.log(u)).step(2 * sp.log(u), "log_laws", "log of a power").qed()
    assert short.status == "unverified" and not short.links_up
    wrong = Proof("t", "t", sp.log(u**2), "=", 3 * sp.log(u)).step(3 * sp.log(u), "log_laws", "x").qed()
    assert wrong.status == "failed" and wrong.first_unproved() is wrong.steps[0]


def test_relations_compose():
    proof = (Proof("t", "t", x - 1 - sp.log(x), ">=", sp.Integer(-1), (positive(x),))
             .step(sp.Integer(0), "convex_minimum", "min", ">=", var=x, at=sp.Integer(1))
             .step(sp.Integer(-1), "certified_order", "0 > -1", ">"))
    assert proof.qed().proved  # >= then > gives >, which implies >=


def test_a_false_statement_does_not_prove():
    """H(P,Q) = H(P) - KL(P||Q) with plausible steps: the last one is refused."""
    from symxent.derivation.quantities import H, KLdiv
    d = (Proof("bad", "bad", H(P, Q), "=", H(P) - KLdiv(P, Q), simplex(P, Q))
         .step(-S(p * sp.log(q)), "definition", "definition")
         .step(-S(p * sp.log(p)) + S(p * sp.log(p / q)), "log_laws", "log of a quotient")
         .step(H(P) - KLdiv(P, Q), "definition", "definitions").qed())
    assert d.status == "failed" and d.steps[-1].status == "failed"
    assert "counterexample: n = " in d.steps[-1].detail  # where it fails, and a point that shows it


def test_gibbs_equality_case_is_a_strict_inequality():
    d = get("kl_nonnegative").derive()
    strict = [part for part in d.parts if part.relation == ">"]
    assert strict and strict[0].proved
    assert any(isinstance(a.relation, sp.Unequality) for a in strict[0].assumptions)


def test_steps_are_immutable_data():
    step = get("ce_decomposition").derive().steps[0]
    assert isinstance(step, Step) and isinstance(step.before, sp.Expr)
    with pytest.raises(AttributeError):
        step.status = "verified"  # type: ignore[misc]
    assert isinstance(get("ce_decomposition").derive(), Derivation)


def test_time_limit_interrupts_pure_python():
    start = time.perf_counter()
    with pytest.raises(OutOfTime):
        with time_limit(0.2):
            while True:
                pass
    assert time.perf_counter() - start < 5


def test_a_rule_out_of_time_is_unverified(monkeypatch):
    def slow(*args, **kwargs):
        raise OutOfTime("time bound of 0.1 s reached")
    monkeypatch.setitem(RULES, "algebra", slow)
    status, detail = check_step("algebra", a, a, "=", context_of(()), {})
    assert status == "unverified" and "time bound" in detail


def test_bounded_returns_the_value():
    assert bounded(sp.expand, (a + b) ** 2) == a**2 + 2 * a * b + b**2


def test_a_true_step_the_rule_does_not_give_is_unverified_not_failed():
    """max(a, 0) + max(-a, 0) = |a| holds, but "cases" cannot resolve it without a sign for a."""
    d = Proof("t", "t", sp.Max(a, 0) + sp.Max(-a, 0), "=", sp.Abs(a)).step(sp.Abs(a), "cases", "cases").qed()
    assert d.steps[0].status == "unverified" and "no counterexample" in d.steps[0].detail
    assert d.status == "unverified"
