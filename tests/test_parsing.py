"""The claim parser: an allow-list over Python's ast; what it reads, and what it refuses."""

from __future__ import annotations

import pytest
import sympy as sp

from symxent.derivation.quantities import KL, CrossEntropy, Entropy, Sigmoid
from symxent.errors import ParseError
from symxent.parsing import read_expression, parse_where

x, z, y = (sp.Symbol(s, real=True) for s in "xzy")

ACCEPTED = [
    ("0.1", sp.Rational(1, 10)),
    ("1/3 + 2.5e-3", sp.Rational(1, 3) + sp.Rational(1, 400)),
    ("x**2 - 2*x", x**2 - 2 * x),
    ("-x", -x),
    ("log(x, 2)", sp.log(x) / sp.log(2)),
    ("ln(x) + log2(x)", sp.log(x) + sp.log(x) / sp.log(2)),
    ("exp(-abs(z))", sp.exp(-sp.Abs(z))),
    ("max(z, 0) + min(z, 0)", sp.Max(z, 0) + sp.Min(z, 0)),
    ("sqrt(2*pi)", sp.sqrt(2 * sp.pi)),
    ("e**x", sp.exp(x)),
    ("sigmoid(z)", Sigmoid(z)),
    ("softplus(z)", sp.log(1 + sp.exp(z))),
    ("H([0.5, 0.5], base=2)", sp.Integer(1)),
    ("KL([1, 0], [0.5, 0.5], base=2)", sp.Integer(1)),
    ("H(Bernoulli(0.5))", sp.log(2)),
]


@pytest.mark.parametrize("text, expected", ACCEPTED)
def test_accepted(text, expected):
    assert sp.simplify(read_expression(text) - expected) == 0


def test_distributions_are_n_event_quantities():
    assert isinstance(read_expression("H(P)"), Entropy)
    assert isinstance(read_expression("H(P, Q)"), CrossEntropy)
    assert isinstance(read_expression("CE(P, Q)"), CrossEntropy)
    assert isinstance(read_expression("KL(Q, P)"), KL)
    n = read_expression("n")
    assert n.is_integer and n.is_positive


def test_symbols_are_shared_and_reported():
    symbols: dict = {}
    dists: dict = {}
    e = read_expression("H(P, Q) + t", symbols, dists)
    assert set(symbols) == {"t"} and set(dists) == {"P", "Q"}
    assert e.has(symbols["t"])


def test_sum_with_subscripts():
    e = read_expression("Sum(w[i]**2, i, 1, N)")
    assert isinstance(e, sp.Sum) and str(e.limits[0][2]) == "N"


REJECTED = [
    "__import__('os').system('true')",
    "open('/etc/passwd')",
    "x.real",
    "(lambda: 1)()",
    "[c for c in 'ab']",
    "x if x else 1",
    "x == 1",
    "'text'",
    "True",
    "2**10**10",
    "((2**999)**999)**999",
    "1e99999",
    "foo(x)",
    "log()",
    "log(x, 2, 3)",
    "H(x)",
    "[1, 2]",
    "P + 1",
    "H(P, [0.5, 0.5])",
    "H(P, base=2, extra=1)",
    "x // 2",
    "x % 2",
    "1/0",
    "log(x",
    "x" * 3000,
    "globals()",
    "P.__class__",
]


@pytest.mark.parametrize("text", REJECTED)
def test_rejected(text):
    with pytest.raises(ParseError):
        read_expression(text)


WHERE = [
    ("p in (0, 1)", "p", sp.Interval.open(0, 1)),
    ("p in (0, 1]", "p", sp.Interval.Lopen(0, 1)),
    ("y in [0, 1]", "y", sp.Interval(0, 1)),
    ("y in {0, 1}", "y", sp.FiniteSet(0, 1)),
    ("z in R", "z", sp.Reals),
    ("s > 0", "s", sp.Interval.open(0, sp.oo)),
    ("s >= 1/2", "s", sp.Interval(sp.Rational(1, 2), sp.oo)),
    ("t < 0", "t", sp.Interval.open(-sp.oo, 0)),
    ("m in (-oo, 2]", "m", sp.Interval(-sp.oo, 2)),
]


@pytest.mark.parametrize("text, name, domain", WHERE)
def test_where(text, name, domain):
    assert parse_where(text) == (name, domain)


@pytest.mark.parametrize("text", ["p", "p in", "p in (1, 0)", "p in (0, x)", "log in (0, 1)", "1 > 0",
                                  "p in [0, 1, 2]"])
def test_where_rejected(text):
    with pytest.raises(ParseError):
        parse_where(text)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from symxent.errors import SymxentError  # noqa: E402

ALPHABET = st.sampled_from(list("xyzPQ0123456789.+-*/()[], e") + ["log(", "exp(", "H(", "KL(", "**", "abs(",
                                                                     "sigmoid(", "base=", "Sum(", "max(", "1e5"])


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(ALPHABET, max_size=25).map("".join)))
def test_any_text_is_an_expression_or_a_symxent_error(text):
    try:
        value = read_expression(text)
    except SymxentError:
        return
    assert isinstance(value, sp.Expr)
