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
from symxent.render.roundtrip import latex_to_sympy, roundtrip_failures, text_roundtrip_failures  # noqa: E402
from symxent.worked import worked_log_loss, worked_measure  # noqa: E402

FOLDER = [(i.name, i.derive) for i in catalogue()] + [
    ("example_1", lambda: worked.example_1().derivation), ("example_2", lambda: worked.example_2().derivation)]


def _assert_reads_back(d):
    failures = roundtrip_failures(d) + text_roundtrip_failures(d)
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize("name, derive", FOLDER, ids=[f[0] for f in FOLDER])
def test_every_derivation_of_the_folder_reads_back(name, derive):
    _assert_reads_back(derive())


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
