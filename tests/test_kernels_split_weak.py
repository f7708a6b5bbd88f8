"""Elements whose bound is too weak for the kernel (a few terms far larger than the sum they
cancel to) are split off and summed by the exact reference path on their own, the rest stays
on the kernel: the split answers (not None) with the certified interval of the all-exact path
(they overlap, and both are within the contract's width), for the log sums under every loss of
:mod:`symxent.kernels.losses` and for the losses themselves (the same float64)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.exact.sums import reference_log_sum
from symxent.kernels import api, log_sum, losses

pytestmark = pytest.mark.usefixtures("both_engines")

# pairs (x1, x2) with log x1 + log x2 close to 0: under a large weight their terms cancel
_PAIRS = [(3 * 2.0**600, 2.0**-600 / 3), (7.5 * 2.0**300, 2.0**-300 / 7.5), (1e200, 1e-200), (2.0**900, 2.0**-900)]


@st.composite
def cancelling(draw) -> tuple[np.ndarray, np.ndarray]:
    """``(x, w)``: 20 to 300 ordinary terms, and 1 to 3 pairs of huge cancelling ones."""
    n = draw(st.integers(20, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, w = rng.random(n) * 0.98 + 0.01, rng.random(n)
    slots = rng.permutation(n)
    for i in range(draw(st.integers(1, 3))):
        x1, x2 = draw(st.sampled_from(_PAIRS))
        big = draw(st.sampled_from([1e8, 1e12, 2.0**60]))
        x[slots[2 * i]], x[slots[2 * i + 1]] = x1, x2
        w[slots[2 * i]] = w[slots[2 * i + 1]] = big
    return x, w


def _same(got, ref, bits: int) -> None:
    assert got is not None, "the kernel declined instead of splitting"
    assert got.lo <= ref.hi and ref.lo <= got.hi, (got, ref)
    assert got.hi - got.lo <= Fraction(1, 2**bits) * max(1, abs(ref.lo), abs(ref.hi)) * 2


@settings(max_examples=25, deadline=None)
@given(xw=cancelling(), bits=st.sampled_from([112, 128]))
def test_weighted_log_sum_splits_the_cancelling_terms(xw, bits):
    x, w = xw
    _same(log_sum(x, w, rel_bits=bits), reference_log_sum(x, w, rel_bits=2 * bits + 40), bits)


@settings(max_examples=15, deadline=None)
@given(xw=cancelling())
def test_split_matches_the_all_exact_path_term_for_term(xw):
    """The split itself (called directly) and the reference over all elements agree."""
    x, w = xw
    got = api._split_weak(x, w, False, False, 128)
    _same(got, reference_log_sum(x, w, rel_bits=300), 128)


def test_no_split_when_no_term_dominates():
    x = np.random.default_rng(0).random(100) * 0.9 + 0.05
    assert api._split_weak(x, None, False, False, 128) is None  # nothing to split: None, no work


@settings(max_examples=10, deadline=None)
@given(xw=cancelling())
def test_entropy_and_kl_of_unnormalised_weights(xw):
    """Entropy and KL of weights with a few huge entries (unnormalised): the losses' log sums
    take the split, and round to the float64 of the all-exact path."""
    x, w = xw
    p = w * x  # p log p: the huge entries carry x around 2**+-600 times a huge weight
    p = np.where(np.isfinite(p) & (p > 0), p, 0.5)
    r = losses.entropy(p)
    ref = -reference_log_sum(p, p, rel_bits=400)
    assert r.enclosure.lo <= ref.hi and ref.lo <= r.enclosure.hi
    assert r.float64 == ref.rounded("float64")
    q = p * (1 + 0.5 * np.random.default_rng(1).random(p.size))
    k = losses.kl_divergence(p, q)
    kref = reference_log_sum(p, p, rel_bits=400) - reference_log_sum(q, p, rel_bits=400)
    assert k.enclosure.lo <= kref.hi and kref.lo <= k.enclosure.hi
    assert k.float64 == kref.rounded("float64")
