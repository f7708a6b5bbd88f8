"""The mathematical oracle: each loss as defined, evaluated exactly, then certified.

Definitions (natural logarithms, ``0 log 0 = 0``, a positive weight on ``log 0`` gives +inf):

* ``bce``: ``-(y log q + (1 - y) log(1 - q))`` per element; from logits x,
  ``log(1 + e^x) - y x`` (the same number with ``q = sigmoid(x)``).
* ``cce``: ``-sum_c t_c w_c log q_c`` per row, with ``t`` the one-hot row of an integer label or
  the given soft row, smoothed to ``(1 - eps) t + eps/K``, ``w`` the class weights (all 1 by
  default); from logits ``q = softmax(x)``. Rows whose label is ``ignore_index`` are dropped.
  ``mean`` is the weighted mean ``sum_i loss_i / sum_i w_{y_i}`` for integer labels, else the
  mean over rows.
* ``kl``: ``sum p log(p/q)`` per row (no renormalisation); ``entropy``: ``-sum p log p``.
* ``gaussian_nll``: ``1/2 log(2 pi var) + (y - mu)^2 / (2 var)``, the full negative
  log-likelihood; ``poisson_nll``: ``lambda - y log lambda + log Gamma(y + 1)`` with
  ``lambda = e^x`` under ``log_input``; ``mse``: ``(y - yhat)^2``.

``mean`` divides by the number of samples (rows for ``cce``, ``kl``, ``entropy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np
import sympy as sp

from ..errors import DomainError, PrecisionError
from ..exact.enclosure import Enclosure
from ..exact.interval import enclose
from ..exact.rounding import FORMATS
from .problem import Problem
from .terms import Terms, exact_sum

__all__ = ["Certified", "certify", "exact_value", "math_terms", "reduce_terms", "LOG_2PI"]

_INF = float("inf")
_ESCALATIONS = 6


@dataclass(frozen=True)
class Certified:
    """A certified value: its enclosure, the decimal to ``digits`` and the rounded floats.

    ``decimal`` is None when the enclosure could not decide the digits (then ``value`` is its
    midpoint, good to the width of the enclosure).
    """

    enclosure: Enclosure
    digits: int
    decimal: str | None
    floats: dict

    @property
    def value(self) -> Fraction | float:
        e = self.enclosure
        return e.lo if e.lo == e.hi else (e.lo + e.hi) / 2 if e.is_finite else e.lo

    def __float__(self) -> float:
        f = self.floats.get("float64")
        return float(f) if f is not None else float(self.value)

    def __repr__(self) -> str:
        return f"Certified({str(self)!r}, digits={self.digits})"

    def __str__(self) -> str:
        return self.decimal if self.decimal is not None else f"[{float(self.enclosure.lo)!r}, {float(self.enclosure.hi)!r}]"


def certify(compute: Callable[[int], Enclosure], digits: int = 30, *, strict: bool = True) -> Certified:
    """Raise the precision of ``compute(rel_bits)`` until ``digits`` decimals and the float64,
    float32 and bfloat16 roundings are decided.

    >>> str(certify(lambda bits: Terms().log(np.array([0.5]), coef=-1).enclose(bits), 25))
    '0.6931471805599453094172321'
    """
    rel_bits = int(digits * 3.33) + 32
    for _ in range(_ESCALATIONS + 1):
        e = compute(rel_bits)
        dec = e.decimal(digits)
        floats = {name: e.rounded(name) for name in ("float64", "float32", "bfloat16")}
        if dec is not None and all(v is not None for v in floats.values()):
            return Certified(e, digits, dec, floats)
        rel_bits *= 2
    if strict:
        raise PrecisionError(f"could not certify {digits} digits: the enclosure [{float(e.lo)!r}, {float(e.hi)!r}] "
                             "still straddles a rounding boundary (the value may be exactly zero or a tie)")
    return Certified(e, digits, dec, floats)


def LOG_2PI(rel_bits: int) -> Enclosure:
    """An enclosure of ``log(2 pi)``."""
    return Enclosure(*enclose(sp.log(2 * sp.pi), rel_bits + 16))


# ---------------------------------------------------------------- per-measure definitions

def math_terms(p: Problem, rows: np.ndarray) -> Terms:
    """The sum over the samples ``rows`` of the mathematical loss, as exact terms."""
    return _DEFINITIONS[p.measure](p, rows)


def _bce(p: Problem, rows: np.ndarray) -> Terms:
    y, q = p.target[rows], p.prediction[rows]
    if p.logits:
        return bce_logits_terms(y, q)
    return Terms().log(q, y, coef=-1).log(q, y, coef=-1, complement=True, w_complement=True)


def bce_logits_terms(y: np.ndarray, x: np.ndarray) -> Terms:
    """``sum log(1 + e^x) - y x``."""
    t = Terms().lse(np.stack([np.zeros_like(x), x], axis=1))
    return t.const(-_dot_exact(y, x))


def cce_weights(p: Problem, rows: np.ndarray) -> tuple[np.ndarray | list[Fraction], np.ndarray]:
    """``(A, B)`` for ``loss = (1 - eps) L(A) + (eps/K) L(B)``: A holds ``w_c t_ic``, B holds ``w_c``,
    both as exact values (flattened row-major), over the non-ignored ``rows``."""
    pred = p.prediction[rows]
    n, k = pred.shape
    w = p.weight if p.weight is not None else np.ones(k)
    A: np.ndarray | list[Fraction]
    if p.integer_labels:
        a = np.zeros((n, k))
        a[np.arange(n), p.target[rows].astype(np.int64)] = w[p.target[rows].astype(np.int64)]
        A = a.ravel()
    elif p.weight is None:
        A = p.target[rows].ravel()
    else:
        A = [Fraction(wc) * Fraction(t) for t, wc in zip(p.target[rows].ravel().tolist(), np.tile(w, n).tolist())]
    return A, np.tile(w, n)


def kept_rows(p: Problem, rows: np.ndarray) -> np.ndarray:
    if p.integer_labels and p.ignore_index is not None:
        return rows[p.target[rows] != p.ignore_index]
    return rows


def cce_terms(p: Problem, rows: np.ndarray, pred: np.ndarray | None = None) -> Terms:
    """Categorical CE summed over ``rows`` with the prediction ``pred`` (default: the problem's)."""
    rows = kept_rows(p, rows)
    pred = (p.prediction if pred is None else pred)[rows]
    t = Terms()
    if rows.size == 0:
        return t
    eps = Fraction(p.label_smoothing)
    A, B = cce_weights(p, rows)
    parts = [(1 - eps, A)] + ([(eps / pred.shape[1], B)] if eps else [])
    for coef, weights in parts:
        if coef == 0:
            continue
        if p.logits:
            n, k = pred.shape
            row_sums = [exact_sum(np.asarray(weights, dtype=object)[i * k:(i + 1) * k]) for i in range(n)]
            t.lse(pred, row_sums, coef=coef)
            dot = _dot_exact(weights, pred.ravel())
            t.const(-dot if isinstance(dot, float) else -coef * dot)
        else:
            t.log(pred.ravel(), weights, coef=-coef)
    return t


def _dot_exact(weights, x: np.ndarray):
    """``sum w x`` exactly, with ``0 * (+-inf) = 0``; an infinity under a positive weight wins."""
    ws = [Fraction(v) for v in (weights.tolist() if isinstance(weights, np.ndarray) else weights)]
    total = Fraction(0)
    for wv, xv in zip(ws, x.tolist()):
        if wv == 0:
            continue
        if xv in (_INF, -_INF):
            return xv if wv > 0 else -xv
        total += wv * Fraction(xv)
    return total


def _cce(p: Problem, rows: np.ndarray) -> Terms:
    return cce_terms(p, rows)


def kl_terms(P: np.ndarray, Q: np.ndarray) -> Terms:
    """``sum p log(p/q)`` over the entries where p differs from q (the others are exactly 0)."""
    m = P != Q
    return Terms().log(P[m], P[m]).log(Q[m], P[m], coef=-1)


def _kl(p: Problem, rows: np.ndarray) -> Terms:
    return kl_terms(p.target[rows].ravel(), p.prediction[rows].ravel())


def js_terms(P: np.ndarray, Q: np.ndarray, *, renormalise: bool = False) -> Terms:
    """Jensen-Shannon ``(KL(P||M) + KL(Q||M))/2``, ``M = (P+Q)/2``, of one row, as exact terms.

    With sums ``s, t`` of P and Q (1 unless ``renormalise``) and ``a = p t + q s`` (dyadic),
    ``JS(P/s, Q/t) = sum p log p/(2s) + sum q log q/(2t) - sum a log a/(2st) + sum(M) log 2 + (log s + log t)/2``.
    """
    s, t = (exact_sum(P), exact_sum(Q)) if renormalise else (Fraction(1), Fraction(1))
    if s == 0 or t == 0:
        from .base import ConventionNaN
        raise ConventionNaN("a row sums to 0: renormalising divides 0 by 0")
    a = [Fraction(pv) * t + Fraction(qv) * s for pv, qv in zip(P.tolist(), Q.tolist())]
    a = [v for v in a if v != 0]
    terms = Terms().log(P, P, coef=1 / (2 * s)).log(Q, Q, coef=1 / (2 * t)).log_exact(a, a, coef=-1 / (2 * s * t))
    half = (exact_sum(P) / s + exact_sum(Q) / t) / 2  # sum M; 1 when renormalised
    return terms.log_exact([Fraction(2), s, t], [half, Fraction(1, 2), Fraction(1, 2)])


def _js(p: Problem, rows: np.ndarray) -> Terms:
    t = Terms()
    for i in rows.tolist():
        t.blocks.extend(js_terms(p.target[i], p.prediction[i]).blocks)
    return t


def _entropy(p: Problem, rows: np.ndarray) -> Terms:
    P = p.target[rows].ravel()
    return Terms().log(P, P, coef=-1)


def gaussian_terms(y: np.ndarray, mu: np.ndarray, var: np.ndarray, *, full: bool = True) -> Terms:
    """``sum 1/2 log var + (y - mu)^2 / (2 var)`` (+ ``1/2 log 2 pi`` each when ``full``)."""
    t = Terms().log(var, coef=Fraction(1, 2))
    t.const(sum(((Fraction(a) - Fraction(b)) ** 2 / (2 * Fraction(v))
                 for a, b, v in zip(y.tolist(), mu.tolist(), var.tolist())), Fraction(0)))
    if full:
        t.enclosure(LOG_2PI, coef=Fraction(y.size, 2))
    return t


def _gaussian(p: Problem, rows: np.ndarray) -> Terms:
    assert p.var is not None, "make_problem gives a gaussian_nll problem its variance"
    return gaussian_terms(p.target[rows], p.prediction[rows], p.var[rows])


def _poisson(p: Problem, rows: np.ndarray) -> Terms:
    y, x = p.target[rows], p.prediction[rows]
    t = Terms().lgamma1(y)
    if p.log_input:
        return t.exp(x).const(-_dot_exact(y, x))
    t.const(exact_sum(x))
    pos = y > 0
    return t.log(x[pos], y[pos], coef=-1)


def _mse(p: Problem, rows: np.ndarray) -> Terms:
    y, x = p.target[rows], p.prediction[rows]
    return Terms().const(sum(((Fraction(a) - Fraction(b)) ** 2 for a, b in zip(y.tolist(), x.tolist())),
                             Fraction(0)))


_DEFINITIONS = {"bce": _bce, "cce": _cce, "kl": _kl, "js": _js, "entropy": _entropy, "gaussian_nll": _gaussian,
                "poisson_nll": _poisson, "mse": _mse}


# ---------------------------------------------------------------- reductions

def math_divisor(p: Problem) -> Fraction:
    """What the mathematical ``mean`` divides by."""
    rows = np.arange(p.n_samples)
    if p.integer_labels:
        kept = kept_rows(p, rows)
        if p.weight is None:
            return Fraction(kept.size)
        return exact_sum(p.weight[p.target[kept].astype(np.int64)])
    return Fraction(p.n_samples)


def reduce_terms(p: Problem, terms_of: Callable[[np.ndarray], Terms], divisor: Fraction,
                 digits: int, *, strict: bool = True, base=None) -> Certified | list[Certified]:
    """Certify ``sum``, ``mean`` (``sum / divisor``) or each sample (``none``), in nats, or in
    ``base`` (divided by ``log base``) when it is given."""
    rows = np.arange(p.n_samples)

    def in_base(e: Enclosure, bits: int) -> Enclosure:
        return e if base is None else _divided(e, Enclosure(*enclose(sp.log(base), bits + 16)))

    def sample(i: int) -> Callable[[int], Enclosure]:
        return lambda bits: in_base(terms_of(np.array([i])).enclose(bits), bits)

    if p.reduction == "none":
        return [certify(sample(i), digits, strict=strict) for i in rows.tolist()]
    if p.reduction == "mean" and not divisor:
        raise DomainError("the mean over zero samples (all ignored, or zero total weight) is 0/0")
    scale = Fraction(1) if p.reduction == "sum" else 1 / divisor
    return certify(lambda bits: in_base(_scaled(terms_of(rows).enclose(bits), scale), bits), digits, strict=strict)


def _divided(e: Enclosure, d: Enclosure) -> Enclosure:
    """``e / d`` for an enclosure ``d`` of one sign (``log b`` with ``b != 1``)."""
    if not (d.lo > 0 or d.hi < 0):
        raise PrecisionError("log(base) could not be separated from 0")
    if not e.is_finite:
        return e if d.lo > 0 else -e
    quotients = [a / b for a in (e.lo, e.hi) for b in (d.lo, d.hi)]
    return Enclosure(min(quotients), max(quotients))


def _scaled(e: Enclosure, c: Fraction) -> Enclosure:
    return e.scale(c) if e.is_finite else e


def exact_value(p: Problem, digits: int = 30) -> Certified | list[Certified]:
    """The mathematical value of the problem, certified to ``digits`` digits.

    >>> from symxent.crosscheck.problem import make_problem
    >>> str(exact_value(make_problem("bce", [1, 0], [0.5, 0.5]), 20))
    '0.69314718055994530942'
    """
    return reduce_terms(p, lambda rows: math_terms(p, rows), math_divisor(p), digits, base=p.base)


def ulps_between(value: float, exact: Fraction | float, fmt: str) -> float:
    """``(value - exact) / ulp(exact)`` in the format ``fmt`` (inf when one side is infinite)."""
    from ..exact.rounding import ulp
    if isinstance(exact, float) or not np.isfinite(value):
        return 0.0 if value == exact else _INF
    return float((Fraction(value) - exact) / ulp(exact, FORMATS[fmt]))


__all__ += ["ulps_between", "math_divisor", "kl_terms", "js_terms", "cce_terms", "gaussian_terms", "bce_logits_terms",
            "kept_rows"]
