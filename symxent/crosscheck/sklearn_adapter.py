"""scikit-learn: ``metrics.log_loss``, called for real.

Convention (scikit-learn 1.9): a 1-D prediction is the positive class and the negative class
is ``1 - p`` computed in floating point; predictions are clipped to ``[eps, 1 - eps]`` with
``eps = finfo(dtype).eps``; rows are not renormalised; the result is the mean over samples
(``normalize=True``) or the sum (``normalize=False``), returned as a Python float.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .base import Case, clip_exact, float_complement, importable, one_hot
from .problem import Problem
from .terms import Terms

__all__ = ["NAME", "available", "version", "cases"]

NAME = "sklearn"


def available() -> bool:
    return importable("sklearn")


def version() -> str:
    import sklearn
    return sklearn.__version__


def cases(p: Problem) -> list[Case]:
    if p.dtype not in ("float64", "float32") or p.logits or p.reduction == "none":
        return []
    if p.measure == "bce" and np.all((p.target == 0) | (p.target == 1)):
        return [_binary(p)]
    if p.measure == "cce" and p.weight is None and not p.label_smoothing and p.ignore_index is None:
        labels = p.target if p.integer_labels else _labels_of_one_hot(p.target)
        if labels is not None:
            return [_multiclass(p, labels)]
    return []


def _labels_of_one_hot(t: np.ndarray) -> np.ndarray | None:
    ok = np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1)
    return t.argmax(axis=1).astype(np.float64) if ok else None


def _eps(dtype: str) -> tuple[float, float]:
    eps = float(np.finfo(np.dtype(dtype)).eps)
    return eps, float(np.asarray(1, dtype=dtype) - np.asarray(eps, dtype=dtype))


def _call(p: Problem, y, proba, labels):
    from sklearn.metrics import log_loss
    return lambda: log_loss(y, proba, labels=labels, normalize=p.reduction == "mean")


def _binary(p: Problem) -> Case:
    lo, hi = _eps(p.dtype)
    q = clip_exact(p.prediction, lo, hi)
    neg = clip_exact(float_complement(p.prediction, p.dtype), lo, hi)

    def terms_of(rows):
        y = p.target[rows]
        return Terms().log(q[rows], y, coef=-1).log(neg[rows], y, coef=-1, w_complement=True)

    proba = p.prediction.astype(p.dtype)
    return Case(NAME, "metrics.log_loss", version(), _call(p, p.target.astype(int), proba, [0, 1]), terms_of,
                Fraction(p.n_samples), f"the negative class is 1 - p rounded to {p.dtype}, and probabilities are "
                f"clipped to [eps, 1 - eps] with eps = {lo!r}", p.dtype)


def _multiclass(p: Problem, labels: np.ndarray) -> Case:
    lo, hi = _eps(p.dtype)
    q = clip_exact(p.prediction, lo, hi)
    k = p.prediction.shape[1]

    def terms_of(rows):  # one-hot built here: a label out of range reaches log_loss, which refuses it
        return Terms().log(q[rows].ravel(), one_hot(labels, k)[rows].ravel(), coef=-1)

    proba = p.prediction.astype(p.dtype)
    return Case(NAME, "metrics.log_loss", version(), _call(p, labels.astype(int), proba, list(range(k))), terms_of,
                Fraction(p.n_samples), f"probabilities are clipped to [eps, 1 - eps] with eps = {lo!r}", p.dtype)
