"""Golden strings: symxent's plain text of expressions, for the terminal."""

import pytest
import sympy as sp

from symxent.render import text
from symxent.render.escape import plain_text, tex_text
from symxent.render.notation import BaseLog, CrossEntropyOf, KLDivergenceOf, LogLossOf, ordered_add, ordered_mul

p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
i, n = sp.symbols("i n", integer=True, positive=True)
P, Q, x, y = sp.symbols("P Q x y")

GOLDEN = [
    (sp.log(sp.Rational(4, 5)), "ln(4/5)"),
    (BaseLog(q[i], 2), "log2(q_i)"),
    (BaseLog(q[i], 10), "log10(q_i)"),
    (sp.log(2) / sp.log(10), "log10(2)"),
    (-sp.Sum(p[i] * sp.log(q[i]), (i, 1, n)), "-sum_{i=1}^{n} p_i*ln(q_i)"),
    (CrossEntropyOf(P, Q), "H(P, Q)"),
    (KLDivergenceOf(P, Q), "KL(P || Q)"),
    (LogLossOf(sp.Symbol("y"), sp.Symbol("yhat")), "L(y, y\u0302)"),
    (sp.Add(y, x, evaluate=False), "y + x"),
    (ordered_add([sp.Rational(8, 5), ordered_mul(sp.Rational(-2, 5), BaseLog(3, 2)), BaseLog(5, 2)]),
     "8/5 - (2/5)*log2(3) + log2(5)"),
    (ordered_mul(sp.Rational(1, 3), -BaseLog(2, 10)), "(1/3)*(-log10(2))"),
    (sp.Mul(sp.Integer(-1), -y, evaluate=False), "-(-y)"),
    (sp.oo, "infinity"),
    (sp.Integral(sp.exp(-x), (x, 0, sp.oo)), "int_{0}^{infinity} (exp(-x)) dx"),
    (sp.Integral(sp.exp(-x**2), (x, -sp.oo, sp.oo)), "int_{-infinity}^{infinity} (exp(-x**2)) dx"),
]


@pytest.mark.parametrize("expr, expected", GOLDEN, ids=[g[1] for g in GOLDEN])
def test_golden(expr, expected):
    assert text(expr) == expected


@pytest.mark.parametrize("prose, tex", [
    ("log of a quotient", "log of a quotient"),
    ("100% & $5 #1 {c} ~^\\ _", r"100\% \& \$5 \#1 \{c\} \textasciitilde{}\^{}\textbackslash{} \_"),
    ("p_i ∈ (0, 1], σ > 0, Σ p_i = 1", r"$p_{i}$ $\in$ (0, 1], $\sigma$ $>$ 0, $\Sigma$ $p_{i}$ = 1"),
    ("ln x <= x - 1, q_j != p_j, KL(P||Q)", r"ln x $\le$ x - 1, $q_{j}$ $\ne$ $p_{j}$, KL(P$\|$Q)"),
    ("sigma_1^2 and e^(-t^2/2) and q_k^y_k", r"$\sigma_{1}^{2}$ and $e^{-t^2/2}$ and $q_{k}^{y}$\_k"),
    ("log q_{x_m}, P_hat, sum_m", r"log $q_{x_m}$, $\hat{P}$, $\sum_{m}$"),
    ("q_{x__m}", r"q\_\{x\_\_m\}"),  # a double subscript would not compile: left as text
    ("when $q_i = 0$ then", "when $q_i = 0$ then"),
    ("☃", r"\texttt{U+2603}"),
])
def test_prose_is_escaped_for_latex(prose, tex):
    assert tex_text(prose) == tex


def test_inline_maths_reads_in_a_terminal():
    assert plain_text(r"$\hat{y}_i \in \{0, 1\}$ and $p_i \le 1$") == "y\u0302_i in {0, 1} and p_i <= 1"
