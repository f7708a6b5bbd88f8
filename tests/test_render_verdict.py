"""Verdicts on users' claims rendered for notebooks: proved with steps, disproved with a point."""

import pytest
import sympy as sp

from symxent.render.verdict import verdict_latex, verdict_markdown

verify_module = pytest.importorskip("symxent.derivation.verify")
quantities = pytest.importorskip("symxent.derivation.quantities")


def test_a_disproof_shows_the_claim_and_its_exact_counterexample():
    P, Q = quantities.distribution("p"), quantities.distribution("q")
    result = verify_module.verify(quantities.H(P, Q), quantities.H(Q, P))
    assert result.status == "disproved"
    md = verdict_markdown(result)
    assert md.startswith("**Disproved:** $H(P, Q) = H(Q, P)$")
    assert "Counterexample: $" in md and r"p_{1} = " in md
    tex = verdict_latex(result)
    assert tex.startswith("$$\\begin{gathered}") and r"\text{(disproved)}" in tex


def test_a_proof_shows_its_steps():
    x = sp.Symbol("x", positive=True)
    result = verify_module.verify(sp.log(x**2), 2 * sp.log(x))
    assert result.status == "proved"
    md = verdict_markdown(result)
    assert md.startswith(r"**Proved:** $\ln\left(x^{2}\right) = 2 \ln x$")
    assert "\\begin{aligned}" in md and "**Status.** Proved" in md
    assert r"\text{(proved)}" in verdict_latex(result)


def test_undecided_says_why():
    from types import SimpleNamespace

    x = sp.Symbol("x")
    result = SimpleNamespace(status="undecided", lhs=sp.sin(x), relation="<=", rhs=x, counterexample=None,
                             values=None, derivation=None, detail="no rule applies")
    assert verdict_markdown(result) == "**Undecided:** $\\sin{\\left(x \\right)} \\le x$\n\nno rule applies\n"
