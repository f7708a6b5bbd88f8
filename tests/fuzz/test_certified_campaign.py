"""Certified means certified: every digit string of ``evaluate`` is the correct rounding of an
independent mpmath reference computed at three times the precision, and every kernel interval
contains a reference computed at twice its precision, on adversarial inputs.

The references are computed here from the exact inputs (Fractions and floats) with mpmath's own
functions, not from symxent's expressions or enclosures. ``--fuzz-long`` runs 250 times the
examples (25 000 for the evaluator).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symxent import evaluate, measures
from symxent.kernels import losses
from .tally import record

BASES = {"e": sp.E, "2": sp.Integer(2), "10": sp.Integer(10), "3": sp.Integer(3), "3/2": sp.Rational(3, 2)}


def _settings(n: int, scale: int):
    return settings(max_examples=n * scale, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


# ---- exact distributions of every spelling: fractions, short decimals, floats' binary values, extremes
_weights = st.one_of(st.integers(1, 10**6), st.sampled_from([1, 10**-30, 10**-300, 1 - 2**-53, 2**-1074]))


@st.composite
def distributions(draw, n=None):
    k = n or draw(st.integers(2, 5))
    kind = draw(st.sampled_from(["fraction", "decimal", "float", "extreme"]))
    if kind == "fraction":
        w = [Fraction(draw(st.integers(1, 10**6))) for _ in range(k)]
        s = sum(w)
        return [x / s for x in w]
    if kind == "decimal":
        cuts = sorted(draw(st.lists(st.integers(1, 999), min_size=k - 1, max_size=k - 1, unique=True)))
        edges = [0, *cuts, 1000]
        return [Fraction(b - a, 1000) for a, b in zip(edges, edges[1:])]
    if kind == "float":
        xs = [draw(st.floats(1e-12, 1.0)) for _ in range(k - 1)]
        total = sum(Fraction(x) for x in xs)
        if total >= 1:
            xs = [x / (2 * float(total)) for x in xs]
        rest = 1 - sum(Fraction(x) for x in xs)
        return [Fraction(x) for x in xs] + [rest]
    tiny = Fraction(draw(st.sampled_from([1, 3, 7])), 10 ** draw(st.sampled_from([30, 100, 300])))
    return [tiny] + [(1 - tiny) / (k - 1)] * (k - 1)


def _mp(x: Fraction):
    return mpmath.mpf(x.numerator) / x.denominator


def _log(x: Fraction, base):
    # near 1, log1p of the exact complement: log(1 - 7e-100) is -7e-100, not the 0 of log(1.0)
    v = mpmath.log1p(_mp(x - 1)) if Fraction(1, 2) < x < 2 else mpmath.log(_mp(x))
    return v if base is sp.E else v / mpmath.log(_mp(Fraction(str(base))))


def _reference(measure: str, P, Q, base) -> mpmath.mpf:
    if measure == "entropy":
        return -mpmath.fsum(_mp(p) * _log(p, base) for p in P if p)
    if measure == "cross-entropy":
        return -mpmath.fsum(_mp(p) * _log(q, base) for p, q in zip(P, Q) if p)
    if measure == "kl":
        return mpmath.fsum(_mp(p) * (_log(p, base) - _log(q, base)) for p, q in zip(P, Q) if p)
    M = [(p + q) / 2 for p, q in zip(P, Q)]
    return (_reference("kl", P, M, base) + _reference("kl", Q, M, base)) / 2


def _symxent(measure: str, P, Q, base):
    p = [sp.Rational(x.numerator, x.denominator) for x in P]
    q = [sp.Rational(x.numerator, x.denominator) for x in Q]
    if measure == "entropy":
        return measures.entropy(p, base=base)
    return {"cross-entropy": measures.cross_entropy, "kl": measures.kl_divergence,
            "js": measures.js_divergence}[measure](p, q, base=base)


def _is_correct_rounding(text: str, digits: int, ref: mpmath.mpf) -> bool:
    """``text`` is ``ref`` rounded to ``digits`` significant digits (a tie either way is fine)."""
    value = mpmath.mpf(text)
    if value == 0:
        return abs(ref) < mpmath.mpf(10) ** (-(mpmath.mp.dps // 2))
    exponent = int(mpmath.floor(mpmath.log10(abs(value))))
    half_ulp = mpmath.mpf(10) ** (exponent - digits + 1) / 2
    slack = abs(ref) * mpmath.mpf(10) ** (-(mpmath.mp.dps - 5))
    return abs(value - ref) <= half_ulp + slack


def test_evaluate_digits_equal_an_independent_reference(fuzz_scale):
    @_settings(100, fuzz_scale)
    @given(st.sampled_from(["entropy", "cross-entropy", "kl", "js"]), st.data(), st.sampled_from(sorted(BASES)),
           st.integers(1, 60))
    def check(measure, data, base_name, digits):
        P = data.draw(distributions())
        Q = data.draw(distributions(len(P)))
        base = BASES[base_name]
        got = evaluate(_symxent(measure, P, Q, base), digits)
        with mpmath.workdps(3 * digits + 330):  # 3x the digits, plus room for terms cancelling from 1e-300
            ref = _reference(measure, P, Q, base)
            assert _is_correct_rounding(str(got), digits, ref), (measure, P, Q, base, str(got), ref)
            assert got.lower <= _fraction(ref) + _fraction(abs(ref)) / 10**(digits + 5) or got.is_exact
            assert float(got) == float(ref) or _near_float_tie(ref)
        record("certified evaluate", "exact" if got.is_exact else "correctly rounded")
    check()


def _fraction(x: mpmath.mpf) -> Fraction:
    """The exact value of an mpf (its mantissa and exponent, no rounding)."""
    x = mpmath.mpf(x)
    man, exp = x.man_exp  # the mantissa without its sign
    return (-1 if x < 0 else 1) * Fraction(int(man)) * Fraction(2) ** int(exp)


def _near_float_tie(ref: mpmath.mpf) -> bool:
    """``ref`` so close to the midpoint of two float64 that the reference cannot decide."""
    f = float(ref)
    step = np.spacing(abs(f)) if f else 5e-324
    return abs(abs(ref - f) - mpmath.mpf(step) / 2) < abs(ref) * mpmath.mpf(2) ** -150


# ---- kernels: intervals contain a reference at twice their precision
_probs = st.one_of(st.floats(2.0**-1022, 1.0, exclude_max=True), st.sampled_from(
    [1e-300, 2.0**-1022, 1 - 2.0**-53, 0.5, 1e-17, 0.9999999999, 5e-324, 1e-310]))


def _contains(loss: losses.CertifiedLoss, ref: mpmath.mpf) -> bool:
    lo, hi = loss.enclosure.lo, loss.enclosure.hi
    r = _fraction(ref) if ref else Fraction(0)
    err = abs(r) / 2**200 + Fraction(1, 2**400)
    return lo - err <= r <= hi + err


def test_kernel_bce_interval_contains_the_reference(fuzz_scale):
    @_settings(40, fuzz_scale)
    @given(st.lists(st.tuples(st.sampled_from([0.0, 1.0]), _probs), min_size=1, max_size=40))
    def check(pairs):
        y = np.array([a for a, _ in pairs])
        q = np.array([b for _, b in pairs])
        loss = losses.mean_bce(y, q)
        with mpmath.workprec(2 * 136 + 64):
            ref = -mpmath.fsum(mpmath.log(b) if a else mpmath.log1p(-mpmath.mpf(b)) for a, b in pairs) / len(pairs)
            assert _contains(loss, ref), (pairs, loss, ref)
        record("certified kernel mean_bce", "contains the reference")
    check()


def test_kernel_entropy_and_kl_intervals_contain_the_reference(fuzz_scale):
    @_settings(40, fuzz_scale)
    @given(st.lists(st.tuples(_probs, _probs), min_size=1, max_size=40))
    def check(pairs):
        p = np.array([a for a, _ in pairs])
        q = np.array([b for _, b in pairs])
        h, kl = losses.entropy(p), losses.kl_divergence(p, q)
        with mpmath.workprec(2 * 136 + 64):
            ref_h = -mpmath.fsum(mpmath.mpf(a) * mpmath.log(a) for a in p.tolist())
            ref_kl = mpmath.fsum(mpmath.mpf(a) * (mpmath.log(a) - mpmath.log(b)) for a, b in pairs)
            assert _contains(h, ref_h) and _contains(kl, ref_kl), (pairs, h, kl)
        record("certified kernel entropy+kl", "contains the reference")
    check()


def test_kernel_logits_interval_contains_the_reference(fuzz_scale):
    logits = st.one_of(st.floats(-800, 800), st.sampled_from([0.0, -745.0, 709.0, 1e-300, 2.0**44]))

    @_settings(30, fuzz_scale)
    @given(st.integers(2, 6).flatmap(lambda k: st.lists(
        st.tuples(st.integers(0, k - 1), st.lists(logits, min_size=k, max_size=k)), min_size=1, max_size=10)))
    def check(rows):
        labels = np.array([a for a, _ in rows])
        z = np.array([b for _, b in rows])
        loss = losses.categorical_ce_logits(labels, z)
        with mpmath.workprec(2 * 136 + 64):
            ref = mpmath.fsum(mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zs)) - zs[a] for a, zs in rows) / len(rows)
            assert _contains(loss, ref), (rows, loss, ref)
        record("certified kernel ce_logits", "contains the reference")
    check()
