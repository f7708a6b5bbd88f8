"""mean_bce with hard labels goes through two unit-weight sums (q split by label); it must agree
with the weighted form, computed by the exact reference path at twice the precision, and keep
its input checks."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.errors import SymxentError
from symxent.exact.sums import reference_log_sum
from symxent.kernels import losses


def _reference_bce(y: np.ndarray, q: np.ndarray):
    y = y.astype(np.float64)
    return (reference_log_sum(q, y, rel_bits=256)
            + reference_log_sum(q, y, complement=True, w_complement=True, rel_bits=256)).scale(Fraction(-1, y.size))


def _agrees(y, q) -> None:
    result = losses.mean_bce(y, q)
    ref = _reference_bce(np.asarray(y), np.asarray(q, dtype=np.float64))
    assert result.enclosure.lo <= ref.hi and ref.lo <= result.enclosure.hi
    if ref.is_finite:
        assert result.float64 == ref.rounded("float64")
        assert result.digits >= 30
    else:
        assert result.float64 == float("inf")


def test_split_takes_hard_labels_only():
    q = np.array([0.25, 0.5, 0.75])
    assert losses._hard_label_split(np.array([1.0, 0.0, 1.0]), q) is not None
    assert losses._hard_label_split(np.array([1.0, 0.5, 1.0]), q) is None       # soft label
    assert losses._hard_label_split(np.array([1.0, 2.0, 1.0]), q) is None       # not a label
    assert losses._hard_label_split(np.array([1.0, 0.0, 1.0]), np.array([0.25, np.nan, 0.5])) is None
    assert losses._hard_label_split(np.array([1.0, 0.0, 1.0]), q.astype(np.float32)) is None


@pytest.mark.parametrize("y, q", [
    ([1, 0, 1, 0], [0.25, 0.5, 0.75, 0.125]),
    ([1, 1, 1], [0.3, 0.6, 0.9]),                  # no y = 0 term
    ([0, 0], [0.3, 2.0**-60]),                     # no y = 1 term; 1 - q rounds in floats
    ([1, 0], [1.0, 0.0]),                          # log 1 = 0 on both sides
    ([1, 0], [0.0, 0.5]),                          # log 0 with label 1: +inf
    ([0, 1], [1.0, 0.5]),                          # log(1 - 1) with label 0: +inf
    ([1, 0], [5e-320, 1 - 2.0**-53]),              # subnormal q: the reference path answers
])
def test_known_cases_agree_with_weighted_form(y, q):
    _agrees(np.array(y), np.array(q))


def test_soft_labels_still_take_weighted_form():
    _agrees(np.array([0.25, 1.0, 0.0]), np.array([0.5, 0.75, 0.125]))


@pytest.mark.parametrize("y, q", [([1, 0], [1.5, 0.5]), ([1, 0], [0.5, -0.25]), ([1, 3], [0.5, 0.5])])
def test_bad_input_still_raises(y, q):
    with pytest.raises(SymxentError):
        losses.mean_bce(y, q)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3000), st.booleans())
def test_random_hard_labels(seed, n, repeats):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    q = rng.choice(rng.random(7), n) if repeats else rng.random(n) * (1 - 2.0**-20)
    q[q == 0] = 0.5
    _agrees(y, q)


def test_large_n_with_repeats_groups_both_halves():
    rng = np.random.default_rng(3)
    n = 1 << 17
    y = rng.integers(0, 2, n)
    q = rng.choice(rng.random(50) * 0.98 + 0.01, n)
    _agrees(y, q)
