"""The family derivations: built from the definition by checked steps; the moments table they cite
holds (by integration in mpmath); support mismatches are proved, not asserted."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symxent.families import (Beta, Binomial, Exponential, Gamma, Geometric, Gumbel, Laplace, LogNormal, Normal, Pareto,
                              Poisson, Uniform)
from symxent.families.derivations import _shared, entropy_derivation, generic, kl_derivation, support_cases
from symxent.families.moments import TABLE, classify, moment
from symxent.families.registry import ENTROPIES, PAIRS, _cases

from families_reference import density, mpf

@pytest.fixture(autouse=True)
def _precision():
    """Comparisons at 60 digits (mpmath's global precision restored afterwards)."""
    with mpmath.workdps(60):
        yield


# the derivations whose every step the engine verifies today (the others stop at a moment SymPy
# cannot integrate within the time bound: Beta's E[log X], Gumbel's E[X], Cauchy's E[log(...)], Binomial's E[k])
PROVED_KL = [(Normal, Normal), (Exponential, Exponential), (Gamma, Gamma), (Uniform, Uniform), (Poisson, Poisson),
             (Geometric, Geometric), (Exponential, Gamma), (Gamma, Exponential), (Uniform, Normal), (LogNormal, LogNormal),
             (Pareto, Pareto)]


@pytest.mark.parametrize("pair", PROVED_KL, ids=lambda p: f"{p[0].__name__}-{p[1].__name__}")
def test_kl_derivations_are_proved_step_by_step(pair):
    d = kl_derivation(*pair)
    assert d.status == "proved", d.first_unproved()
    rules = [s.rule for s in d.steps]
    assert rules[:3] == ["kl_on_support", "log_laws", "sum_linearity"] and "lemma" in rules
    assert d.lhs.unfold().has(sp.log)  # the statement is the integral definition, not a formula


@pytest.mark.parametrize("cls", [Normal, Exponential, Gamma, Laplace, Uniform, LogNormal, Pareto, Poisson, Geometric],
                         ids=lambda c: c.__name__)
def test_entropy_derivations_are_proved(cls):
    d = entropy_derivation(cls)
    assert d.status == "proved", d.first_unproved()


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0].__name__}-{p[1].__name__}")
def test_every_pair_has_derivations_that_end_at_the_registry_value(pair):
    shared = _shared(*pair, None)  # Binomial || Binomial: one number of trials
    P, _ = generic(pair[0], "1", shared)
    Q, _ = generic(pair[1], "2", shared)
    cases = support_cases(P, Q)
    d = kl_derivation(*pair, case=0)
    assert d.links_up and d.status in ("proved", "unverified")
    assert all(s.status != "failed" for s in d.steps), [s.detail for s in d.steps]
    if cases[0][0] == "inside":  # the closed form the registry evaluates is this derivation's end
        assert d.rhs == _cases(*pair)[0][3]
    for k, (kind, _, _) in enumerate(cases):
        if kind == "outside":
            out = kl_derivation(*pair, case=k)
            assert out.rhs == sp.oo and out.status == "proved", out.first_unproved()
            assert out.steps[0].rule == "support_mismatch"


def test_a_support_claim_that_does_not_hold_is_not_proved():
    from symxent.derivation.engine import Proof
    from symxent.families.derivations import FamilyKL, law

    P, ap = generic(Exponential, "1")
    Q, aq = generic(Exponential, "2")
    proof = Proof("bad", "bad", FamilyKL(law(P), law(Q)), "=", sp.oo, ap + aq)
    d = proof.step(sp.oo, "support_mismatch", "wrong", piece=(sp.Integer(-1), sp.Integer(0))).qed()
    assert d.status != "proved"


def test_pareto_with_a_smaller_scale_and_a_wider_uniform_are_infinite_by_proof():
    names = {kl_derivation(Pareto, Pareto, 1).steps[0].detail, kl_derivation(Uniform, Uniform, 1).steps[0].detail}
    assert all("positive length" in n for n in names)


