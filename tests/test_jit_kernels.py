"""The compiled (Numba) engine: its probe, the superaccumulator, and the weighted log kernel
against the NumPy kernel (bit for bit where the operations are the same) and the reference."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from symxent.exact.sums import reference_log_sum
from symxent.kernels import jit, losses
from symxent.kernels.wlog import weighted_log1p

if not jit.available():
    pytest.skip("the compiled engine is not available: Numba is not installed (the 'fast' extra), "
                "failed its probe, or SYMXENT_JIT=0", allow_module_level=True)

from symxent.kernels import _jit_core as core  # noqa: E402
from symxent.kernels import _jit_wlog as jw  # noqa: E402


def test_switching_the_engine_off(monkeypatch):
    assert jit.engine() == "numba" and jit.load("wlog") is jw
    monkeypatch.setenv("SYMXENT_JIT", "0")
    assert jit.engine() == "numpy" and jit.load("wlog") is None


def test_probe_rejects_an_unfused_multiply_add():
    class Unfused:
        """The core, but with a * b + c rounded twice: what contraction-free non-FMA code does."""

        def __getattr__(self, name):
            return getattr(core, name)

        def probe(self, a, b, c):
            out = core.probe(a, b, c)
            out[0] = a * b + c
            return out

    class Contracting(Unfused):
        """The core, but with the plain expression a * b + c fused behind the code's back."""

        def probe(self, a, b, c):
            out = core.probe(a, b, c)
            out[5] = out[0]
            return out

    assert jit._probe_ok(core) and not jit._probe_ok(Unfused()) and not jit._probe_ok(Contracting())


_ANY = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ANY, min_size=0, max_size=3000))
@example([1e308, 1e308, -1e308, 2.0**-1074, -(2.0**-1074), 5e-324, 1.0, -1.0])
def test_superaccumulator_is_exact(xs):
    chunks = core.new_accumulator()
    core.acc_sum(np.array(xs, dtype=np.float64), chunks)
    assert core.accumulator_value(chunks) == sum(map(Fraction, xs), Fraction(0))


def test_superaccumulator_survives_many_large_equal_terms():
    x = np.full(200_000, -np.nextafter(2.0**1023, np.inf))  # every add hits the same two chunks
    chunks = core.new_accumulator()
    core.acc_sum(x, chunks)
    assert core.accumulator_value(chunks) == Fraction(float(x[0])) * x.size


_T = st.integers(-(2**53 - 1), 2**53 - 1).map(lambda m: m * 2.0**-67)  # every exact reduced t


@settings(max_examples=40, deadline=None)
@given(st.lists(_T, min_size=1, max_size=200), st.integers(0, 40))
def test_log1p_is_bit_identical_to_the_numpy_kernel(ts, shrink):
    t = np.array(ts) * 2.0**-shrink
    lh_ll = jw.log1p_dd(t)
    a, c, _ = weighted_log1p(t, np.ones_like(t), 8)  # w = 1: a = Lh, c = Ll
    assert np.array_equal(lh_ll[0], a) and np.array_equal(lh_ll[1], c)


def test_constant_pieces_sit_on_their_grids():
    tab, (l2h, l2m, l2l) = jw.constants_table()
    for hi, mid, low in [(l2h, l2m, l2l), *tab[1:, 1:].tolist()]:
        assert (Fraction(hi) * 2**42).denominator == 1 and (Fraction(mid) * 2**84).denominator == 1
        assert abs(mid) <= 2.0**-43 + 2.0**-85 and abs(low) <= 2.0**-85
    assert np.all(tab[tab[:, 0] == 2.0, 1:] == [-l2h, -l2m, -l2l])
    assert np.all(tab[tab[:, 0] == 1.0, 1:] == 0.0)


_X = st.one_of(
    st.floats(2.0**-1022, 1.0),
    st.floats(1.0, 1e308),
    st.sampled_from([1.0, 0.5, 2.0, 1 - 2.0**-53, 1 + 2.0**-52, 2.0**-1022, 1.7976931348623157e308]),
)
_WT = st.tuples(st.floats(0.5, 1.0, exclude_max=True), st.integers(-899, 899), st.booleans()).map(
    lambda v: (-1 if v[2] else 1) * v[0] * 2.0 ** v[1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_X, _WT), min_size=1, max_size=60))
@example([(0.5, 1.0), (0.25, 1.0)])
@example([(1.0, 3.0)])
def test_weighted_kernel_contains_the_reference(pairs):
    x = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs])
    got = jw.kernel_log_sum(x, w, 100)
    # negative weights occur inside the kernels (1 - w split in two); the reference takes w >= 0
    ref = reference_log_sum(x, np.maximum(w, 0.0), rel_bits=256) - reference_log_sum(
        x, np.maximum(-w, 0.0), rel_bits=256)
    if got is None:  # declined: cancellation (the bound really too weak at 100 bits), or weights
        # so small that the units of the block extraction would be subnormal
        assert abs(ref.lo) < Fraction(np.sum(np.abs(w))) * 2**-10 or np.max(np.abs(w)) < 2.0**-869
        return
    assert got.lo <= ref.lo and ref.hi <= got.hi
    assert got.hi - got.lo <= Fraction(1, 2**100) * max(1, abs(ref.lo))


