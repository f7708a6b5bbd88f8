"""dit: ``shannon.entropy``, ``divergences.cross_entropy``, ``kullback_leibler_divergence`` and
``jensen_shannon_divergence``, called for real on one ``dit.Distribution`` per row.

Conventions (dit 2.3): every result is in bits whatever the base asked (the report compares it
with the exact value in bits and says so); a pmf is taken as given, not renormalised; the
cross-entropy is ``-nansum(p * log2(q))``, so ``0 log 0`` is skipped as NaN, and the KL
divergence is formed as ``cross_entropy - entropy``, a difference of two rounded numbers that
cancels when P is close to Q.
"""

from __future__ import annotations

import numpy as np

from .base import Case, importable
from .oracle import math_divisor, math_terms
from .problem import Problem

__all__ = ["NAME", "available", "version", "cases"]

NAME = "dit"


def available() -> bool:
    return importable("dit")


def version() -> str:
    import dit
    return dit.__version__


def _distribution(row: np.ndarray):
    import dit
    values = [float(v) for v in row.astype(np.float64).tolist()]
    # trim=False keeps zero-probability outcomes, so P and Q share their sample space
    return dit.Distribution([str(i) for i in range(len(values))], values, trim=False)


def _per_row(p: Problem, f):
    def call():
        with np.errstate(all="ignore"):
            inputs = (p.target,) if p.measure == "entropy" else (p.target, p.prediction)
            out = np.array([f(*rows) for rows in zip(*(np.atleast_2d(a) for a in inputs))], dtype=np.float64)
        return {"mean": np.mean, "sum": np.sum}.get(p.reduction, lambda v: v)(out)
    return call


def _case(p: Problem, function: str, f, note: str = "") -> Case:
    return Case(NAME, function, version(), _per_row(p, f), lambda rows: math_terms(p, rows), math_divisor(p), note,
                "float64", result_base=2)


def cases(p: Problem) -> list[Case]:
    if p.logits or p.dtype == "bfloat16" or p.measure not in _CALLS:
        return []
    if p.measure == "cce" and (p.integer_labels or p.weight is not None or p.label_smoothing):
        return []
    function, f, note = _CALLS[p.measure]()
    return [_case(p, function, f, note)]


def _entropy():
    import dit
    return "shannon.entropy(d)", lambda P: dit.shannon.entropy(_distribution(P)), ""


def _cross_entropy():
    import dit
    return ("divergences.cross_entropy(d1, d2)",
            lambda P, Q: dit.divergences.cross_entropy(_distribution(P), _distribution(Q)), "")


def _kl():
    import dit
    return ("divergences.kullback_leibler_divergence(d1, d2)",
            lambda P, Q: dit.divergences.kullback_leibler_divergence(_distribution(P), _distribution(Q)),
            "formed as cross-entropy minus entropy, two rounded numbers")


def _js():
    import dit
    return ("divergences.jensen_shannon_divergence([d1, d2])",
            lambda P, Q: dit.divergences.jensen_shannon_divergence([_distribution(P), _distribution(Q)]), "")


_CALLS = {"entropy": _entropy, "cce": _cross_entropy, "kl": _kl, "js": _js}
