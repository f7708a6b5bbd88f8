"""Every rendered formula reads back as its step's expression (issue 11: a golden string cannot say that).

The LaTeX is parsed by SymPy's LaTeX parser after symxent's notation is translated
(symxent.render.roundtrip.TRANSLATION); the plain text by symxent's own parser.
"""

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

pytest.importorskip("antlr4")

from symxent import worked  # noqa: E402
from symxent.identities import catalogue  # noqa: E402
from symxent import verify  # noqa: E402
from symxent.families.catalogue import find  # noqa: E402
from symxent.render.roundtrip import latex_to_sympy, roundtrip_report  # noqa: E402
from symxent.worked import worked_log_loss, worked_measure  # noqa: E402

FOLDER = [(i.name, i.derive) for i in catalogue()] + [
    ("example_1", lambda: worked.example_1().derivation), ("example_2", lambda: worked.example_2().derivation)]
#: Families' derivations are integrals: a formula whose tree differs from its reading is undecided
#: (quadrature to 30 digits takes minutes), so two of them are checked, for the rest of their steps.
FAMILIES = [(name, lambda name=name: find(name).derive()) for name in ("kl_normal_normal", "entropy_exponential")]

#: Formulas of the catalogue that stay undecided, and why (each looked at): the plain text of a
#: derivative, a product, a Kronecker delta or a two-index entry is outside symxent's parser's
#: grammar, and ``lambda`` is a Python keyword; a formula with an integral whose reading is another
#: tree is not evaluated. Every other formula must read back and be checked.
_UNDECIDED_TEXT = ("outside the grammar of symxent's parser", "is not an expression", "an integral",
                   "notation outside the table", "does not parse")


def _assert_reads_back(d, *, every_latex=False):
    report = roundtrip_report(d)
    assert not report.failures, "\n".join(map(str, report.failures))
    assert report.checked > 0
    if every_latex:  # the LaTeX of every symbolic catalogue step reads back; only the text may be undecided
        latex_left = [u for u in report.undecided if not any(why in u.reason for why in _UNDECIDED_TEXT)]
        assert not latex_left, "\n".join(map(str, latex_left))


@pytest.mark.parametrize("name, derive", FOLDER, ids=[f[0] for f in FOLDER])
def test_every_derivation_of_the_folder_reads_back(name, derive):
    _assert_reads_back(derive(), every_latex=True)


