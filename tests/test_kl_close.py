"""KL(P || Q) when P and Q nearly coincide: the log-ratio kernel (symxent.kernels.klratio) against
closed forms and the exact reference path at 600 bits, its per-element error bound against
mpmath, and the hook in kl_divergence (path "log-ratio")."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.exact.enclosure import Enclosure
from symxent.exact.sums import reference_log_sum
from symxent.kernels import klratio, losses
from symxent.kernels.klratio import kl_log_ratio, series_plan

pytestmark = pytest.mark.usefixtures("both_engines")  # tests/conftest.py


def _fraction(x: mpmath.mpf) -> Fraction:
    sign, man, exp, _ = x._mpf_  # man_exp drops the sign
    return (-1) ** sign * Fraction(man) * Fraction(2) ** exp


def _mp_enclosure(x: mpmath.mpf) -> Enclosure:
    """A 600-bit mpmath value widened by 2**-590 relative (plus 2**-2000)."""
    v = _fraction(x)
    pad = abs(v) / 2**590 + Fraction(1, 2**2000)
    return Enclosure(v - pad, v + pad)


def _reference(p: np.ndarray, q: np.ndarray) -> Enclosure:
    return reference_log_sum(p, p, rel_bits=600) - reference_log_sum(q, p, rel_bits=600)


def _agrees(got: Enclosure, ref: Enclosure) -> bool:
    """Both contain the true value. When the reference is the narrower one its midpoint must lie
    in ``got``; otherwise (``got`` exact, e.g. 0) ``got`` must lie in the reference, which must be
    narrower than 2**-580."""
    if ref.hi - ref.lo <= got.hi - got.lo:
        return got.lo <= (ref.lo + ref.hi) / 2 <= got.hi
    return ref.lo <= got.lo and got.hi <= ref.hi and ref.hi - ref.lo <= Fraction(1, 2**580)


E = 2.0**-30


def _closed(expr):
    with mpmath.workprec(600):
        return _mp_enclosure(expr())


# p, q, exact value (600-bit closed form)
KNOWN = [
    ([0.5, 0.5], [0.5 + E, 0.5 - E], lambda: -mpmath.log1p(-mpmath.mpf(2) ** -58) / 2),
    ([1.0], [1.0 - 2.0**-53], lambda: -mpmath.log1p(-mpmath.mpf(2) ** -53)),
    ([1.0], [1.0 + 2.0**-52], lambda: -mpmath.log1p(mpmath.mpf(2) ** -52)),
    ([0.75, 0.25, 0.0], [0.75, 0.25 - 2.0**-40, 2.0**-40], lambda: -mpmath.log1p(-mpmath.mpf(2) ** -38) / 4),
    ([0.25, 0.25, 0.5], [0.25, 0.25, 0.5], lambda: mpmath.mpf(0)),
    # one far element (u = -1/2) next to close ones
    ([0.25, 0.25, 0.5], [0.5, 0.25 + 2.0**-45, 0.5 - 2.0**-45],
     lambda: mpmath.log(mpmath.mpf(1) / 2) / 4
     + mpmath.mpf(1) / 4 * mpmath.log(mpmath.mpf(0.25) / (mpmath.mpf(0.25) + mpmath.mpf(2) ** -45))
     + mpmath.mpf(1) / 2 * mpmath.log(mpmath.mpf(0.5) / (mpmath.mpf(0.5) - mpmath.mpf(2) ** -45))),
    # 2**-8 relative: the edge of the close range
    ([0.5], [0.5 * (1 + 2.0**-8)], lambda: -mpmath.log1p(mpmath.mpf(2) ** -8) / 2),
]


@pytest.mark.parametrize("p, q, exact", KNOWN)
def test_known_values(p, q, exact):
    ref = _closed(exact)
    got = kl_log_ratio(np.array(p), np.array(q))
    assert _agrees(got, ref)
    r = losses.kl_divergence(p, q)
    assert _agrees(r.enclosure, ref)
    assert r.float64 == ref.rounded("float64") and r.digits >= 30


def test_identical_distributions_give_exactly_zero():
    p = np.random.default_rng(0).random(5000)
    r = losses.kl_divergence(p, p.copy())
    assert r.enclosure == Enclosure.exact(0) and r.float64 == 0.0 and r.path == "log-ratio"


def test_conventions_zero_p_and_zero_q():
    assert kl_log_ratio(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == Enclosure.exact(0)  # 0 log 0 = 0
    inf = kl_log_ratio(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    assert inf.lo == float("inf")
    assert losses.kl_divergence([0.5, 0.5], [1.0, 0.0]).float64 == float("inf")
    assert kl_log_ratio(np.array([-0.5]), np.array([0.5])) is None  # the reference path reports it
    assert kl_log_ratio(np.array([np.nan]), np.array([0.5])) is None


def test_the_existing_near_coincidence_cases_take_the_log_ratio_path():
    # the data of tests/test_weighted_kernel.py (KL ~ 3e-18 and ~ 1e-16)
    rng = np.random.default_rng(12)
    p = rng.random(40) + 0.5
    p /= p.sum()
    q = p.copy()
    q[0] = np.nextafter(q[0], 1.0)
    q[1] = np.nextafter(q[1], 0.0)
    r = losses.kl_divergence(p, q)
    assert r.path == "log-ratio" and r.digits >= 30
    assert _agrees(r.enclosure, _reference(p, q))
    rng = np.random.default_rng(13)
    p = rng.random(200) + 0.5
    p /= p.sum()
    q = p * (1 + rng.normal(size=p.size) * 1e-9)
    q /= q.sum()
    r = losses.kl_divergence(p, q)
    assert r.path == "log-ratio" and r.digits >= 30
    ref = _reference(p, q)
    assert _agrees(r.enclosure, ref) and r.float64 == ref.rounded("float64")


def test_far_elements_are_not_cancelled_in_a_normal_kl():
    rng = np.random.default_rng(3)
    p, q = rng.random(500) + 1e-3, rng.random(500) + 1e-3
    p, q = p / p.sum(), q / q.sum()
    assert losses.kl_divergence(p, q).path == "dispatcher"  # the first rung decides
    ref = reference_log_sum(p, p, rel_bits=256) - reference_log_sum(q, p, rel_bits=256)
    got = kl_log_ratio(p, q)
    assert got.lo <= ref.lo and ref.hi <= got.hi


# ------------------------------------------------------------------ the per-element error bound

@pytest.mark.parametrize("scale_exp", [8, 9, 12, 20, 30, 45, 52])
def test_per_element_bound_against_mpmath(scale_exp):
    rng = np.random.default_rng(scale_exp)
    n = 400
    q = rng.random(n) * 2.0 ** rng.integers(-290, 290, n)
    u = rng.uniform(-1, 1, n) * 2.0**-scale_exp
    p = q * (1 + u)
    close = np.abs(p - q) <= q * klratio.CLOSE
    p, q = p[close], q[close]
    d = p - q
    rows = np.empty((6, p.size))
    rho, _ = klratio._chunk_terms(p, q, d, rows)
    with mpmath.workprec(600):
        for i in range(p.size):
            pi, qi = mpmath.mpf(float(p[i])), mpmath.mpf(float(q[i]))
            exact_t = pi * mpmath.log(pi / qi) - (pi - qi)  # q g(u)
            got = mpmath.fsum(mpmath.mpf(float(rows[k, i])) for k in range(5))
            b = (pi - qi) ** 2 / (2 * qi)
            assert abs(got - exact_t) <= mpmath.mpf(rho.numerator) / rho.denominator * b + mpmath.mpf(2) ** -700
            assert rows[5, i] == d[i]


def test_series_plan_bound_shrinks_with_u():
    rhos = [series_plan(c)[2] for c in (-8, -16, -28, -40, -52)]
    assert all(a > b for a, b in zip(rhos, rhos[1:]))
    assert rhos[0] < Fraction(1, 2**110)  # about 33 digits even at the edge of the close range
    assert series_plan(-7) is None


# ------------------------------------------------------------------ adversarial data (hypothesis)

@st.composite
def _near_pairs(draw):
    n = draw(st.integers(1, 2500))
    seed = draw(st.integers(0, 2**32 - 1))
    mode = draw(st.sampled_from(["equal", "ulps", "relative", "mixed", "zeros", "renormalised"]))
    rng = np.random.default_rng(seed)
    p = rng.random(n) * 2.0 ** rng.integers(-60, 1, n) + 2.0**-70
    p /= p.sum()
    q = p.copy()
    if mode == "ulps":
        steps = rng.integers(-3, 4, n).astype(float)
        q = p + steps * np.spacing(p)
    elif mode in ("relative", "renormalised", "mixed", "zeros"):
        s = draw(st.integers(8, 52))
        q = p * (1 + rng.uniform(-1, 1, n) * 2.0**-s)
        if mode == "renormalised":
            q /= q.sum()
    if mode == "mixed":
        k = draw(st.integers(1, 5))
        idx = rng.choice(n, min(k, n), replace=False)
        q[idx] = q[idx] * rng.uniform(0.1, 10.0, idx.size)
    if mode == "zeros":
        zero = rng.random(n) < 0.2
        p[zero] = 0.0
        q[zero & (rng.random(n) < 0.5)] = 0.0  # 0 log(0/0) = 0 too
    return p, q


@settings(max_examples=30, deadline=None)
@given(_near_pairs())
def test_enclosure_contains_the_reference_and_float64_is_correctly_rounded(pair):
    p, q = pair
    ref = _reference(p, q)
    got = kl_log_ratio(p, q)
    assert got is not None and _agrees(got, ref)
    r = losses.kl_divergence(p, q)
    assert _agrees(r.enclosure, ref)
    assert r.digits >= 30
    if ref.lo <= 0 <= ref.hi:  # P == Q: the reference straddles 0 and cannot round
        assert np.array_equal(p[p > 0], q[p > 0]) and r.enclosure == Enclosure.exact(0)
    else:
        assert r.float64 == ref.rounded("float64")


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 52), st.integers(0, 2**32 - 1))
def test_q_a_tiny_relative_step_from_p(k, seed):
    rng = np.random.default_rng(seed)
    p = rng.random(300) + 0.01
    p /= p.sum()
    q = p * (1 + 2.0**-k)  # tiny = 2**-k, down to one ulp
    r = losses.kl_divergence(p, q)
    ref = _reference(p, q)
    assert _agrees(r.enclosure, ref) and r.float64 == ref.rounded("float64") and r.digits >= 30


def test_log_ratio_as_the_second_rung_when_a_far_element_is_present():
    # one far element of tiny weight: the sample is not all close, so the two sums go first,
    # cancel (KL ~ 1e-18), and the log ratio answers after them
    rng = np.random.default_rng(21)
    p = rng.random(600) + 0.5
    p /= p.sum()
    q = p.copy()
    q[1::2] = np.nextafter(q[1::2], 1.0)
    p[0], q[0] = 1e-30, 1e-28
    assert not klratio.looks_close(p, q)
    r = losses.kl_divergence(p, q)
    ref = _reference(p, q)
    assert r.path == "log-ratio" and r.digits >= 30
    assert _agrees(r.enclosure, ref) and r.float64 == ref.rounded("float64")


def test_first_rung_then_reference_still_works_when_the_log_ratio_cannot_decide(monkeypatch):
    monkeypatch.setattr(losses, "kl_log_ratio", lambda p, q, bits: None)
    p = np.array([0.25, 0.75])
    q = np.array([0.25 + 2.0**-40, 0.75 - 2.0**-40])
    r = losses.kl_divergence(p, q)
    assert r.path == "reference" and r.digits >= 30
