"""Issue 10, point 4: the inequality tactics, each step checked by its rule, and what an undecided
claim says about how far each tactic got."""

from __future__ import annotations

import pytest
import sympy as sp

from symxent.derivation import verify as V
from symxent.derivation.rules import check_step
from symxent.derivation.tactics import prove
from symxent.parsing import read_expression

DOMAINS = {k: "(0, 1)" for k in ("p", "q", "a", "b", "c", "d")}
P2, Q2 = "[p, 1 - p]", "[q, 1 - q]"
P3, Q3 = "[a, b, 1 - a - b]", "[c, d, 1 - c - d]"

TACTIC_CLAIMS = [  # lhs, rhs, relation, tactic, the rule that carries the inequality
    (f"KL({P2}, {Q2})", "0", ">=", "gibbs", "termwise_log"),
    (f"KL({P3}, {Q3})", "0", ">=", "gibbs", "termwise_log"),
    (f"KL({P2}, {Q2}, base=2)", "0", ">=", "gibbs", "termwise_log"),
    (f"H({P2}, {Q2})", f"H({P2})", ">=", "gibbs", "termwise_log"),
    (f"KL({P2}, {Q2})", "0", ">=", "log_sum", "log_sum"),
    (f"H({P2})", "log(2)", "<=", "log_sum", "log_sum"),
    (f"H({P3})", "log(3)", "<=", "log_sum", "log_sum"),
    (f"H({P2}, base=2)", "1", "<=", "log_sum", "log_sum"),
    ("H([x, y])", "log(2)", "<=", "log_sum", "log_sum"),
    (f"JS({P2}, {Q2})", "0", ">=", "log_sum", "log_sum"),
    (f"JS({P2}, {Q2})", "log(2)", "<=", "js_upper", "termwise_log"),
    (f"JS({P3}, {Q3})", "log(2)", "<=", "js_upper", "termwise_log"),
    (f"H({P2})", "log(2)", "<=", "one_variable", "one_variable"),
    (f"KL({P2}, {Q2})", "2*(p - q)**2", ">=", "one_variable", "one_variable"),  # Pinsker, two points
    ("log(1 + x)", "x", "<=", "one_variable", "one_variable"),
]


def _claim(lhs: str, rhs: str):
    symbols = {k: sp.Symbol(k, real=True) for k in (*DOMAINS, "x")}
    lists: list = []
    L = read_expression(lhs, symbols, {}, lists)
    R = read_expression(rhs, symbols, {}, lists)
    used = (L - R).free_symbols | {s for v in lists for e in v for s in getattr(e, "free_symbols", ())}
    domains = {symbols[k]: sp.Interval.open(0, 1) for k in DOMAINS if symbols[k] in used}
    if symbols["x"] in used:
        domains[symbols["x"]] = sp.Interval(0, sp.oo)
    assumptions = V._assumptions(domains, []) + V.list_assumptions(lists, domains)
    return L, R, assumptions, tuple(lists)


@pytest.mark.parametrize("lhs, rhs, rel, tactic, law", TACTIC_CLAIMS)
def test_each_tactic_proves_its_claims_step_by_step(lhs, rhs, rel, tactic, law):
    L, R, assumptions, lists = _claim(lhs, rhs)
    d, notes = prove(L, R, rel, assumptions, lists, only=(tactic,))
    assert d is not None and d.proved, notes
    assert d.lhs == L and d.rhs == R and d.steps[0].before == L and d.steps[-1].after == R
    assert law in [s.rule for s in d.steps]
    ctx = V.context_of(assumptions)
    for s in d.steps:  # every step verified; those without parameters re-checked here by their rule
        assert s.verified, s
        if s.rule not in (law, "one_variable", "termwise_log", "log_sum"):
            assert check_step(s.rule, s.before, s.after, s.relation, ctx, {})[0] == "verified", s


def test_a_wrong_step_is_not_verified():
    L, R, assumptions, lists = _claim(f"KL({P2}, {Q2})", "0")
    ctx = V.context_of(assumptions)
    p, q = sp.symbols("p q", real=True)
    terms = ((p, q / p), (1 - p, (1 - q) / (1 - p)))
    X0 = -(p * sp.log(q / p) + (1 - p) * sp.log((1 - q) / (1 - p)))
    too_far = -(p * (q / p - 1) + (1 - p) * ((1 - q) / (1 - p) - 1)) + 1  # one more than the law gives
    assert check_step("termwise_log", X0, too_far, ">=", ctx, {"terms": terms})[0] == "failed"
    assert check_step("termwise_log", X0, too_far - 1, ">=", ctx, {"terms": terms})[0] == "verified"
    assert check_step("termwise_log", X0, too_far - 1, "<=", ctx, {"terms": terms})[0] == "failed"
    loose = V.context_of(())  # without the domains the weights' signs are not known
    assert check_step("termwise_log", X0, too_far - 1, ">=", loose, {"terms": terms})[0] == "unverified"


def test_verify_uses_the_tactics():
    result = V.verify(f"KL({P2}, {Q2})", "2*(p - q)**2", DOMAINS, ">=", seconds=60)
    assert result.proved
    assert any(s.rule == "one_variable" for part in result.derivation.parts for s in part.steps)
    assert V.verify(f"JS({P3}, {Q3})", "0", DOMAINS, ">=", seconds=60).proved


def test_undecided_says_how_far_each_tactic_got():
    result = V.verify("exp(x)", "1 + x + x**2/2", {"x": "[0, oo)"}, ">=")
    assert result.status == "undecided"
    assert "tactics:" in result.detail and "one_variable" in result.detail and "F'(x)" in result.detail
