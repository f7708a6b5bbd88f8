"""verify(): tables of claims that must prove, must be disproved (with a counterexample that an
independent evaluation confirms), and are honestly undecided; every call is time-bounded."""

from __future__ import annotations

import time

import mpmath
import pytest
import sympy as sp

from symxent import verify
from symxent.derivation.quantities import unfold
from symxent.errors import ParseError

MUST_PROVE = [
    ("H([a, 1 - a])", "log(2)", {"a": "(0, 1)"}, "<="),  # entropy_bounds.upper at n = 2 (issue 10)
    ("H(P, Q)", "H(P) + KL(P, Q)", {}, "="),
    ("H(P, P)", "H(P)", {}, "="),
    ("KL(P, P)", "0", {}, "="),
    ("H(P, base=2)", "H(P) / log(2)", {}, "="),
    ("JS(P, Q)", "JS(Q, P)", {}, "="),
    ("KL(P, Q)", "0", {}, ">="),
    ("KL(Q, P)", "0", {}, ">="),
    ("H(P, Q)", "H(P)", {}, ">="),
    ("H(P)", "log(n)", {}, "<="),
    ("H(P)", "0", {}, ">="),
    ("JS(P, Q)", "log(2)", {}, "<="),
    ("log(x)", "x - 1", {"x": "(0, oo)"}, "<="),
    ("BCE(y, q)", "-log(q**y * (1 - q)**(1 - y))", {"y": "[0, 1]", "q": "(0, 1)"}, "="),
    ("BCE(y, sigmoid(z))", "max(z, 0) - z*y + log(1 + exp(-abs(z)))", {"y": "[0, 1]"}, "="),
    ("gaussian_nll(y, mu, s)", "(y - mu)**2/(2*s**2) + log(2*pi*s**2)/2", {"s": "(0, oo)"}, "="),
    ("-log(exp(z) / (exp(z) + exp(w)))", "log(exp(z) + exp(w)) - z", {}, "="),
    ("KL(Bernoulli(a), Bernoulli(b))", "a*log(a/b) + (1 - a)*log((1 - a)/(1 - b))", {"a": "(0, 1)", "b": "(0, 1)"}, "="),
    ("x*log(x)", "-1/e", {"x": "(0, oo)"}, ">="),  # undecided before issue 10's one-variable (convexity) tactic
]

MUST_DISPROVE = [  # the list first
    ("H(P, Q)", "H(Q, P)", {}, "="),
    ("H(P, P)", "0", {}, "="),
    ("KL(P, Q)", "KL(Q, P)", {}, "="),
    ("H(P, Q)", "H(P) - KL(P, Q)", {}, "="),
    ("BCE(y, sigmoid(z))", "max(z, 0) - z*y + log(1 + exp(abs(z)))", {"y": "[0, 1]"}, "="),
    ("gaussian_nll(y, mu, s)", "(y - mu)**2/(2*s**2) + log(2*pi*s**2)", {"s": "(0, oo)"}, "="),
    ("gaussian_nll(y, mu, s)", "(y - mu)**2/(2*s**2) + log(pi*s**2)/2", {"s": "(0, oo)"}, "="),
    ("H(P)", "0", {}, "<="),
    ("KL(P, Q)", "0", {}, "<="),
    ("sqrt(x**2)", "x", {}, "="),
    ("log(x)", "x - 1", {"x": "(0, oo)"}, "<"),  # equality at x = 1 is found exactly
    ("sigmoid(z)", "1/2", {}, "="),
]

UNDECIDED = [  # true, but beyond the normal form and the catalogue: no counterexample, no proof
    ("exp(x)", "1 + x", {}, ">="),
    ("exp(x)", "1 + x + x**2/2", {"x": "[0, oo)"}, ">="),  # F' = exp(x) - 1 - x >= 0 is beyond the sign reasoning
]


@pytest.mark.parametrize("lhs, rhs, where, rel", MUST_PROVE)
def test_must_prove(lhs, rhs, where, rel):
    result = verify(lhs, rhs, where, rel)
    assert result.status == "proved", result.detail
    assert result.derivation is not None and result.derivation.proved
    assert result.counterexample is None


def _independent_value(expr: sp.Expr, point: dict) -> mpmath.mpf:
    """The expression at the point, by SymPy's own evalf at 60 digits (not the engine's enclosure)."""
    e = unfold(expr)
    sizes = {s: v for s, v in point.items() if isinstance(s, sp.Symbol) and s.is_integer}
    e = e.xreplace(sizes).doit().xreplace(point)
    return mpmath.mpf(sp.N(e, 60))


@pytest.mark.parametrize("lhs, rhs, where, rel", MUST_DISPROVE)
def test_must_disprove_with_a_checkable_counterexample(lhs, rhs, where, rel):
    result = verify(lhs, rhs, where, rel)
    assert result.status == "disproved", result.detail
    point = result.counterexample
    assert point and all(v.is_Rational for v in point.values())  # exact values the user can check
    with mpmath.workdps(60):
        d = _independent_value(result.lhs, point) - _independent_value(result.rhs, point)
        fails = {"=": d != 0, "<=": d > 0, ">=": d < 0, "<": d >= 0, ">": d <= 0}[rel]
    assert fails, (point, d)
    assert result.values and len(result.values) == 2


@pytest.mark.parametrize("lhs, rhs, where, rel", UNDECIDED)
def test_honestly_undecided(lhs, rhs, where, rel):
    result = verify(lhs, rhs, where, rel)
    assert result.status == "undecided"
    assert result.counterexample is None and result.detail


def test_counterexample_of_symmetry_is_an_n_event_distribution():
    result = verify("H(P, Q)", "H(Q, P)")
    point = {str(k): v for k, v in result.counterexample.items()}
    n = int(point["n"])
    assert sum(point[f"p[{k}]"] for k in range(1, n + 1)) == 1
    assert sum(point[f"q[{k}]"] for k in range(1, n + 1)) == 1


def test_sympy_expressions_and_sets_are_accepted():
    z = sp.Symbol("z", real=True)
    r = verify(sp.log(sp.exp(z)), z, {z: sp.Reals})
    assert r.status == "proved"
    p = sp.Symbol("p", real=True)
    r = verify(p * (1 - p), sp.Rational(1, 4), {p: sp.Interval(0, 1)}, "<=")
    assert r.status in ("proved", "undecided")  # true: never disproved


def test_a_hard_claim_is_bounded():
    start = time.perf_counter()
    r = verify("(x + 1)**400 * (x - 1)**400", "(x**2 - 1)**400 + 0*x", seconds=0.5, samples=2)
    assert r.status == "undecided" and "time bound" in r.detail
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("bad", ["=>", "~", "in"])
def test_bad_relation(bad):
    with pytest.raises(ParseError):
        verify("x", "x", relation=bad)


def test_verdicts_display_in_jupyter():
    from symxent import verify as verify_claim

    result = verify_claim("H(P, P)", "0")
    assert result._repr_markdown_().startswith("**Disproved:**")
    assert "counterexample" in result._repr_latex_()
