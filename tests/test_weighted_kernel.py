"""The weighted log-sum path: the double-double ``w log(1 + t)``, the joint bucket rounds, the
exact table dot, weights at the edges, and KL divergence when P and Q nearly coincide."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent import kernels
from symxent.exact import sums
from symxent.exact.enclosure import Enclosure
from symxent.exact.sums import reference_log_sum
from symxent.kernels import logsum, losses
from symxent.kernels.table import reduction_table
from symxent.kernels.wlog import series_order, weighted_log1p


pytestmark = pytest.mark.usefixtures("both_engines")  # tests/conftest.py


def _contains(e: Enclosure | None, ref: Enclosure) -> bool:
    return e is not None and e.lo <= ref.lo and ref.hi <= e.hi


def _check(x, w, allow_none=False, bits=128) -> Enclosure | None:
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    ref = reference_log_sum(x, w, rel_bits=2 * bits)
    got = kernels.log_sum(x, w, rel_bits=bits)
    if got is None:
        assert allow_none, "the kernel declined data it should handle"
        return None
    assert _contains(got, ref), (got, ref)
    assert got.hi - got.lo <= Fraction(1, 2**bits) * max(1, abs(ref.lo))
    return got


# ------------------------------------------------------------------ w log(1 + t) per element

_T = st.integers(-(2**53 - 1), 2**53 - 1).map(lambda m: m * 2.0**-67)  # every exact reduced t
_W = st.tuples(st.floats(0.5, 1.0, exclude_max=True), st.integers(-900, 899)).map(lambda p: p[0] * 2.0 ** p[1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_T, _W), min_size=1, max_size=30), st.integers(0, 40))
def test_weighted_log1p_is_within_its_bound(pairs, shrink):
    t = np.array([p[0] for p in pairs]) * 2.0**-shrink  # still exact (no underflow at 2**-107)
    w = np.array([p[1] for p in pairs])
    a, c, rel = weighted_log1p(t, w)
    with mpmath.workprec(1300):
        for ti, wi, ai, ci in zip(t.tolist(), w.tolist(), a.tolist(), c.tolist()):
            exact = mpmath.mpf(wi) * mpmath.log1p(mpmath.mpf(ti))
            err = abs(mpmath.mpf(ai) + mpmath.mpf(ci) - exact)
            bound = mpmath.mpf(rel.numerator) / rel.denominator * wi * abs(ti) + mpmath.mpf(2) ** -1000 * 24
            assert err <= bound


def test_series_order_declines_an_unreduced_t():
    assert series_order(2.0**-14) is None
    assert series_order(0.0) == 5 and series_order(2.0**-14 - 2.0**-67) <= 12


@pytest.mark.parametrize("tmax", [0.0, 2.0**-67, 2.0**-20, 3 * 2.0**-21, 2.0**-14 - 2.0**-67])
def test_bounds_use_a_power_of_two_at_or_above_tmax(tmax):
    from symxent.kernels import wlog

    cap = Fraction(2) ** wlog._cap(tmax)
    assert Fraction(tmax) <= cap <= max(2 * Fraction(tmax), Fraction(2) ** -1000) and cap <= Fraction(2) ** -14
    k = series_order(tmax)
    assert cap**k / ((k + 1) * (1 - cap)) <= Fraction(1, 2**106)
    assert wlog.relative_bound(tmax, k) >= wlog.REL_U2 * Fraction(1, 2**106)


# ------------------------------------------------------------------ exact table dot, joint bins

def test_sparse_table_matches_the_bins():
    rng = np.random.default_rng(21)
    n = 3000
    x = np.ldexp(rng.random(n) + 0.5, rng.integers(-40, 3, n))
    w = rng.random(n) * np.ldexp(1.0, rng.integers(-30, 30, n))
    x[::50] = 0.5  # bucket 0 (r = 2) is folded into log 2
    e, j, t, _ = logsum._reduce_all(x, w)
    tol = Fraction(1, 2**160)
    acc_sparse, acc_bins = logsum._Acc(), logsum._Acc()
    folded, big_e, err = logsum._weighted_table_sparse(e, j, w, tol, acc_sparse)
    rounds, big_e2, err2 = logsum._weighted_bins_separate(e, j, w, tol)
    folded2 = logsum._table_part(rounds, err2 * Fraction(7, 10), acc_bins)
    slack = 50 * (err + err2)
    assert abs(folded - folded2) <= slack and abs(big_e - big_e2) <= slack
    assert abs(acc_sparse.value - acc_bins.value) <= acc_sparse.err + acc_bins.err
    _check(x, w)


@pytest.mark.parametrize("mag", [10, 40, 53, 57, 61])
def test_table_dot_is_exact_for_large_counts(mag):
    logs = reduction_table().log_r
    rng = np.random.default_rng(mag)
    idx = np.sort(rng.choice(np.arange(1, 2**15), 2000, replace=False))
    counts = rng.integers(-(2**mag), 2**mag, idx.size)
    short = [v >> (logsum.FRAC_BITS - logsum.SHORT_BITS) for v in logs]
    assert logsum._dot_large(counts, idx) == sum(int(c) * short[i] for c, i in zip(counts, idx))


@pytest.mark.parametrize("spread", [4, 60])  # few exponents: joint bins; many: the separate rounds
def test_joint_and_separate_bucket_weights_agree(spread):
    rng = np.random.default_rng(spread)
    n = 40_000  # above the sparse limit: the kernel check below goes through the bins too
    x = np.ldexp(rng.random(n) + 0.5, rng.integers(-spread, 0, n))
    w = rng.random(n) * np.ldexp(1.0, rng.integers(-20, 20, n))
    e, j, t, _ = logsum._reduce_all(x, w)
    tol = Fraction(1, 2**150)
    joint = logsum._weighted_bins(e, j, w, tol)
    separate = logsum._weighted_bins_separate(e, j, w, tol)
    assert joint[2] <= tol and separate[2] <= tol
    assert abs(joint[1] - separate[1]) <= (joint[2] + separate[2]) * (spread + 1)
    w_joint = sum(Fraction(int(c.sum())) * Fraction(2) ** k for c, k in joint[0])
    w_sep = sum(Fraction(int(c.sum())) * Fraction(2) ** k for c, k in separate[0])
    assert abs(w_joint - w_sep) <= joint[2] + separate[2]
    assert abs(w_joint - sum(map(Fraction, w.tolist()))) <= joint[2]
    _check(x, w)


# ------------------------------------------------------------------ weights at the edges

@pytest.mark.parametrize("w_value", [2.0**-900, 2.0**900, 2.0**-899 * 1.5, 1e-300 * 2.0**100, 7.0])
def test_equal_weights_at_the_edges(w_value):
    x = np.random.default_rng(0).random(3000) + 2.0**-30
    _check(x, np.full(x.size, w_value))


def test_zero_and_subnormal_adjacent_weights():
    rng = np.random.default_rng(4)
    x = rng.random(2000) + 1e-9
    w = rng.random(2000)
    w[::3] = 0.0
    _check(x, w)
    w[1::7] = 2.0**-1021  # outside [2**-900, 2**900]: split off (below 2**-890 each), not declined
    assert _contains(kernels.log_sum(x, w), reference_log_sum(x, w, rel_bits=256))
    assert _contains(sums.log_sum(x, w), reference_log_sum(x, w, rel_bits=256))


def test_fast_series_is_used_for_probability_weights(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the exact series was used")

    monkeypatch.setattr(logsum, "_series", boom)
    p = np.random.default_rng(8).random(70_000) + 1e-3
    p /= p.sum()
    _check(p, p, bits=112)  # the first precision the losses ask for (30 digits with a margin)


def test_exact_series_takes_over_when_the_sum_is_tiny():
    # x within an ulp or two of 1 with huge weights: sum w |t| dwarfs |S|, the relative bound of
    # the double-double path cannot reach 2**-128, and the fully exact series must answer
    rng = np.random.default_rng(9)
    x = 1 - rng.integers(1, 4, 3000) * 2.0**-53
    w = rng.random(3000) * 2.0**40
    _check(x, w)


# ------------------------------------------------------------------ KL when P and Q nearly coincide

def test_kl_divergence_when_p_and_q_nearly_coincide():
    rng = np.random.default_rng(12)
    p = rng.random(40) + 0.5
    p /= p.sum()
    q = p.copy()
    q[0] = np.nextafter(q[0], 1.0)  # KL ~ 3e-18: the two sums (about 3.7 each) agree to ~60 bits
    q[1] = np.nextafter(q[1], 0.0)
    r = losses.kl_divergence(p, q)
    ref = reference_log_sum(p, p, rel_bits=600) - reference_log_sum(q, p, rel_bits=600)
    assert _contains(r.enclosure, ref)
    assert r.float64 == ref.rounded("float64") and r.digits >= 30


def test_kl_divergence_of_order_1e_minus_16():
    rng = np.random.default_rng(13)
    p = rng.random(200) + 0.5
    p /= p.sum()
    q = p * (1 + rng.normal(size=p.size) * 1e-9)
    q /= q.sum()  # KL ~ (1/2) sum p d**2 ~ 1e-16
    r = losses.kl_divergence(p, q)
    ref = reference_log_sum(p, p, rel_bits=600) - reference_log_sum(q, p, rel_bits=600)
    assert 1e-20 < abs(float(ref.lo)) < 1e-15
    assert _contains(r.enclosure, ref)
    assert r.float64 == ref.rounded("float64") and r.digits >= 30


# ------------------------------------------------------------------ unit weights: three-row fast series

def test_unit_fast_series_is_used_for_probabilities(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the exact series was used")

    monkeypatch.setattr(logsum, "_series", boom)
    q = np.random.default_rng(14).random(5000) + 2.0**-40
    got = kernels.log_sum(q, rel_bits=112)  # the first precision the losses ask for
    ref = reference_log_sum(q, rel_bits=224)
    assert _contains(got, ref) and got.hi - got.lo <= Fraction(1, 2**112) * abs(ref.lo)


def test_unit_exact_series_takes_over_near_one(monkeypatch):
    # x = 1 - k 2**-16: every t is near 2**-15 while the sum is small, so the bound of the
    # three-row path (2**-77 sum |t|**3) is too coarse for 2**-128 and the exact rows answer
    calls = []
    real = logsum._series
    monkeypatch.setattr(logsum, "_series", lambda *a: calls.append(1) or real(*a))
    x = 1 - np.random.default_rng(15).integers(1, 4, 4000) * 2.0**-16
    for bits in (112, 128):  # (at 136 bits both kernels decline these data: the reference path answers)
        got = kernels.log_sum(x, rel_bits=bits)
        assert calls and _contains(got, reference_log_sum(x, rel_bits=2 * bits))