# --- the moments table against integration ----------------------------------------------------------
MOMENT_CASES = [  # family, statistic builder (of the variable), comment
    (Normal("1/3", "3/2"), lambda v: v), (Normal("1/3", "3/2"), lambda v: v**2),
    (Normal("1/3", "3/2"), lambda v: sp.exp(-v / 2)), (Normal("1/3", "3/2"), lambda v: sp.Abs(v - 1)),
    (Laplace("1/4", "1/2"), lambda v: v**2), (Laplace("1/4", "1/2"), lambda v: sp.Abs(v + 1)),
    (Exponential("3/2"), lambda v: sp.log(v)), (Exponential("3/2"), lambda v: v**2),
    (Exponential("3/2"), lambda v: sp.exp(-v / 3)),
    (Gamma("5/2", "3/2"), lambda v: sp.log(v)), (Gamma("5/2", "3/2"), lambda v: v**2),
    (Gamma("5/2", "3/2"), lambda v: sp.exp(-2 * v)),
    (Beta("3/2", "5/2"), lambda v: sp.log(v)), (Beta("3/2", "5/2"), lambda v: sp.log(1 - v)),
    (Beta("3/2", "5/2"), lambda v: v**2),
    (Uniform("1/4", "3/4"), lambda v: sp.log(v)), (Uniform("1/4", "3/4"), lambda v: sp.log(1 - v)),
    (Uniform("1/4", "3/4"), lambda v: sp.exp(-v / 2)), (Uniform("1/4", "3/4"), lambda v: v**2),
    (LogNormal("1/4", "1/2"), lambda v: sp.log(v) ** 2), (LogNormal("1/4", "1/2"), lambda v: v),
    (Gumbel("1/2", "1"), lambda v: v), (Gumbel("1/2", "1"), lambda v: v**2),
    (Gumbel("1/2", "1"), lambda v: sp.exp(-v / 2)),
    (Pareto(2, 3), lambda v: sp.log(v)), (Pareto(2, 3), lambda v: v),
]


@pytest.mark.parametrize("k", range(len(MOMENT_CASES)))
def test_moments_table_entries_hold_by_integration(k):
    from symxent import evaluate

    f, build = MOMENT_CASES[k]
    T = build(f.variable)
    value = moment(f, T)
    assert value is not None, (f, T)
    lp, (lo, hi), kinks, _ = density(f)
    stat = sp.lambdify(f.variable, T, "mpmath")
    with mpmath.workdps(40):
        lp, (lo, hi), kinks, _ = density(f)
        pts = [lo, *sorted({c for c in kinks + [mpmath.mpf(1), mpmath.mpf(-1)] if lo < c < hi}), hi]
        if f.name == "Gumbel":
            pts = [mpf(f.loc) - 6 * mpf(f.scale)] + pts[1:]
        ref = mpmath.quad(lambda x: stat(x) * mpmath.exp(lp(x)), pts)
    got = mpf(evaluate(value, 30).lower)
    assert abs(got - ref) < mpmath.mpf(10) ** -25 * max(1, abs(ref)), (f, T, got, ref)


def test_discrete_moments_by_sums():
    for f, T in [(Poisson("5/2"), None), (Geometric("1/3"), None), (Binomial(6, "1/3"), None)]:
        v = f.variable
        value = moment(f, v)
        total = sp.Sum(v * f.density(), f.limits())
        top = 400 if f.support()[1] == sp.oo else int(f.support()[1])
        partial = sum(mpmath.mpf(str(sp.N(i * f.density(sp.Integer(i)), 60))) for i in range(top + 1))
        assert abs(partial - mpmath.mpf(str(sp.N(value, 60)))) < mpmath.mpf(10) ** -40, (f, total)


def test_classify_names_the_statistics():
    x = sp.Symbol("x", real=True)
    assert classify(x, x) == ("x", None) and classify(sp.log(1 - x), x) == ("log1mx", None)
    assert classify(sp.log(x**2 - 2 * x + 5), x) == ("logquad", (1, 1, 4))
    assert classify(sp.sin(x), x) is None
    assert set(TABLE) >= {c.__name__ for c in ENTROPIES}
