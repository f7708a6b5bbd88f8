"""Whole derivations, built by hand here, rendered as LaTeX, Markdown and text (golden strings)."""

import pytest
import sympy as sp

from symxent.derivation import Assumption, Derivation, Step
from symxent.render import derivation_latex, derivation_markdown, derivation_text, render
from symxent.render.notation import CrossEntropyOf, EntropyOf, KLDivergenceOf, ordered_add, ordered_mul

p, q = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)
i, n = sp.symbols("i n", integer=True, positive=True)
P, Q = sp.symbols("P Q")

H_PQ, H_P, KL = CrossEntropyOf(P, Q), EntropyOf(P), KLDivergenceOf(P, Q)
S1 = -sp.Sum(p[i] * sp.log(q[i]), (i, 1, n))
S2 = -sp.Sum(ordered_mul(p[i], ordered_add([sp.log(p[i]), -sp.log(p[i] / q[i])])), (i, 1, n))
S3 = ordered_add([-sp.Sum(p[i] * sp.log(p[i]), (i, 1, n)), sp.Sum(p[i] * sp.log(p[i] / q[i]), (i, 1, n))])
RHS = ordered_add([H_P, KL])
ASSUME = (Assumption(p[i], "p_i ∈ (0, 1]", domain=sp.Interval.Lopen(0, 1)),
          Assumption(n, "Σ p_i = 1 (P is a distribution)"))


def decomposition(statuses=("verified",) * 4, detail=""):
    rules = ["definition of cross-entropy", "log of a quotient", "sum of a difference", "definitions of H and KL"]
    chain = [H_PQ, S1, S2, S3, RHS]
    steps = tuple(Step(a, b, "=", why, status=st, detail=detail if st != "verified" else "")
                  for a, b, why, st in zip(chain, chain[1:], rules, statuses))
    return Derivation("ce_decomposition", "Cross-entropy = entropy + KL divergence", H_PQ, "=", RHS, steps, ASSUME)


ALIGN = r"""\begin{align*}
H(P, Q) &= -\sum_{i=1}^{n} p_{i} \ln q_{i} && \text{(definition of cross-entropy)} \\
 &= -\sum_{i=1}^{n} p_{i} \left(\ln p_{i} - \ln \frac{p_{i}}{q_{i}}\right) && \text{(log of a quotient)} \\
 &= -\sum_{i=1}^{n} p_{i} \ln p_{i} + \sum_{i=1}^{n} p_{i} \ln \frac{p_{i}}{q_{i}} && \text{(sum of a difference)} \\
 &= H(P) + D_{\mathrm{KL}}(P \,\|\, Q) && \text{(definitions of }H\text{ and KL)}
\end{align*}"""


def test_align_golden_one_step_per_line_with_its_justification():
    d = decomposition()
    assert d.proved
    assert derivation_latex(d) == ALIGN


def test_unverified_steps_are_labelled_and_the_status_says_not_proved():
    d = decomposition(("verified", "unverified", "verified", "verified"), detail="simplify timed out")
    tex = derivation_latex(d, standalone=True)
    assert r"\text{(log of a quotient)\quad\textbf{[unverified]}}" in tex
    assert tex.count("[unverified]") == 2  # the step, and the status sentence
    assert "Not proved: step 2 was not verified" in tex
    assert "Step 2 (log of a quotient): simplify timed out" in tex
    assert "Proved:" not in tex
    md, txt = derivation_markdown(d), derivation_text(d)
    assert r"\textbf{[unverified]}" in md and "(log of a quotient)  [unverified]" in txt
    assert "Proved:" not in md and "Proved:" not in txt


def test_a_refuted_step_is_labelled_false():
    d = decomposition(("verified", "verified", "failed", "verified"), detail="counterexample n = 1")
    assert r"\textbf{[false]}" in derivation_latex(d)
    assert "Not proved: step 3 is false" in derivation_text(d)
    both = decomposition(("verified", "unverified", "failed", "verified"))
    assert "step 3 is false (marked [false] above); step 2 was not verified" in derivation_text(both)


def test_standalone_is_a_complete_document_with_title_statement_assumptions_steps():
    tex = derivation_latex(decomposition(), standalone=True)
    assert tex.startswith(r"\documentclass[11pt]{article}")
    assert tex.rstrip().endswith(r"\end{document}")
    for part in [r"\usepackage{amsmath,amssymb}", r"\section*{Cross-entropy = entropy + KL divergence}",
                 r"\[ H(P, Q) = H(P) + D_{\mathrm{KL}}(P \,\|\, Q) \]",
                 r"\item $p_{i} \in \left(0, 1\right] \quad \text{for all } i$",
                 r"\item $\Sigma$ $p_{i} = 1$ ($P$ is a distribution)", ALIGN,
                 r"\paragraph{Status.} Proved: symxent checked every step", "right.\\hfill$\\square$"]:
        assert part in tex, part


