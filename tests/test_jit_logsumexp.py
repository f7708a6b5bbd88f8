"""The compiled logsumexp rows: the same per-element terms as the NumPy kernel bit for bit, exact
row sums within their bound, enclosures that contain the reference path at twice the precision,
and ``SYMXENT_JIT=0`` taking the NumPy rows. Skipped where Numba is absent or fails the probe."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("numba")

from symxent.exact.sums import reference_logsumexp_sum  # noqa: E402
from symxent.kernels import jit  # noqa: E402
from symxent.kernels import logsumexp as lse  # noqa: E402

pytestmark = pytest.mark.skipif(not jit.available(), reason="no usable compiled engine here")

NEG_INF = float("-inf")


def _compiled():
    mod = jit.load("logsumexp")
    assert mod is not None
    return mod


def _assert_same_terms(z: np.ndarray) -> None:
    """Bit-identical terms; a difference is allowed only where an exact product underflows
    (``0 < |z - m| < 2**-480``), and then by at most ``2**-1000`` (the bound's allowance)."""
    m = z.max(axis=1)
    ref = lse._terms(np.maximum(z, (m - lse.CUT)[:, None]), m)
    got = _compiled().terms(z, m)
    d = np.abs(z - m[:, None])
    underflow = (d > 0) & (d < 2.0**-480)
    for name, a, b in zip(("W1", "a2", "W2", "tiny"), ref, got):
        differ = a.view(np.int64) != b.view(np.int64)
        assert not (differ & ~underflow).any(), (name, np.argwhere(differ & ~underflow)[:5])
        assert np.all(np.abs(a - b)[differ] <= 2.0**-1000), name


def _adversarial(seed: int, rows: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((rows, k)) * rng.choice([1e-9, 1.0, 30.0, 1e6], (rows, 1))
    z[:, 0] = 0.0
    if k > 1:
        z[rows // 2, 1] = NEG_INF
    z[0, ::5] = z[0, 0]  # ties with the maximum
    if k > 3:
        z[-1, 2] = -89.99  # just inside the clamp
        z[-1, 3] = -90.01  # clamped (below m - 90)
    return z


@pytest.mark.parametrize("seed, rows, k", [(0, 16, 1000), (1, 3, 7), (2, 1, 100_000), (3, 40, 50), (4, 2, 3000)])
def test_terms_are_the_numpy_doubles(seed, rows, k):
    _assert_same_terms(_adversarial(seed, rows, k))


@pytest.mark.parametrize("z", [
    [[1e-200, 2e-200, -3e-200]],                    # products underflow
    [[1e-160, 2e-160, 0.0, 5e-324]],                # subnormal squares
    [[2.0**43, 2.0**43 - 1000.0, -(2.0**43)]],      # huge logits: all but the maximum clamped
    [[700.0, -745.0, 1000.0, -1000.0, 89.99, 90.0, 90.01]],
    [[NEG_INF, 0.0, NEG_INF, -0.0]],                # exp(-inf) = 0 and signed zeros
    [[90.0, -0.0, 0.0, 0.0 - 2.0**-52]],            # the clamp lands on zero
])
def test_terms_on_edge_rows(z):
    _assert_same_terms(np.array(z))


_value = st.one_of(
    st.floats(-1000, 1000, allow_nan=False),
    st.sampled_from([NEG_INF, 0.0, -0.0, 5e-324, 1e-300, 1e-160, 89.99, 90.0, -90.0, 90.01, 700.0, -745.0,
                     1.0 - 2.0**-53, 2.0**40]),
    st.integers(-60, 60).map(float),
)


@st.composite
def _logits(draw):
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 30))
    z = np.array([[draw(_value) for _ in range(k)] for _ in range(n)], dtype=np.float64)
    for i in range(n):
        if np.all(z[i] == NEG_INF):
            z[i, 0] = draw(st.sampled_from([0.0, 3e8, -1e-200]))
    return z


@settings(max_examples=40, deadline=None)
@given(_logits())
def test_terms_hypothesis(z):
    _assert_same_terms(z)


def _exact_row_sums(z: np.ndarray) -> list[Fraction]:
    m = z.max(axis=1)
    terms = lse._terms(np.maximum(z, (m - lse.CUT)[:, None]), m)
    return [sum(map(Fraction, np.concatenate([t[i] for t in terms]).tolist()), Fraction(0)) for i in range(len(m))]


@pytest.mark.parametrize("seed, rows, k", [(5, 4, 300), (6, 2, 2500), (7, 3, 1024), (8, 1, 1)])
def test_row_sums_hold_the_exact_sum_of_the_terms(seed, rows, k):
    """Step 6: ``|sum of the terms - Sh - Sl| <= err`` against exact rationals, ``|Sl| <= u Sh``;
    2500 and 1024 columns cross and meet the block boundary of the int64 limbs."""
    z = _adversarial(seed, rows, k)
    sh, sl, err = _compiled().row_sums(z, z.max(axis=1))
    for i, exact in enumerate(_exact_row_sums(z)):
        assert abs(exact - Fraction(sh[i]) - Fraction(sl[i])) <= Fraction(err[i])
        assert abs(sl[i]) <= 2.0**-53 * sh[i]
        assert err[i] <= 2.0**-100 * sh[i]


@pytest.mark.parametrize("k", [1, 1023, 1024, 1025, 5000, 100_000])
def test_rows_of_equal_logits_sum_to_k_exactly(k):
    """Every term is exactly 1 (the largest per-element limb values): the carries between
    blocks and limbs must give ``S = K`` with nothing left over."""
    sh, sl, _ = _compiled().row_sums(np.full((2, k), -3.25), np.full(2, -3.25))
    assert sh.tolist() == [float(k)] * 2 and sl.tolist() == [0.0, 0.0]


def _contains(z: np.ndarray, w: np.ndarray | None, bits: int) -> None:
    got = lse.logsumexp_sum(z, w, rel_bits=bits)
    assert got is not None
    ref = reference_logsumexp_sum(z, w, rel_bits=256)  # the reference path well beyond the kernel
    if not ref.is_finite:
        assert got == ref
        return
    assert got.lo <= ref.lo and ref.hi <= got.hi, (got, ref)
    assert got.hi - got.lo <= Fraction(1, 2**bits) * max(1, abs(ref.lo))


@settings(max_examples=40, deadline=None)
@given(_logits(), st.one_of(st.none(), st.lists(st.sampled_from([0.5, 1.0, 3.0, 1e-3]), min_size=4, max_size=4)),
       st.sampled_from([64, 100]))
def test_compiled_enclosure_contains_the_reference(z, w, bits):
    _contains(z, None if w is None else np.array(w[: z.shape[0]]), bits)


def test_the_compiled_rows_answer(monkeypatch):
    mod, calls = _compiled(), []
    real = mod.row_sums
    monkeypatch.setattr(mod, "row_sums", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(lse, "_numpy_rows", lambda *a: pytest.fail("NumPy rows used"))
    _contains(_adversarial(9, 5, 200), None, 100)
    assert calls


def test_symxent_jit_0_takes_the_numpy_rows(monkeypatch):
    z = _adversarial(10, 6, 400)
    compiled = lse.logsumexp_sum(z, rel_bits=100)
    monkeypatch.setenv("SYMXENT_JIT", "0")
    assert not jit.available() and jit.load("logsumexp") is None and jit.engine() == "numpy"
    calls = []
    real = lse._numpy_rows
    monkeypatch.setattr(lse, "_numpy_rows", lambda *a: calls.append(1) or real(*a))
    numpy_path = lse.logsumexp_sum(z, rel_bits=100)
    assert calls
    ref = reference_logsumexp_sum(z, rel_bits=200)
    for got in (compiled, numpy_path):
        assert got.lo <= ref.lo and ref.hi <= got.hi
    assert abs(compiled.lo - numpy_path.lo) <= Fraction(1, 2**100) * abs(ref.lo)