@pytest.mark.parametrize("name, derive", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_family_derivation_of_the_folder_reads_back(name, derive):
    _assert_reads_back(derive())


def test_the_symbolic_check_is_real_a_misplaced_bracket_in_a_sum_is_caught():
    """A sum whose body is printed too short (``\\sum p_i \\ln q_i + 1`` for ``\\sum (p_i \\ln q_i + 1)``)
    reads as another expression, and the concrete instances show it."""
    from symxent.render.roundtrip import _differs, latex_to_sympy

    p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
    i, n = sp.symbols("i n", integer=True, positive=True)
    meant = sp.Sum(p[i] * sp.log(q[i]) + 1, (i, 1, n))
    read = latex_to_sympy(r"\sum_{i=1}^{n} p_{i} \ln q_{i} + 1").xreplace(
        {sp.Symbol("p_{i}"): p[i], sp.Symbol("q_{i}"): q[i], sp.Symbol("i"): i, sp.Symbol("n"): n})
    import random

    assert _differs(read, meant, random.Random(0)) is not None
    assert _differs(latex_to_sympy(r"\sum_{i=1}^{n} \left(p_{i} \ln q_{i} + 1\right)").xreplace(
        {sp.Symbol("p_{i}"): p[i], sp.Symbol("q_{i}"): q[i], sp.Symbol("i"): i, sp.Symbol("n"): n}),
        meant, random.Random(0)) is None


#: Symbolic inputs: p a symbol, q_i = 1/m, in bases 2, e, 10 and 3, proved by verify (whose
#: derivations print symbolic steps with negative logarithms such as -ln(1/2)).
SYMBOLIC = [(f"CE([p, 1-p], [1/2, 1/2], base={b})", f"H([p, 1-p], base={b})", ">=") for b in ("2", "e", "10", "3")]
SYMBOLIC += [("KL([p, 1-p], [1/4, 3/4])", "0", ">="), ("H([p, 1-p], base=3)", "log(2, 3)", "<="),
             ("CE([p, 1-p], [1/3, 2/3], base=10)", "-p*log10(1/3) - (1-p)*log10(2/3)", "=")]


@pytest.mark.parametrize("lhs, rhs, relation", SYMBOLIC)
def test_symbolic_worked_inputs_read_back(lhs, rhs, relation):
    result = verify(lhs, rhs, relation=relation, where=["p in (0, 1)"])
    assert result.derivation is not None, result
    _assert_reads_back(result.derivation)


GRID = [(measure, p, [f"1/{m}"] * m, base)
        for measure in ("entropy", "cross-entropy", "kl")
        for m, p in ((2, ["1/3", "2/3"]), (3, ["1/2", "1/4", "1/4"]), (4, ["1/10", "2/10", "3/10", "4/10"]))
        for base in ("2", "e", "10", "3")]
GRID += [("cross-entropy", ["1/4", "3/4"], ["1/4", "3/4"], base) for base in ("e", "3")]
GRID += [("kl", ["3/4", "1/4"], ["1/8", "7/8"], base) for base in ("2", "10")]


@pytest.mark.parametrize("measure, p, q, base", GRID)
def test_worked_examples_over_a_grid_read_back(measure, p, q, base):
    _assert_reads_back(worked_measure(measure, p, None if measure == "entropy" else q, base=base).derivation)


@pytest.mark.parametrize("base", ["2", "e", "10"])
def test_worked_log_loss_reads_back(base):
    _assert_reads_back(worked_log_loss(["1", "0", "1"], ["1/2", "1/4", "2/3"], base=base).derivation)


@st.composite
def distributions(draw, size):
    weights = draw(st.lists(st.integers(1, 12), min_size=size, max_size=size))
    return [str(Fraction(w, sum(weights))) for w in weights]


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(distributions(n), distributions(n))),
       st.sampled_from(["2", "e", "10", "3"]), st.sampled_from(["entropy", "cross-entropy", "kl"]))
def test_hypothesis_worked_examples_read_back(pq, base, measure):
    p, q = pq
    _assert_reads_back(worked_measure(measure, p, None if measure == "entropy" else q, base=base).derivation)


def test_the_check_catches_a_negative_factor_printed_without_brackets():
    """The issue's formula, as it used to be printed, reads as a difference, not as the product."""
    meant = -(sp.Rational(1, 3) * (-sp.log(2) / sp.log(10)) + sp.Rational(2, 3) * (-sp.log(2) / sp.log(10)))
    old = latex_to_sympy(r"-\left(\tfrac{1}{3} -\log_{10} 2 + \tfrac{2}{3} -\log_{10} 2\right)")
    new = latex_to_sympy(r"-\left(\tfrac{1}{3} \left(-\log_{10} 2\right) + \tfrac{2}{3} \left(-\log_{10} 2\right)\right)")
    assert sp.simplify(old - meant) != 0
    assert sp.simplify(new - meant) == 0


@settings(max_examples=5, deadline=None)
@given(st.integers(1, 9).map(lambda k: [f"{k}/10", f"{10 - k}/10"]), st.sampled_from(["2", "e", "10", "3"]))
def test_hypothesis_symbolic_claims_read_back(q, base):
    result = verify(f"CE([p, 1-p], [{q[0]}, {q[1]}], base={base})", f"H([p, 1-p], base={base})", relation=">=",
                    where=["p in (0, 1)"])
    assert result.derivation is not None, result
    _assert_reads_back(result.derivation)
