"""The fast kernels: known values, adversarial data checked against the independent reference
path at twice the precision, correct rounding of the float64, and the dispatcher wiring."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.exact import sums
from symxent import kernels
from symxent.exact.enclosure import Enclosure
from symxent.exact.sums import reference_log_sum
from symxent.testing.strategies import unit_floats
from symxent.kernels import fpenv, losses

pytestmark = pytest.mark.usefixtures("both_engines")  # tests/conftest.py

NEG_INF = float("-inf")


def _contains(e: Enclosure | None, ref: Enclosure) -> bool:
    return e is not None and e.lo <= ref.lo and ref.hi <= e.hi


def _check(x, w=None, allow_none=False, **kw) -> Enclosure | None:
    """Kernel result (if any) contains the reference at 256 bits and meets the width bound."""
    x = np.asarray(x, dtype=np.float64)
    w = None if w is None else np.asarray(w, dtype=np.float64)
    ref = reference_log_sum(x, w, rel_bits=256, **kw)
    got = kernels.log_sum(x, w, rel_bits=128, **kw)
    if got is None:
        assert allow_none, "the kernel declined data it should handle"
        return None
    if not ref.is_finite:
        assert got == ref
        return got
    assert _contains(got, ref), (got, ref)
    assert got.hi - got.lo <= Fraction(1, 2**128) * max(1, abs(ref.lo))
    return got


@pytest.mark.parametrize("x, w, kw, digits, expected", [
    ([0.5, 0.25], None, {}, 20, "-2.0794415416798359283"),            # -3 log 2
    ([0.75], None, {"complement": True}, 10, "-1.386294361"),          # log 1/4
    ([0.0, 0.5], [0.0, 1.0], {}, 5, "-0.69315"),                       # 0 log 0 = 0
    ([0.5], [0.25], {"w_complement": True}, 10, "-0.5198603854"),      # 3/4 log 1/2
    ([2.0**-1000], None, {}, 12, "-693.147180560"),
    ([1 - 2.0**-53], None, {}, 12, "-1.11022302463e-16"),
    ([2.0**-60], None, {"complement": True}, 12, "-8.67361737988e-19"),
])
def test_known_values(x, w, kw, digits, expected):
    got = _check(x, w, **kw)
    assert got.decimal(digits) == expected


def test_log_one_is_exactly_zero_and_log_zero_is_minus_infinity():
    assert kernels.log_sum(np.array([1.0, 1.0])) == Enclosure(0, 0)
    assert kernels.log_sum(np.array([0.0, 0.5])) == Enclosure(NEG_INF, NEG_INF)
    assert kernels.log_sum(np.array([1.0]), complement=True) == Enclosure(NEG_INF, NEG_INF)
    assert kernels.log_sum(np.array([1.0]), np.array([1.0]), complement=True, w_complement=True) == Enclosure(0, 0)


@pytest.mark.parametrize("x, w, kw", [
    ([float("nan")], None, {}),
    ([-0.5], None, {}),
    ([1.5], None, {"complement": True}),
    ([0.5], [-1.0], {}),
    ([0.5], [2.0], {"w_complement": True}),
])
def test_declines_what_it_does_not_certify(x, w, kw):
    assert kernels.log_sum(np.array(x), None if w is None else np.array(w), **kw) is None


def test_subnormal_is_taken_by_scaling():
    """log(x) = log(x 2**64) - 64 log 2 for a subnormal x: the kernel answers, to 2**-128."""
    x = np.array([2.0**-1060])
    got = kernels.log_sum(x)
    assert got is not None
    ref = reference_log_sum(x, rel_bits=256)
    assert got.lo <= ref.lo and ref.hi <= got.hi


# ------------------------------------------------------------------ adversarial data

def _adversarial_floats():
    """Powers of two down to the subnormals, 1 - 2^-k, 1e-300, 0, 1 and any float in [0, 1]."""
    return unit_floats("float64")


@settings(max_examples=40, deadline=None)
@given(st.lists(_adversarial_floats(), min_size=1, max_size=40), st.booleans(), st.integers(1, 30))
def test_kernel_contains_reference_on_adversarial_data(xs, complement, dup):
    x = np.array(xs * (1 + dup % 3))  # duplicates
    zero = 1.0 if complement else 0.0
    x = x[x != zero]
    if x.size == 0:
        return
    _check(x, complement=complement)  # subnormals included: they are split off, not declined
    # whatever the kernel says, the dispatcher's answer is certified
    assert _contains(sums.log_sum(x, complement=complement), reference_log_sum(x, complement=complement, rel_bits=256))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(_adversarial_floats(), _adversarial_floats()), min_size=1, max_size=30),
       st.booleans(), st.booleans())
def test_weighted_kernel_contains_reference(pairs, complement, w_complement):
    x = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs])
    # tiny weights and subnormal x are split off, not declined
    _check(x, w, complement=complement, w_complement=w_complement)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3000))
def test_mixed_exponents_and_sizes(seed, n):
    rng = np.random.default_rng(seed)
    x = np.ldexp(rng.random(n) + 0.5, rng.integers(-1000, 0, n))
    w = rng.random(n) * np.ldexp(1.0, rng.integers(-30, 30, n))
    _check(x, w)
    _check(np.minimum(x, 1.0), complement=True)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([1.0, 0.0]), min_size=1, max_size=50),
       st.lists(_adversarial_floats().filter(lambda v: 2.0**-1022 <= v < 1.0), min_size=1, max_size=50))
def test_mean_bce_float64_is_correctly_rounded(labels, qs):
    n = min(len(labels), len(qs))
    y, q = np.array(labels[:n]), np.array(qs[:n])
    result = losses.mean_bce(y, q)
    ref = (reference_log_sum(q, y, rel_bits=256)
           + reference_log_sum(q, y, complement=True, w_complement=True, rel_bits=256)).scale(Fraction(-1, n))
    # both are certified: they must overlap (the result may come from the reference path at
    # 272 bits when the mean is far below 1, and then it is the narrower of the two)
    assert result.enclosure.lo <= ref.hi and ref.lo <= result.enclosure.hi
    assert result.float64 == ref.rounded("float64")
    assert result.digits >= 30


def test_categorical_ce_with_a_hundred_thousand_classes():
    rng = np.random.default_rng(5)
    p = rng.random((3, 10**5))
    p /= p.sum(axis=1, keepdims=True)
    lab = np.array([0, 99_999, 12345])
    result = losses.categorical_ce(lab, p)
    picked = p[np.arange(3), lab]
    ref = reference_log_sum(picked, rel_bits=256).scale(Fraction(-1, 3))
    assert _contains(result.enclosure, ref)
    assert result.float64 == ref.rounded("float64")


def test_kl_and_entropy_match_the_reference():
    rng = np.random.default_rng(3)
    p, q = rng.random(500) + 1e-3, rng.random(500) + 1e-3
    p, q = p / p.sum(), q / q.sum()
    kl = losses.kl_divergence(p, q)
    ref = reference_log_sum(p, p, rel_bits=256) - reference_log_sum(q, p, rel_bits=256)
    assert _contains(kl.enclosure, ref) and kl.float64 == ref.rounded("float64")
    h = losses.entropy(p)
    assert _contains(h.enclosure, -reference_log_sum(p, p, rel_bits=256))


def test_logits_loss_goes_through_the_reference_path():
    z = np.array([[0.0, 0.0], [1.0, -2.0]])
    result = losses.categorical_ce_logits(np.array([0, 1]), z)
    assert result.decimal(10) is not None and result.float64 is not None


# ------------------------------------------------------------------ dispatcher and environment

def test_dispatcher_reaches_the_kernel(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the reference path was used")

    monkeypatch.setattr(sums, "reference_log_sum", boom)
    x = np.random.default_rng(0).random(1000)
    assert sums.log_sum(x) == kernels.log_sum(x)
    assert sums.log_sum(x, x, complement=True, w_complement=True) is not None


def test_ftz_daz_check(monkeypatch):
    assert fpenv.subnormals_survive() and fpenv.rounds_to_nearest() and fpenv.FP_ENV_OK
    assert not fpenv.subnormals_survive(lambda a, b: 0.0 if abs(a * b) < 2.0**-1022 else a * b)  # FTZ
    assert not fpenv.subnormals_survive(lambda a, b: 0.0 if abs(a) < 2.0**-1022 else a * b)  # DAZ
    monkeypatch.setattr(fpenv, "FP_ENV_OK", False)
    x = np.array([0.5, 0.25])
    assert kernels.log_sum(x) is None
    assert sums.log_sum(x).decimal(10) == "-2.079441542"  # the reference path answers instead


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60), st.booleans())
def test_grouped_repeats_match_the_reference(seed, distinct, complement):
    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.random(distinct), [2.0**-1000, 1 - 2.0**-53, 0.5]])
    x = rng.choice(values, 40_000)
    assert kernels.group_repeats(x) is not None
    _check(x, complement=complement)


def test_grouping_is_declined_when_values_are_distinct():
    assert kernels.group_repeats(np.random.default_rng(1).random(50_000)) is None
    assert kernels.group_repeats(np.repeat([0.5], 100)) is None  # too small to pay off


@pytest.mark.parametrize("complement, weighted", [(False, False), (True, False), (False, True)])
def test_several_chunks_with_adversarial_entries(complement, weighted):
    rng = np.random.default_rng(11)
    n = 20_000  # more than one chunk of the series
    x = rng.random(n)
    x[::97] = 2.0**-1000
    x[1::97] = 1 - 2.0**-53
    x[2::97] = 2.0**-30
    x[x == 0] = 0.5
    w = rng.random(n) * np.ldexp(1.0, rng.integers(-20, 20, n)) if weighted else None
    _check(x, w, complement=complement)


@pytest.mark.parametrize("rel_bits", [40, 128, 200, 270])
def test_every_precision(rel_bits):
    # near 1 the reduced t is tiny; beyond about 140 bits the kernel may decline (the
    # double-double tail is its limit), and then the reference path answers
    x = np.array([1 - 2.0**-50, 1 - 3 * 2.0**-52, 0.75, 0.3, 1e-300, 1 - 2.0**-40])
    for kw in ({}, {"complement": True}):
        got = kernels.log_sum(x, rel_bits=rel_bits, **kw)
        ref = reference_log_sum(x, rel_bits=2 * rel_bits, **kw)
        if got is None:
            assert rel_bits > 140
            continue
        assert _contains(got, ref)
        assert got.hi - got.lo <= Fraction(1, 2**rel_bits) * max(1, abs(ref.lo))


@pytest.mark.parametrize("big_k, k0", [(6, 4), (6, 7), (3, 4), (9, 3)])
def test_tail_matches_the_series(big_k, k0):
    """g = sum_{k=3..K} (-1)**(k+1) t**k / k, with any split between plain and double-double
    levels (k0 = K + 1: all double-double), within the documented per-element bound."""
    import mpmath

    from symxent.kernels import logsum
    from symxent.kernels.eft import U, split, two_prod

    t = np.random.default_rng(2).uniform(-(2.0**-14), 2.0**-14, 64)
    st = split(t)
    p2, e2 = two_prod(t, t, st, st)
    gh, gl = logsum._tail(t, st, p2, e2, big_k, k0)
    tmax = Fraction(float(np.max(np.abs(t))))
    rel = tmax ** max(0, min(k0, big_k + 1) - 3) * U + 8 * U * U
    with mpmath.workprec(300):
        for ti, hi, lo in zip(t.tolist(), gh.tolist(), gl.tolist()):
            tv = mpmath.mpf(ti)
            exact = sum((-1) ** (k + 1) * tv**k / k for k in range(3, big_k + 1))
            err = abs(mpmath.mpf(hi) + mpmath.mpf(lo) - exact)
            assert err <= mpmath.mpf(rel.numerator) / rel.denominator * abs(tv) ** 3


def test_remainder_bound_when_t_is_tiny():
    # x within a few ulps of 1: t is about 2**-50, so one or two terms of the series suffice
    # and the remainder bound must still hold for every term, not only the largest
    x = np.array([1 - 2.0**-53, 1 - 2.0**-50, 1 - 5 * 2.0**-53, 1 - 2.0**-45] * 50)
    for bits in (40, 64, 128):
        got = kernels.log_sum(x, rel_bits=bits)
        assert _contains(got, reference_log_sum(x, rel_bits=2 * bits))


@pytest.mark.parametrize("call", [
    lambda: losses.categorical_ce([0, 2], [[0.5, 0.5], [0.5, 0.5]]),
    lambda: losses.categorical_ce_logits([-1], [[0.0, 0.0]]),
    lambda: losses.mean_bce([1, 0], [0.5]),
])
def test_bad_input_is_a_symxent_error(call):
    from symxent.errors import SymxentError

    with pytest.raises(SymxentError):
        call()
