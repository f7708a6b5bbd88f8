"""The logsumexp kernel: known values, adversarial logits against the independent reference path
at twice the precision, the correctly rounded mean CE, the dispatcher wiring, and where the
kernel must decline."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.testing.strategies import logit_values
from symxent import kernels
from symxent.errors import DomainError
from symxent.exact import sums
from symxent.exact.enclosure import Enclosure
from symxent.exact.sums import reference_logsumexp_sum
from symxent.kernels import fpenv, losses
from symxent.kernels.logsumexp import logsumexp_sum

NEG_INF = float("-inf")

pytestmark = [pytest.mark.skipif(not fpenv.FP_ENV_OK, reason="the kernels decline in this FP environment"),
              pytest.mark.usefixtures("both_engines")]  # tests/conftest.py


def _check(z, w=None, bits: int = 96) -> Enclosure:
    """The kernel answers, contains the reference at twice the precision, and is narrow enough."""
    z = np.asarray(z, dtype=np.float64)
    w = None if w is None else np.asarray(w, dtype=np.float64)
    got = logsumexp_sum(z, w, rel_bits=bits)
    assert got is not None, "the kernel declined data it should certify"
    ref = reference_logsumexp_sum(z, w, rel_bits=2 * bits)
    if not ref.is_finite:
        assert got == ref
        return got
    assert got.lo <= ref.lo and ref.hi <= got.hi, (got, ref)
    assert got.hi - got.lo <= Fraction(1, 2**bits) * max(1, abs(ref.lo))
    return got


@pytest.mark.parametrize("z, expected", [
    ([[0.0, 0.0]], "0.69314718055994530942"),                  # log 2
    ([[1000.0, NEG_INF]], "1000.0000000000000000"),             # exp(-inf) = 0
    ([[-1000.0, -1000.0, -1000.0, -1000.0]], "-998.61370563888010938"),   # -1000 + log 4
    ([[0.0] * 10], "2.3025850929940456840"),                   # log 10
])
def test_known_values(z, expected):
    got = _check(z)
    assert got.decimal(20) == expected


def test_single_column_is_exact_up_to_the_bound():
    z = np.array([[0.1], [-3.5], [2.0**-30]])
    got = _check(z, bits=100)
    exact = sum(map(Fraction, z.ravel().tolist()))
    assert got.lo <= exact <= got.hi


def test_all_neg_inf_row_gives_neg_inf_and_zero_weight_hides_it():
    z = np.array([[0.0, 1.0], [NEG_INF, NEG_INF]])
    assert logsumexp_sum(z, rel_bits=90).hi == float("-inf")
    got = _check(z, [1.0, 0.0])
    assert got.decimal(15) == _check(z[:1]).decimal(15)


# the kit's logits (ties, the edges of exp, 5e-324, 2^43, -inf; bounded so one row stays within what the
# reference sums) and this kernel's own thresholds (its 90-wide windows, -0.0, 1 - 2^-53)
_value = st.one_of(
    logit_values("float64", max_abs=2.0**43),
    st.sampled_from([-0.0, -5e-324, 2.0**-1022, 1e-300, 89.99, -89.99, 90.0, -90.0, 90.01, 700.0, 1000.0, -1000.0,
                     1.0 - 2.0**-53, 2.0**40]),
)


@st.composite
def _logits(draw):
    n = draw(st.integers(1, 5))
    k = draw(st.integers(1, 25))
    rows = [[draw(_value) for _ in range(k)] for _ in range(n)]
    z = np.array(rows, dtype=np.float64)
    if draw(st.booleans()):  # huge spread within one row
        z[0, 0] = draw(st.sampled_from([1e-200, 3e8, -3e8, 2.0**43]))
    fixed = [i for i in range(n) if np.all(z[i] == NEG_INF)]
    for i in fixed[: n - 1 if draw(st.booleans()) else n]:  # keep an all -inf row now and then
        z[i, 0] = 0.0
    return z


@settings(max_examples=40, deadline=None)
@given(_logits(), st.one_of(st.none(), st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0, 1e-3, 0.1]), min_size=5,
                                                  max_size=5)), st.sampled_from([64, 90]))
def test_adversarial_logits_contain_the_reference(z, w, bits):
    ws = None if w is None else np.array(w[: z.shape[0]])
    _check(z, ws, bits)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(2, 300), st.floats(0.01, 300), st.integers(0, 2**32 - 1))
def test_random_rows_at_104_bits(n, k, scale, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, k)) * scale + rng.normal() * 100
    got = logsumexp_sum(z, rel_bits=104)
    ref = reference_logsumexp_sum(z, rel_bits=208)
    if got is not None:  # 104 bits is the edge of double-double: may decline, never be wrong
        assert got.lo <= ref.lo and ref.hi <= got.hi
    assert _check(z, bits=96) is not None


def test_wide_row_k_1e5():
    rng = np.random.default_rng(7)
    z = rng.normal(size=(1, 100_000)) * 20
    z[0, ::997] = NEG_INF
    z[0, 5::1009] = z[0, 4::1009]  # duplicates
    _check(z, bits=90)


def test_wide_rows_go_by_column_blocks(monkeypatch):
    from symxent.kernels import logsumexp as module

    rng = np.random.default_rng(11)
    z = np.round(rng.normal(size=(2, 5000)) * 30, 2)
    z[1, ::3] = NEG_INF
    z[0, 4999] = 200.0  # the maximum in the last block
    monkeypatch.setattr(module, "_WIDE", 1024)
    _check(z, bits=90)


def test_mean_ce_float64_is_correctly_rounded(monkeypatch):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(40, 30)) * 5
    z[::7, 3] = NEG_INF
    lab = rng.integers(0, 3, 40)
    calls = []
    real = kernels.logsumexp_sum
    monkeypatch.setattr(kernels, "logsumexp_sum", lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    r = losses.categorical_ce_logits(lab, z)
    assert calls and r.path == "dispatcher" and r.digits >= 30
    picked = sum(map(Fraction, z[np.arange(40), lab].tolist()))
    ref = (reference_logsumexp_sum(z, rel_bits=256) - picked).scale(Fraction(1, 40))
    assert r.float64 == float(ref.rounded("float64"))
    assert r.enclosure.lo <= ref.lo and ref.hi <= r.enclosure.hi


def test_dispatcher_reaches_the_kernel(monkeypatch):
    z = np.array([[0.5, -2.0, 3.0], [1.0, 1.0, NEG_INF]])
    seen = []

    def spy(*a, **kw):
        seen.append(kw["rel_bits"])
        return logsumexp_sum(*a, **kw)

    monkeypatch.setattr(kernels, "logsumexp_sum", spy)
    got = sums.logsumexp_sum(z, rel_bits=100)
    assert seen == [100]
    assert got == logsumexp_sum(z, rel_bits=100)


@pytest.mark.parametrize("z, w, bits", [
    ([[0.0, 1.0]], None, 128),                        # beyond double-double
    ([[0.0, float("nan")]], None, 90),                # the reference reports it
    ([[0.0, float("inf")]], None, 90),
    ([[0.0, 1.0]], [-1.0], 90),                       # negative weight
    ([0.0, 1.0], None, 90),                           # not 2-D
])
def test_declines(z, w, bits):
    assert logsumexp_sum(z, w, rel_bits=bits) is None


@pytest.mark.parametrize("z, w", [
    ([[2.0**45, 0.0], [0.5, 1.0]], None),            # |max| above 2**44: that row goes to the reference
    ([[0.0, 1.0], [2.0, 3.0]], [1e-300, 1.0]),       # weight outside [2**-900, 2**900]: likewise
    ([[2.0**45, 0.0]], [1e300]),                     # every row split off
])
def test_rows_the_kernel_cannot_take_are_split_off(z, w):
    got = logsumexp_sum(z, w, rel_bits=90)
    ref = reference_logsumexp_sum(z, w, rel_bits=200)
    assert got is not None and got.lo <= ref.lo and ref.hi <= got.hi


def test_declined_bad_input_is_reported_by_the_reference():
    with pytest.raises(DomainError):
        sums.logsumexp_sum(np.array([[0.0, float("nan")]]), rel_bits=90)


def test_bench_row_for_logits():
    from symxent.kernels import bench

    (row,) = bench.run_bench(quick=True, only=("cce_logits",))
    assert row["name"] == "cce_logits" and row["k"] == 1000
    assert row["contains_reference"] is True and row["certified_digits"] >= 30


@pytest.mark.parametrize("seed, rows, k", [(0, 16, 1000), (1, 3, 7), (2, 1, 20000), (3, 40, 50)])
def test_scratch_terms_are_the_same_doubles(seed, rows, k):
    """The allocation-free _terms_into performs the same operations as _terms: equal bit for bit
    (clamped entries, c = 0, huge and tiny logits included)."""
    from symxent.kernels import logsumexp as lse

    rng = np.random.default_rng(seed)
    z = rng.standard_normal((rows, k)) * rng.choice([1e-9, 1.0, 30.0, 1e6], (rows, 1))
    z[:, 0] = 0.0
    z[rows // 2, 1 % k] = -np.inf
    m = z.max(axis=1)
    low = (m - lse.CUT)[:, None]
    ref = lse._terms(np.maximum(z, low), m)
    got = lse._terms_into(z, low, m, lse._Scratch(rows * k))
    for a, b in zip(ref, got):
        assert np.array_equal(a.view(np.int64), b.view(np.int64))
