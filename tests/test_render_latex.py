"""Golden strings: symxent's LaTeX of expressions, as a textbook writes them."""

import pytest
import sympy as sp

from symxent.render import latex, latex_lines
from symxent.render.notation import (BaseLog, CrossEntropyOf, EntropyOf, KLDivergenceOf, LogLossOf, ordered_add,
                                     ordered_mul)

p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
i, n = sp.symbols("i n", integer=True, positive=True)
P, Q, x, y = sp.symbols("P Q x y")
b = sp.Symbol("b", positive=True)

GOLDEN = [
    # logarithms: \ln, \log_2, \log_{10}, \log_b, and no \left( noise around simple arguments
    (sp.log(sp.Rational(1, 2), evaluate=False), r"\ln \tfrac{1}{2}"),
    (sp.log(sp.Rational(4, 5)), r"\ln \tfrac{4}{5}"),
    (sp.log(x + 1), r"\ln\left(1 + x\right)"),
    (BaseLog(q[i], 2), r"\log_2 q_{i}"),
    (BaseLog(q[i], 10), r"\log_{10} q_{i}"),
    (BaseLog(q[i], b), r"\log_b q_{i}"),
    (BaseLog(q[i], sp.E), r"\ln q_{i}"),
    (BaseLog(p[i] / q[i], 2), r"\log_2 \frac{p_{i}}{q_{i}}"),
    (sp.log(2) / sp.log(10), r"\log_{10} 2"),
    (sp.Rational(-2, 5) * sp.log(3) / sp.log(2), r"-\tfrac{2}{5} \log_2 3"),
    # sums with the user's index and symbols
    (-sp.Sum(p[i] * sp.log(p[i]), (i, 1, n)), r"-\sum_{i=1}^{n} p_{i} \ln p_{i}"),
    (sp.Sum(p[i] * sp.log(p[i] / q[i]), (i, 1, n)), r"\sum_{i=1}^{n} p_{i} \ln \frac{p_{i}}{q_{i}}"),
    (-sp.Sum(p[i] * sp.log(q[i]), (i, 1, n)) / sp.log(2), r"- \frac{\sum_{i=1}^{n} p_{i} \ln q_{i}}{\ln 2}"),
    # the quantities
    (CrossEntropyOf(P, Q), "H(P, Q)"),
    (EntropyOf(P), "H(P)"),
    (KLDivergenceOf(P, Q), r"D_{\mathrm{KL}}(P \,\|\, Q)"),
    (LogLossOf(sp.Symbol("y"), sp.Symbol("yhat")), r"\mathcal{L}(y, \hat{y})"),
    # order as stored, rationals as small fractions
    (sp.Add(y, x, evaluate=False), "y + x"),
    (ordered_add([sp.Integer(2), -BaseLog(5, 2)]), r"2 - \log_2 5"),
    (ordered_mul(sp.Rational(1, 10), BaseLog(sp.Rational(4, 5), 2)), r"\tfrac{1}{10} \log_2 \tfrac{4}{5}"),
    (ordered_mul(-1, ordered_add([BaseLog(sp.Rational(4, 5), 2), BaseLog(3, 2)])),
     r"-\left(\log_2 \tfrac{4}{5} + \log_2 3\right)"),
    (sp.Rational(8, 5), r"\tfrac{8}{5}"),
    (sp.log(x) * sp.log(y), r"\ln(x) \ln y"),
    # a factor's own minus sign is bracketed: never "\tfrac{1}{3} -\log_{10} 2" (reads as a difference)
    (ordered_mul(sp.Rational(1, 3), -BaseLog(2, 10)), r"\tfrac{1}{3} \left(-\log_{10} 2\right)"),
    (sp.Mul(x, -y, evaluate=False), r"x \left(-y\right)"),
    (sp.Mul(-1, -y, evaluate=False), r"-\left(-y\right)"),
    (sp.Mul(x, -2, evaluate=False), r"x \left(-2\right)"),
]


@pytest.mark.parametrize("expr, expected", GOLDEN, ids=[g[1] for g in GOLDEN])
def test_golden(expr, expected):
    assert latex(expr) == expected


def test_stored_order_is_kept_where_sympy_would_reorder():
    terms = [BaseLog(5, 2), sp.Integer(3), -BaseLog(3, 2)]
    assert sp.latex(sp.Add(*terms)) != latex(ordered_add(terms))
    assert latex(ordered_add(terms)) == r"\log_2 5 + 3 - \log_2 3"


def test_short_lines_are_not_broken():
    assert latex_lines(ordered_add([x, y])) == ["x + y"]


def test_a_long_sum_times_a_coefficient_breaks_between_terms_inside_big_brackets():
    logs = [BaseLog(sp.Rational(k, k + 1), sp.E) for k in range(1, 13)]
    lines = latex_lines(ordered_mul(sp.Rational(-1, 12), ordered_add(logs)))
    assert len(lines) > 1
    assert lines[0].startswith(r"-\tfrac{1}{12}\bigl(\ln \tfrac{1}{2}")
    assert lines[-1].endswith(r"\ln \tfrac{12}{13}\bigr)")
    assert all(line.startswith("+ ") for line in lines[1:])
    assert " ".join(lines).count(r"\ln") == 12


def test_a_sum_inside_a_sum_keeps_its_brackets_and_its_signs():
    L = [BaseLog(sp.Integer(k), sp.E) for k in (2, 3, 5, 7)]
    inner = ordered_add([L[3], -L[0], -L[2]])  # ln 7 - ln 2 - ln 5: more minus signs than plus
    outer = ordered_mul(sp.Rational(-1, 10), ordered_add([ordered_mul(2, ordered_add([L[1], -L[2]])), inner]))
    assert latex(outer) == (r"-\tfrac{1}{10} \left(2 \left(\ln 3 - \ln 5\right)"
                            r" + \left(\ln 7 - \ln 2 - \ln 5\right)\right)")
    negated = ordered_add([L[1], ordered_mul(-3, ordered_add([L[1], -L[2], -L[3]]))])
    assert latex(negated) == r"\ln 3 - 3 \left(\ln 3 - \ln 5 - \ln 7\right)"
    lines = latex_lines(ordered_mul(sp.Rational(-1, 10), ordered_add([negated, inner, inner])), width=20)
    assert lines[1:] == [r"+ \left(\ln 7 - \ln 2 - \ln 5\right)", r"+ \left(\ln 7 - \ln 2 - \ln 5\right)\bigr)"]