def test_markdown_uses_display_maths_and_aligned():
    md = derivation_markdown(decomposition())
    assert md.startswith("# Cross-entropy = entropy + KL divergence\n")
    assert "$$\nH(P, Q) = H(P) + D_{\\mathrm{KL}}(P \\,\\|\\, Q)\n$$" in md
    assert ALIGN.replace("align*", "aligned") in md
    assert "- $p_{i} \\in \\left(0, 1\\right] \\quad \\text{for all } i$" in md
    assert md.rstrip().endswith("to the right. $\\square$")
    assert "- Σ p_i = 1 (P is a distribution)" in md


TEXT = """Cross-entropy = entropy + KL divergence
=======================================

Statement: H(P, Q) = H(P) + KL(P || Q)
Assumptions:
  - 0 < p_i <= 1
  - Σ p_i = 1 (P is a distribution)
Derivation:
  H(P, Q)
    = -sum_{i=1}^{n} p_i*ln(q_i)      (definition of cross-entropy)
    = -sum_{i=1}^{n} p_i*(ln(p_i) - ln(p_i/q_i))      (log of a quotient)
    = -sum_{i=1}^{n} p_i*ln(p_i) + sum_{i=1}^{n} p_i*ln(p_i/q_i)      (sum of a difference)
    = H(P) + KL(P || Q)      (definitions of H and KL)
Status: Proved: symxent checked every step, and the steps chain from the left-hand side to the right.
"""


def test_text_golden():
    assert derivation_text(decomposition()) == TEXT


def test_parts_render_each_statement():
    zero = Derivation("kl_self", "KL(P||P) = 0", KLDivergenceOf(P, P), "=", sp.Integer(0),
                      (Step(KLDivergenceOf(P, P), sp.Integer(0), "=", "log 1 = 0", status="verified"),))
    whole = Derivation("ce_self_is_entropy", "Self cross-entropy", sp.Integer(0), "=", sp.Integer(0), (),
                       parts=(decomposition(), zero))
    tex = derivation_latex(whole, standalone=True)
    assert tex.count(r"\begin{align*}") == 2
    assert "\\begin{gather*}\nH(P, Q) = H(P) + D_{\\mathrm{KL}}(P \\,\\|\\, Q) \\\\\nD_{\\mathrm{KL}}(P \\,\\|\\, P) = 0" in tex
    assert r"\subparagraph{$\mathrm{KL}(P\,\|\,P) = 0$}" in tex
    assert "KL(P || P) = 0" in derivation_text(whole)


def test_a_step_that_does_not_start_where_the_last_ended_shows_its_left_side():
    x = sp.Symbol("x", positive=True)
    d = Derivation("t", "t", x, "<=", x + 1, (
        Step(x, x, "=", "reflexivity", status="verified"),
        Step(sp.log(x), x - 1, "<=", "ln x <= x - 1", status="verified")))
    assert r"\ln x &\le -1 + x && \text{(}\ln x \le x - 1\text{)}" in derivation_latex(d)


def test_jupyter_reprs_delegate_to_the_renderers():
    d = decomposition()
    assert d._repr_latex_() == "$$" + ALIGN.replace("align*", "aligned") + "$$"
    assert d._repr_markdown_() == derivation_markdown(d)


@pytest.mark.parametrize("fmt", ["latex", "markdown", "text"])
def test_render_dispatches_on_format(fmt):
    d = decomposition()
    expected = {"latex": derivation_latex, "markdown": derivation_markdown, "text": derivation_text}[fmt](d)
    assert render(d, fmt) == expected


def test_render_refuses_an_unknown_format_and_object():
    from symxent.errors import UnsupportedError

    with pytest.raises(UnsupportedError, match="format='html'"):
        render(decomposition(), "html")
    with pytest.raises(UnsupportedError):
        render("not a derivation", "text")


def test_assumptions_given_as_latex_text_or_decided_relations_read_well():
    j = sp.Symbol("j", integer=True, positive=True)
    assumptions = (Assumption(sp.true, r"1 \le j", relation=sp.true),
                   Assumption(j, r"j \le n", relation=sp.Le(j, n)),
                   Assumption(j, "j is any event"))
    d = Derivation("t", "t", H_PQ, "=", S1, (Step(H_PQ, S1, "=", "definition", status="verified"),), assumptions)
    tex = derivation_latex(d, standalone=True)
    assert r"\item $1 \le j \le n$" in tex and r"\item $j$ is any event" in tex  # the chain, written out
    assert "True" not in tex
    md = derivation_markdown(d)
    assert "- $1 \\le j \\le n$" in md and "- j is any event" in md
    txt = derivation_text(d)
    assert "  - 1 <= j\n  - j <= n\n  - j is any event" in txt