def test_tiny_weights_are_left_to_the_numpy_kernel():
    x, w = np.array([0.5, 0.75]), np.array([2.0**-880, 2.0**-890])
    assert jw.kernel_log_sum(x, w, 100) is None
    from symxent import kernels

    got, ref = kernels.log_sum(x, w, rel_bits=100), reference_log_sum(x, w, rel_bits=256)
    assert got.lo <= ref.lo and ref.hi <= got.hi


@pytest.mark.parametrize("spread", [0, 40, 400])
def test_blocks_with_weights_of_many_sizes(spread):
    # one block holds weights from 2**-spread to 1: the small ones live in the low levels only
    rng = np.random.default_rng(spread)
    n = 3 * jw.BLOCK + 17
    x = rng.random(n) + 1e-3
    w = rng.random(n) * 2.0 ** -rng.integers(0, spread + 1, n).astype(float)
    got, ref = jw.kernel_log_sum(x, w, 110), reference_log_sum(x, w, rel_bits=256)
    assert got.lo <= ref.lo and ref.hi <= got.hi


def test_weighted_kernel_declines_a_cancelling_sum():
    x = np.array([0.5, np.nextafter(0.5, 1.0)])
    w = np.array([2.0**40, -(2.0**40)])  # |S| ~ 2**-12, but the bound is ~ 2**-115 sum |w| = 2**-74
    assert jw.kernel_log_sum(x, w, 112) is None


@pytest.mark.parametrize("n", [1, 7, 300, 5000])
def test_entropy_and_kl_agree_across_engines(n, monkeypatch):
    rng = np.random.default_rng(n)
    p, q = rng.random(n) + 1e-3, rng.random(n) + 1e-3
    p, q = p / p.sum(), q / q.sum()
    fast = losses.entropy(p), losses.kl_divergence(p, q)
    monkeypatch.setenv("SYMXENT_JIT", "0")
    slow = losses.entropy(p), losses.kl_divergence(p, q)
    for a, b in zip(fast, slow):
        assert a.float64 == b.float64 and a.digits >= 30
        assert max(a.enclosure.lo, b.enclosure.lo) <= min(a.enclosure.hi, b.enclosure.hi)
    ref = -reference_log_sum(p, p, rel_bits=256)
    assert fast[0].enclosure.lo <= ref.lo and ref.hi <= fast[0].enclosure.hi
    assert fast[0].float64 == ref.rounded("float64")


# ------------------------------------------------------------------ KL close part (klratio)

_Q = st.tuples(st.floats(0.5, 1.0, exclude_max=True), st.integers(-290, 290)).map(lambda v: v[0] * 2.0 ** v[1])
_U_STEP = st.one_of(st.integers(-(2**44), 2**44).map(lambda k: k * 2.0**-52),  # |u| <= 2**-8
                    st.integers(-52, -9).map(lambda k: 2.0**k), st.just(0.0))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_Q, _U_STEP), min_size=1, max_size=200))
def test_kl_close_rows_are_those_of_the_numpy_kernel(pairs):
    from symxent.kernels import _jit_klratio as jk
    from symxent.kernels.klratio import _chunk_terms, _close_mask

    q = np.array([a for a, _ in pairs])
    p = q * (1 + np.array([u for _, u in pairs]))
    d = p - q
    keep = _close_mask(q, d) & (p > 0)
    p, q, d = p[keep], q[keep], d[keep]
    if p.size == 0:
        return
    got, rho = jk.rows(p, q, d)
    want = np.empty((6, p.size))
    rho_np, _ = _chunk_terms(p, q, d, want)
    assert rho == rho_np and np.array_equal(got, want)


def test_a_child_forked_during_the_warm_up_uses_numpy(monkeypatch):
    import threading

    monkeypatch.setattr(jit, "_ready", threading.Event())
    monkeypatch.setattr(jit, "_thread", threading.current_thread())  # a warm-up "in progress"
    monkeypatch.setattr(jit, "_numpy_only", False)
    jit._after_fork_in_child()
    assert jit._numpy_only and jit.load("wlog") is None and not jit.available()


def test_load_does_not_wait_for_the_warm_up(monkeypatch):
    import threading

    monkeypatch.setattr(jit, "_ready", threading.Event())
    monkeypatch.setattr(jit, "_thread", threading.current_thread())  # started, not finished
    monkeypatch.delenv("SYMXENT_JIT", raising=False)
    assert jit.load("wlog") is None  # the NumPy kernels answer meanwhile
