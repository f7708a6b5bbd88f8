"""Certified evaluation: correct rounding checked against an independent high-precision value."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symxent import MAX_DIGITS, PrecisionError, evaluate
from symxent.exact import FLOAT32, round_binary, ulp
from symxent.exact.rounding import BFLOAT16, format_decimal, round_decimal

def frac(x: mpmath.mpf) -> Fraction:
    man, exp = x.man_exp
    return Fraction(man) * Fraction(2) ** exp


KNOWN = [  # (expression, digits, correctly rounded decimal)
    (sp.pi, 50, "3.1415926535897932384626433832795028841971693993751"),
    (sp.log(2), 30, "0.693147180559945309417232121458"),
    (sp.Rational(1, 3), 5, "0.33333"),
    (sp.Rational(2, 3), 5, "0.66667"),
    (sp.Rational(5, 2), 1, "2"),  # tie to even
    (sp.Rational(7, 2), 1, "4"),
    (sp.Rational(9995, 1000), 3, "10.0"),
    (sp.exp(-1000), 5, "5.0760e-435"),
    (-sp.log(10), 4, "-2.303"),
    (sp.log(6) - sp.log(2) - sp.log(3), 10, "0"),  # exactly zero, decided by the normal form
    (sp.Integer(0), 3, "0"),
    (sp.Rational(1, 10**20), 3, "1.00e-20"),
    (sp.Integer(12345678), 3, "12300000"),
]


@pytest.mark.parametrize("expr, digits, expected", KNOWN)
def test_known_values(expr, digits, expected):
    assert evaluate(expr, digits).decimal == expected


@pytest.mark.parametrize("digits", [0, -1, MAX_DIGITS + 1, 2.5, "15", True, None])
def test_digits_out_of_range(digits):
    with pytest.raises(PrecisionError, match="digits"):
        evaluate(sp.log(2), digits)


def test_free_symbols_are_refused():
    with pytest.raises(Exception, match="free symbols"):
        evaluate(sp.log(sp.Symbol("x")))


def test_enclosure_contains_value_and_float64_is_correctly_rounded():
    v = evaluate(sp.log(3), 25, formats=["float32", "bfloat16"])
    with mpmath.workdps(60):
        reference = frac(mpmath.log(3))
    assert v.lower <= reference <= v.upper and v.upper - v.lower < Fraction(1, 10**26)
    assert float(v) == float(np.log(np.float64(3)))  # numpy's log(3) is correctly rounded here
    assert v.floats["float32"] == Fraction(float(np.float32(np.log(3.0))))
    assert v.floats["bfloat16"] == round_binary(Fraction(float(np.log(3.0))), BFLOAT16)


positive_rationals = st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(10**6)).filter(lambda f: f > 0)


@given(positive_rationals, positive_rationals, st.integers(1, 60))
def test_log_combinations_are_correctly_rounded(a, b, digits):
    expr = sp.Rational(a.numerator, a.denominator) * sp.log(sp.Rational(b.numerator, b.denominator) + 1)
    got = evaluate(expr, digits)
    with mpmath.workdps(digits + 40):
        ref = mpmath.mpf(a.numerator) / a.denominator * mpmath.log(mpmath.mpf(b.numerator) / b.denominator + 1)
        ref_fraction = frac(ref)
    assert got.decimal == format_decimal(*round_decimal(ref_fraction, digits), digits)
    assert got.lower <= got.upper


@given(st.fractions(min_value=-10**6, max_value=10**6))
def test_round_binary_float32_matches_numpy(x):
    as_double = float(x)  # correctly rounded to float64 ...
    expected = Fraction(float(np.float32(as_double)))  # ... then float32: double rounding is safe for 53 >= 2*24+2
    assert round_binary(Fraction(as_double), FLOAT32) == expected


def test_ulp():
    assert ulp(1.0) == Fraction(1, 2**52)
    assert ulp(0.0) == Fraction(2) ** -1074
    assert ulp(Fraction(1), FLOAT32) == Fraction(1, 2**23)


def test_jupyter_display_says_whether_the_decimal_is_exact():
    assert evaluate(sp.Rational(1, 4), 4)._repr_latex_() == r"$\frac{1}{4} = 0.2500$"
    assert evaluate(sp.log(2), 3)._repr_latex_() == r"$\log{\left(2 \right)} \approx 0.693$"
    assert evaluate(sp.oo)._repr_latex_() == r"$\infty = \infty$"
