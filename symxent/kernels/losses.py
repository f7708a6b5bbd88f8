"""Certified losses over arrays, end to end: the mean as an enclosure, its certified digits, and
the correctly rounded float64.

Each loss is an exact combination of the two sums of :mod:`symxent.exact.sums` (which try the
fast kernels first and fall back to the exact reference path). The float64 is decided by rounding
both ends of the enclosure; if they differ, the sums are recomputed with ``rel_bits`` doubled, and
after that by the reference path alone; if even that cannot decide (an exact tie at a rounding
boundary would need infinitely many bits), ``float64`` is None. The same escalation applies
until at least ``MIN_DIGITS`` significant digits are certified (the sums' bound is relative to
``max(1, |S|)``, so a mean far below 1 may need more bits).

>>> import numpy as np
>>> r = mean_bce(np.array([1, 0]), np.array([0.5, 0.5]))
>>> r.float64, r.decimal(12)                       # log 2
(0.6931471805599453, '0.693147180560')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..errors import DomainError, ShapeError
from ..exact.enclosure import Enclosure, abs_bound
from ..exact.sums import log_sum, logsumexp_sum, reference_log_sum, reference_logsumexp_sum
from .eft import exact_sum
from .klratio import kl_log_ratio, looks_close

__all__ = ["CertifiedLoss", "mean_bce", "categorical_ce", "categorical_ce_logits", "kl_divergence",
           "entropy", "certified_digits"]

_ESCALATE = (112, 136)  # 112 bits: 30 digits with a margin; the log kernel certifies up to about 140
# the logsumexp kernel is double-double (about 2**-105 per row): 104 bits relative to sum |LSE_i|
# certifies 30 digits of the mean whenever the mean CE is not far below the mean |LSE|
_ESCALATE_LOGITS = (104, 112, 136)
_ESCALATE_SOFT = (104, 112, 136)  # BCE with soft labels (see mean_bce)
MIN_DIGITS = 30  # escalate until at least this many digits are certified (values far below 1)


def certified_digits(e: Enclosure, cap: int = 80) -> int:
    """The most significant decimal digits (up to ``cap``) that the enclosure decides.

    >>> certified_digits(Enclosure(Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**20)))
    19
    """
    if not e.is_finite:
        return cap if e.lo == e.hi else 0
    width = e.hi - e.lo
    if width == 0:
        return cap
    mag = max(abs_bound(e.lo), abs_bound(e.hi))
    if mag == 0:
        return 0
    d = max(1, min(cap, int(math.floor(math.log10(mag / width))) + 1))
    while d > 0 and e.decimal(d) is None:
        d -= 1
    return d


@dataclass(frozen=True)
class CertifiedLoss:
    """A loss value: ``enclosure`` of the exact mean, its ``float64`` (correctly rounded, or None
    if undecided), ``digits`` certified significant digits, and ``path`` ("kernel or reference
    via the dispatcher" / "log-ratio": KL when P and Q nearly coincide / "reference")."""

    enclosure: Enclosure
    float64: float | None
    digits: int
    path: str

    def decimal(self, digits: int) -> str | None:
        return self.enclosure.decimal(digits)


def _certify(compute: Callable[[int, bool], Enclosure], escalate: tuple[int, ...] = _ESCALATE,
             rescue: tuple[str, Callable[[], Enclosure | None]] | None = None,
             rescue_first: bool = False) -> CertifiedLoss:
    """``rescue``: ``(path, compute)``, another kernel for the same value (e.g. one that does not
    cancel), tried once: after the first rung when that does not decide, or before it with
    ``rescue_first``; the further rungs and the reference path follow if it does not decide."""

    def other() -> CertifiedLoss | None:
        assert rescue is not None  # called only when a rescue kernel was given
        enc = rescue[1]()
        if enc is None:
            return None
        value, digits = enc.rounded("float64"), certified_digits(enc)
        if value is not None and (digits >= MIN_DIGITS or not enc.is_finite):
            return CertifiedLoss(enc, float(value), digits, rescue[0])
        return None

    if rescue is not None and rescue_first:
        got = other()
        if got is not None:
            return got
    for i, bits in enumerate(escalate):
        enc = compute(bits, False)
        value, digits = enc.rounded("float64"), certified_digits(enc)
        if value is not None and (digits >= MIN_DIGITS or not enc.is_finite):
            return CertifiedLoss(enc, float(value), digits, "dispatcher")
        if i == 0 and rescue is not None and not rescue_first:
            got = other()
            if got is not None:
                return got
    ref = compute(2 * escalate[-1], True)
    value = ref.rounded("float64")
    return CertifiedLoss(ref, None if value is None else float(value), certified_digits(ref), "reference")


def _vector(a: Any, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ShapeError(f"{name} must be 1-D, got shape={arr.shape}")
    return arr


def mean_bce(y: Any, q: Any) -> CertifiedLoss:
    """Mean binary cross-entropy ``-(1/N) sum [y log q + (1 - y) log(1 - q)]`` in nats, exactly.

    ``y`` are labels in {0, 1} (or soft labels in [0, 1]); ``q`` probabilities, read as their
    exact binary values.

    >>> mean_bce([1], [0.25]).decimal(10)          # log 4
    '1.386294361'
    """
    ys, qs = _vector(y, "y").astype(np.float64), _vector(q, "q")
    if ys.shape != qs.shape:
        raise ShapeError(f"y has shape={ys.shape} but q has shape={qs.shape}")
    if ys.size == 0:
        raise ShapeError("y is empty: the mean of no terms is undefined")
    n = ys.size
    split = _hard_label_split(ys, qs)

    def compute(bits: int, reference: bool) -> Enclosure:
        if split is not None and not reference:
            s = log_sum(split[0], rel_bits=bits) + log_sum(split[1], complement=True, rel_bits=bits)
            return s.scale(Fraction(-1, n))
        f = reference_log_sum if reference else log_sum
        s = f(qs, ys, rel_bits=bits) + f(qs, ys, complement=True, w_complement=True, rel_bits=bits)
        return s.scale(Fraction(-1, n))

    # soft labels: every term has the same sign, so 104 bits of each sum certify 31 digits of the
    # mean; the compiled weighted kernel reaches that (not 114: its bound is 2**-115 per unit of
    # weight, about |S| 2**-115 here), and the NumPy one answers the next rungs
    return _certify(compute, _ESCALATE if split is not None else _ESCALATE_SOFT)


def _hard_label_split(ys: np.ndarray, qs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(q[y == 1], q[y == 0])`` when every label is 0 or 1 and every ``q`` a float64 in
    ``[0, 1]``; None otherwise (the weighted sums then validate and report).

    With hard labels ``sum y log q + (1 - y) log(1 - q)`` is exactly ``sum_{y=1} log q +
    sum_{y=0} log(1 - q)``: two unit-weight sums, each ``q`` entering one of them, so neither
    sum scans, validates or masks the weights of the other (the per-call costs of the weighted
    form). ``q`` is checked on all entries, as the weighted form checks it.

    >>> a, b = _hard_label_split(np.array([1.0, 0.0, 1.0]), np.array([0.25, 0.5, 0.75]))
    >>> a.tolist(), b.tolist()
    ([0.25, 0.75], [0.5])
    >>> _hard_label_split(np.array([0.5]), np.array([0.5])) is None
    True
    """
    if qs.dtype != np.float64 or not (qs.min() >= 0.0 and qs.max() <= 1.0):
        return None
    ones = ys == 1.0
    n1 = int(np.count_nonzero(ones))
    if n1 + int(np.count_nonzero(ys == 0.0)) != ys.size:
        return None
    return np.compress(ones, qs), np.compress(~ones, qs)


def categorical_ce(labels: Any, probs: Any) -> CertifiedLoss:
    """Mean categorical cross-entropy ``-(1/N) sum_i log P[i, y_i]`` from probabilities.

    >>> categorical_ce([0, 1], [[0.5, 0.5], [0.25, 0.75]]).decimal(10)   # (log 2 + log 4/3) / 2
    '0.4904146265'
    """
    lab, p = _labels(labels), np.asarray(probs)
    if p.ndim != 2 or p.shape[0] != lab.size:
        raise ShapeError(f"probs must have shape (N, K) with N={lab.size}, got shape={p.shape}")
    _check_labels(lab, p.shape[1])
    picked = p[np.arange(lab.size), lab]

    def compute(bits: int, reference: bool) -> Enclosure:
        f = reference_log_sum if reference else log_sum
        return f(picked, rel_bits=bits).scale(Fraction(-1, lab.size))

    return _certify(compute)


def categorical_ce_logits(labels: Any, logits: Any) -> CertifiedLoss:
    """Mean categorical cross-entropy from logits: ``(1/N) sum_i [LSE(z_i) - z_{i, y_i}]``.

    >>> categorical_ce_logits([0], [[0.0, 0.0]]).decimal(10)             # log 2
    '0.6931471806'
    """
    lab, z = _labels(labels), np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] != lab.size:
        raise ShapeError(f"logits must have shape (N, K) with N={lab.size}, got shape={z.shape}")
    _check_labels(lab, z.shape[1])
    picked = z[np.arange(lab.size), lab]
    if not np.all(np.isfinite(picked)):
        raise DomainError("the logit of a true label must be finite")
    exact_picked = _exact_total(picked)

    def compute(bits: int, reference: bool) -> Enclosure:
        f = reference_logsumexp_sum if reference else logsumexp_sum
        return (f(z, rel_bits=bits) - exact_picked).scale(Fraction(1, lab.size))

    return _certify(compute, _ESCALATE_LOGITS)


def _exact_total(v: np.ndarray) -> Fraction:
    """The exact sum of finite doubles (error-free extraction; Fractions where it cannot run)."""
    if v.size and float(np.max(np.abs(v))) > 2.0**900:
        return sum(map(Fraction, v.tolist()), Fraction(0))
    try:
        total, err = exact_sum(v)
    except ArithmeticError:  # entries so small that the extraction unit would be subnormal
        return sum(map(Fraction, v.tolist()), Fraction(0))
    assert err == 0
    return total


def kl_divergence(p: Any, q: Any) -> CertifiedLoss:
    """``KL(p || q) = sum p log p - sum p log q`` in nats, float weights read exactly.

    When ``p`` and ``q`` nearly coincide the two sums cancel; the log-ratio kernel
    (:mod:`symxent.kernels.klratio`, path ``"log-ratio"``) then answers before the reference path
    (first, when a sample of the elements is within ``2**-8`` relative).

    >>> kl_divergence([0.5, 0.5], [0.25, 0.75]).decimal(10)
    '0.1438410362'
    >>> r = kl_divergence([0.25, 0.75], [0.25 + 2.0**-40, 0.75 - 2.0**-40])
    >>> r.path, r.digits >= 30
    ('log-ratio', True)
    """
    ps, qs = _vector(p, "p").astype(np.float64, copy=False), _vector(q, "q").astype(np.float64, copy=False)
    if ps.shape != qs.shape:
        raise ShapeError(f"p has shape={ps.shape} but q has shape={qs.shape}")

    def compute(bits: int, reference: bool) -> Enclosure:
        f = reference_log_sum if reference else log_sum
        return f(ps, ps, rel_bits=bits) - f(qs, ps, rel_bits=bits)

    # a sample all close (|p - q| <= 2**-8 q): the log ratio is cheaper than the two sums and does
    # not cancel, so it goes first; otherwise it is the second rung
    return _certify(compute, rescue=("log-ratio", lambda: kl_log_ratio(ps, qs, _ESCALATE[0])),
                    rescue_first=looks_close(ps, qs))


def entropy(p: Any) -> CertifiedLoss:
    """Shannon entropy ``-sum p log p`` in nats.

    >>> entropy([0.5, 0.25, 0.25]).decimal(10)       # 1.5 log 2
    '1.039720771'
    """
    ps = _vector(p, "p").astype(np.float64, copy=False)

    def compute(bits: int, reference: bool) -> Enclosure:
        f = reference_log_sum if reference else log_sum
        return -f(ps, ps, rel_bits=bits)

    return _certify(compute)


def _labels(labels: Any) -> np.ndarray:
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.dtype.kind not in "iu":
        raise ShapeError(f"labels must be a 1-D integer array, got dtype={lab.dtype.name!r} shape={lab.shape}")
    if lab.size == 0:
        raise ShapeError("labels is empty: the mean of no terms is undefined")
    return lab


def _check_labels(lab: np.ndarray, k: int) -> None:
    bad = (lab < 0) | (lab >= k)
    if bad.any():
        i = int(np.argmax(bad))
        raise DomainError(f"labels[{i}]={int(lab[i])!r} is not a class index in [0, {k})")
