from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symxent import InvalidNumberError, SymxentError, UnsupportedError, parse_number
from symxent import as_exact as exact
from symxent.inputs import exact_number, parse_number_list

R = sp.Rational

READS = [
    ("0.1", R(1, 10)),
    ("1/3", R(1, 3)),
    ("2.5e-3", R(1, 400)),
    ("-2.5E+3", R(-2500)),
    (" 7 ", R(7)),
    (".5", R(1, 2)),
    ("5.", R(5)),
    ("+3 / 6", R(1, 2)),
    (3, R(3)),
    (Fraction(2, 7), R(2, 7)),
    (Decimal("0.125"), R(1, 8)),
    (0.5, R(1, 2)),
    (0.1, R(3602879701896397, 36028797018963968)),
    (np.float32(0.1), R(13421773, 134217728)),
    (np.int64(4), R(4)),
    (True, R(1)),
]


@pytest.mark.parametrize("value, expected", READS)
def test_exact_reads_every_kind_of_number(value, expected):
    assert exact(value) == expected


@pytest.mark.parametrize("value, expected", [
    (0.1, R(1, 10)), (0.3, R(3, 10)), (1e-300, R(1, 10**300)), (np.float32(0.1), R(1, 10)),
])
def test_shortest_reading_of_floats(value, expected):
    assert exact(value, floats="shortest") == expected


def test_sympy_objects_pass_through():
    p = sp.Symbol("p")
    assert exact(p) is p
    assert exact(1 - p) == 1 - p


BAD = ["abc", "", "0.1.2", "1/0", "nan", "inf", "1e999999", "__import__('os').system('true')", "2**3", "1,5"]


@pytest.mark.parametrize("text", BAD)
def test_bad_text_is_a_clear_error(text):
    with pytest.raises(InvalidNumberError) as err:
        parse_number(text, "q")
    assert "q=" in str(err.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), sp.nan, sp.zoo])
def test_non_finite_values_are_refused(value):
    with pytest.raises(InvalidNumberError):
        exact(value)


def test_unsupported_types_are_type_errors_too():
    with pytest.raises(UnsupportedError) as err:
        exact(object(), "p")
    assert isinstance(err.value, TypeError) and isinstance(err.value, ValueError)


def test_errors_are_value_errors():
    assert issubclass(SymxentError, ValueError)


def test_list_parsing_names_the_entry():
    assert parse_number_list("0.1, 0.4,0.5") == [R(1, 10), R(2, 5), R(1, 2)]
    with pytest.raises(InvalidNumberError, match=r"p\[1\]"):
        parse_number_list("0.1,x,0.5", "p")


def test_exact_number_refuses_symbols():
    with pytest.raises(InvalidNumberError):
        exact_number(sp.Symbol("x"))
