"""The reference certified sums: known values, conventions, errors, and containment of a
reference computed independently at twice the precision."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from symxent.errors import DomainError, ShapeError
from symxent.exact.enclosure import Enclosure
from symxent.exact.interval import to_fraction
from symxent.exact.sums import log_sum, logsumexp_sum, reference_log_sum, reference_logsumexp_sum

NEG_INF = float("-inf")


def _exact(v) -> Fraction:
    return to_fraction(v._mpf_)


def _ref_log_sum(x, w, complement, w_complement, prec):
    with mpmath.workprec(prec):
        total = mpmath.mpf(0)
        for xi, wi in zip(x.tolist(), w.tolist()):
            weight = (1 - mpmath.mpf(wi)) if w_complement else mpmath.mpf(wi)
            if weight == 0:
                continue
            # log1p(-x): 1 - x itself would round to 1 at prec bits for x below 2**-prec
            value = mpmath.log1p(-mpmath.mpf(xi)) if complement else mpmath.log(mpmath.mpf(xi))
            total += weight * value
        return total


def _within(e: Enclosure, value, slack_bits: int) -> bool:
    v = _exact(value)
    pad = abs(v) * Fraction(1, 2**slack_bits) + Fraction(1, 2**(2 * slack_bits))
    return e.lo - pad <= v <= e.hi + pad


B01 = 0.1  # its binary value, 0.1000000000000000055511151231257827...


@pytest.mark.parametrize("x, w, kwargs, truth", [
    ([0.5, 0.25], None, {}, lambda: -3 * mpmath.log(2)),
    ([0.75], None, {"complement": True}, lambda: mpmath.log(mpmath.mpf(1) / 4)),
    ([B01], [B01], {"w_complement": True}, lambda: (1 - mpmath.mpf(B01)) * mpmath.log(mpmath.mpf(B01))),
    ([B01], None, {"complement": True}, lambda: mpmath.log(1 - mpmath.mpf(B01))),
    ([0.0, 0.5], [0.0, 2.0], {}, lambda: 2 * mpmath.log(0.5)),
    ([1e-300, 1e-300], [3.0, 0.5], {}, lambda: mpmath.mpf(3.5) * mpmath.log(mpmath.mpf(1e-300))),
])
def test_known_values(x, w, kwargs, truth):
    e = reference_log_sum(np.array(x), None if w is None else np.array(w), **kwargs)
    with mpmath.workprec(400):
        value = truth()
        assert e.contains(_exact(value))
        assert e.decimal(30) == mpmath.nstr(value, 30, min_fixed=-5, max_fixed=30, strip_zeros=False)
    assert e.hi - e.lo <= Fraction(1, 2**128) * max(1, abs(e.lo))


def test_log_of_one_is_exactly_zero():
    assert reference_log_sum(np.array([1.0, 1.0])) == Enclosure(0, 0)


def test_conventions_and_infinities():
    assert reference_log_sum(np.array([0.0]), np.array([1.0])) == Enclosure(NEG_INF, NEG_INF)
    assert reference_log_sum(np.array([1.0]), complement=True) == Enclosure(NEG_INF, NEG_INF)
    assert reference_log_sum(np.array([1.0]), np.array([1.0]), complement=True, w_complement=True) == Enclosure(0, 0)
    assert reference_logsumexp_sum(np.array([[NEG_INF, NEG_INF]])) == Enclosure(NEG_INF, NEG_INF)
    assert reference_logsumexp_sum(np.array([[NEG_INF, NEG_INF]]), np.array([0.0])) == Enclosure(0, 0)
    assert reference_logsumexp_sum(np.array([[3.0, NEG_INF]])) == Enclosure(3, 3)
    e = reference_logsumexp_sum(np.array([[1000.0, -1000.0]]))  # 1000 + log(1 + e^-2000)
    assert e.lo >= 1000 and e.hi > 1000 and e.hi - e.lo <= Fraction(1000, 2**128)


@pytest.mark.parametrize("call, message", [
    (lambda: reference_log_sum(np.array([0.5, np.nan])), r"x\[1\]=nan"),
    (lambda: reference_log_sum(np.array([-0.5])), r"x\[0\]=-0.5"),
    (lambda: reference_log_sum(np.array([1.5]), complement=True), r"x\[0\]=1.5"),
    (lambda: reference_log_sum(np.array([0.5]), np.array([-1.0])), r"w\[0\]=-1.0"),
    (lambda: reference_log_sum(np.array([0.5]), np.array([1.5]), w_complement=True), r"w\[0\]=1.5"),
    (lambda: reference_logsumexp_sum(np.array([[0.0, np.inf]])), r"z\[0, 1\]=inf"),
    (lambda: reference_logsumexp_sum(np.array([[0.0, np.nan]])), r"z\[0, 1\]=nan"),
])
def test_domain_errors_name_the_index(call, message):
    with pytest.raises(DomainError, match=message):
        call()


def test_shapes():
    with pytest.raises(ShapeError):
        reference_log_sum(np.array([0.5]), np.array([1.0, 1.0]))
    with pytest.raises(ShapeError):
        reference_logsumexp_sum(np.array([0.5]))


def test_float32_and_bfloat16_are_read_exactly():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    x32 = np.array([0.1], dtype=np.float32)
    xb = np.array([0.1], dtype=ml_dtypes.bfloat16)
    for arr in (x32, xb):
        e = reference_log_sum(arr)
        exact = Fraction(float(arr[0]))
        with mpmath.workprec(300):
            assert _within(e, mpmath.log(mpmath.mpf(float(arr[0]))), 250)
        assert exact != Fraction(1, 10)


def test_public_functions_match_reference():
    x, w = np.array([0.2, 0.2, 0.7]), np.array([1.0, 0.5, 3.0])
    a, b = log_sum(x, w), reference_log_sum(x, w)
    assert a.lo <= b.hi and b.lo <= a.hi
    z = np.array([[0.5, -2.0, 3.0], [0.5, -2.0, 3.0]])
    a, b = logsumexp_sum(z), reference_logsumexp_sum(z)
    assert a.lo <= b.hi and b.lo <= a.hi


_probs = st.floats(min_value=0.0, max_value=1.0, allow_subnormal=True)
_weights = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_probs, _weights), min_size=1, max_size=8), st.booleans(), st.booleans())
def test_log_sum_contains_double_precision_reference(pairs, complement, w_complement):
    x, w = np.array([p for p, _ in pairs]), np.array([v for _, v in pairs])
    e = reference_log_sum(x, w, complement=complement, w_complement=w_complement, rel_bits=64)
    if not e.is_finite:
        assert e.hi == NEG_INF
        return
    truth = _ref_log_sum(x, w, complement, w_complement, 2 * 64 + 64)
    assert _within(e, truth, 120)
    assert e.hi - e.lo <= Fraction(1, 2**64) * max(1, abs(e.lo), abs(e.hi)) * 2


_logits = st.one_of(st.floats(min_value=-1e4, max_value=1e4), st.just(NEG_INF))


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=5), elements=_logits))
def test_logsumexp_sum_contains_double_precision_reference(z):
    e = reference_logsumexp_sum(z, rel_bits=64)
    if np.any(np.all(z == NEG_INF, axis=1)):
        assert e.hi == NEG_INF
        return
    with mpmath.workprec(200):
        truth = mpmath.mpf(0)
        for row in z.tolist():
            m = max(row)
            truth += m + mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v) - m) for v in row if v != NEG_INF))
    assert _within(e, truth, 150)


def test_dispatch_prefers_a_kernel_and_falls_back_on_none(monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("symxent.kernels")

    def fake_log_sum(x, w, *, complement, w_complement, rel_bits):
        calls.append(("log_sum", complement, w_complement, rel_bits))
        return Enclosure(-1, -1)

    def fake_logsumexp_sum(z, w, *, rel_bits):
        calls.append(("logsumexp_sum", rel_bits))
        return None  # cannot certify: the reference path must answer

    fake.log_sum, fake.logsumexp_sum = fake_log_sum, fake_logsumexp_sum
    monkeypatch.setitem(sys.modules, "symxent.kernels", fake)
    assert log_sum(np.array([0.5]), rel_bits=70) == Enclosure(-1, -1)
    z = np.array([[0.0, 0.0]])
    assert logsumexp_sum(z) == reference_logsumexp_sum(z)
    assert calls == [("log_sum", False, False, 70), ("logsumexp_sum", 128)]
