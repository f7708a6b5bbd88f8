"""A few hard elements (subnormals, weights of 1e-300 or 1e300, logits beyond 2**44) are split
off and summed on their own, not a reason for the whole array to leave the kernel: the kernels
still answer (not None), and their enclosure agrees with the all-exact reference path; the losses
round to the same float64 as the reference."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.exact.sums import reference_log_sum, reference_logsumexp_sum
from symxent.kernels import log_sum, logsumexp_sum, losses

pytestmark = pytest.mark.usefixtures("both_engines")

_HARD_X = [2.0**-1074, 5e-320, 2.0**-1023, 1e-310, 0.0]
_HARD_W = [1e-300, 2.0**-1000, 5e-324, 1e300, 2.0**1000, 0.0]


@st.composite
def sprinkled(draw, hard: list[float]) -> np.ndarray:
    """A random array in (0, 1) of 20 to 300 entries, with 1 to 5 entries replaced by hard ones."""
    n = draw(st.integers(20, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    a = rng.random(n) * 0.98 + 0.01
    for _ in range(draw(st.integers(1, 5))):
        a[draw(st.integers(0, n - 1))] = draw(st.sampled_from(hard))
    return a


def _overlap(kernel, ref) -> None:
    assert kernel is not None, "the kernel declined instead of splitting"
    assert kernel.lo <= ref.hi and ref.lo <= kernel.hi, (kernel, ref)
    assert kernel.hi - kernel.lo <= Fraction(1, 2**128) * max(1, abs(ref.lo), abs(ref.hi)) * 2


@settings(max_examples=25)
@given(x=sprinkled(_HARD_X[:-1]), seed=st.integers(0, 2**32 - 1))
def test_subnormal_x_unit_and_float_weights(x, seed):
    w = np.random.default_rng(seed).random(x.size)
    _overlap(log_sum(x), reference_log_sum(x, rel_bits=256))
    _overlap(log_sum(x, w), reference_log_sum(x, w, rel_bits=256))


@settings(max_examples=25)
@given(w=sprinkled(_HARD_W), seed=st.integers(0, 2**32 - 1))
def test_weights_outside_the_kernel_range(w, seed):
    x = np.random.default_rng(seed).random(w.size) * 0.9 + 0.05
    x[::7] = 2.0**-1060  # subnormals too, some of them under the huge weights
    _overlap(log_sum(x, w), reference_log_sum(x, w, rel_bits=256))


@settings(max_examples=20)
@given(w=sprinkled(_HARD_W[:3] + [0.0]), seed=st.integers(0, 2**32 - 1))
def test_soft_label_complement_with_tiny_weights(w, seed):
    q = np.random.default_rng(seed).random(w.size) * 0.9 + 0.05
    got = log_sum(q, w, complement=True, w_complement=True)
    _overlap(got, reference_log_sum(q, w, complement=True, w_complement=True, rel_bits=256))


def test_huge_weights_alone_and_mixed():
    x = np.array([0.5, 0.25, 2.0**-1070, 0.75])
    for w in (np.array([1e300, 2.0**1000, 1e301, 1.7e308]), np.array([1e300, 0.5, 1e-300, 1.0])):
        _overlap(log_sum(x, w), reference_log_sum(x, w, rel_bits=256))


@settings(max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), rows=st.lists(st.integers(0, 39), min_size=1, max_size=3),
       big=st.sampled_from([2.0**45, -3e15, 1e200, -1e300]))
def test_logsumexp_rows_beyond_2_44_and_odd_weights(seed, rows, big):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(40, 7)) * 3
    w = rng.random(40)
    for i in rows:
        z[i, i % 7] = big
    w[rows[0]] = 1e-300
    for ws in (None, w):
        got = logsumexp_sum(z, ws, rel_bits=100)
        ref = reference_logsumexp_sum(z, ws, rel_bits=200)
        assert got is not None and got.lo <= ref.hi and ref.lo <= got.hi
        assert got.hi - got.lo <= Fraction(1, 2**100) * max(1, abs(ref.lo))


def _ref_bce(y, q):
    return (reference_log_sum(q, y, rel_bits=256)
            + reference_log_sum(q, y, complement=True, w_complement=True, rel_bits=256)).scale(Fraction(-1, y.size))


@settings(max_examples=15)
@given(q=sprinkled(_HARD_X[:-1] + [1e-300]), seed=st.integers(0, 2**32 - 1), soft=st.booleans())
def test_losses_round_like_the_reference(q, seed, soft):
    rng = np.random.default_rng(seed)
    y = rng.random(q.size) if soft else rng.integers(0, 2, q.size).astype(np.float64)
    y[q < 1e-200] = 1.0  # the hard q under a label that takes log q
    checks = [
        (losses.mean_bce(y, q), _ref_bce(y, q)),
        (losses.entropy(q), -reference_log_sum(q, q, rel_bits=256)),
    ]
    p = rng.random(q.size) + 0.01
    checks.append((losses.kl_divergence(q, p),
                   reference_log_sum(q, q, rel_bits=256) - reference_log_sum(p, q, rel_bits=256)))
    for got, ref in checks:
        assert got.path != "reference", "the whole array fell back to the reference path"
        assert got.float64 == ref.rounded("float64")
        assert got.enclosure.lo <= ref.hi and ref.lo <= got.enclosure.hi
        assert got.digits >= 30
