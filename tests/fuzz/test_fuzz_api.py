"""Fuzzing the public API with bad arguments: every exception is a :class:`symxent.SymxentError`."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symxent
from symxent import SymxentError

from .strategies import EXPRESSIONS, NUMBERS
from .tally import record

class Huge:
    """A huge exact number, built only when the test runs (its repr would fail: > 4300 digits)."""

    def __init__(self, make, label):
        self.make, self.label = make, label

    def __repr__(self):
        return self.label


def real(x):
    """The value a strategy stands for (Huge built, inside lists too)."""
    if isinstance(x, Huge):
        return x.make()
    if isinstance(x, list):
        return [real(v) for v in x]
    return x


HUGE = st.sampled_from([Huge(lambda: 10**5000, "10**5000"), Huge(lambda: Fraction(1, 10**5000), "1/10**5000"),
                        Huge(lambda: sp.Integer(10) ** 5000, "Integer(10)**5000"),
                        Huge(lambda: Fraction(3, 7) ** 3000, "(3/7)**3000")])
VALUES = st.one_of(
    NUMBERS, st.integers(), HUGE, st.floats(), st.fractions(), st.decimals(allow_nan=True),
    st.just(Decimal("1e999999999")), st.booleans(), st.none(), st.just(sp.Symbol("x")), st.just(sp.nan),
    st.just(sp.oo), st.just(np.float64(0.5)), st.just(np.float32(0.1)), st.just(np.int64(3)),
    st.just(np.array([0.5, 0.5])), st.just(object()), st.just({}), st.just(b"0.5"), st.just(1j),
)
ARGS = st.one_of(VALUES, st.lists(VALUES, max_size=3), st.lists(st.lists(VALUES, max_size=3), max_size=2))


def _settings(n: int, scale: int):
    return settings(max_examples=n * scale, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _call(fn, *args, **kwargs):
    args, kwargs = [real(a) for a in args], {k: real(v) for k, v in kwargs.items()}
    try:
        fn(*args, **kwargs)
    except SymxentError as err:  # the contract: a clear, named error (anything else fails the test)
        record(f"api {fn.__name__}", type(err).__name__)
    else:
        record(f"api {fn.__name__}", "returned")


def test_measures(fuzz_scale):
    @_settings(60, fuzz_scale)
    @given(which=st.sampled_from(["entropy", "cross_entropy", "kl_divergence", "log_loss"]), a=ARGS, b=ARGS,
           base=VALUES, floats=st.sampled_from(["binary", "shortest", "other"]))
    def case(which, a, b, base, floats):
        fn = getattr(symxent, which)
        args = (a,) if which == "entropy" else (a, b)
        _call(fn, *args, base=base, floats=floats)

    case()


def test_evaluate(fuzz_scale):
    @_settings(30, fuzz_scale)
    @given(expr=st.one_of(VALUES, st.sampled_from([sp.exp(sp.exp(sp.exp(1000))), sp.log(0), sp.zoo,
                                                  sp.log(2) - sp.log(2)])),
           digits=st.one_of(st.integers(-2, 60), VALUES))
    def case(expr, digits):
        _call(symxent.evaluate, expr, digits)

    case()


def test_verify(fuzz_scale):
    @_settings(25, fuzz_scale)
    @given(lhs=st.one_of(EXPRESSIONS, VALUES), rhs=st.one_of(EXPRESSIONS, VALUES),
           where=st.one_of(st.none(), st.just(["p in (0, 1)"]), st.just([3]), st.just("p in (0, 1)"),
                           st.just({"p": "(0, 1)"}), st.just({"p": 3}), VALUES),
           relation=st.sampled_from(["=", "<=", "!=", ""]),
           seconds=st.one_of(st.just(0.3), st.sampled_from([0, -1, float("inf"), float("nan"), "x", None])))
    def case(lhs, rhs, where, relation, seconds):
        _call(symxent.verify, lhs, rhs, where, relation, seconds=seconds)

    case()
