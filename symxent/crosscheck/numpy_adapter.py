"""NumPy: it has no loss functions, so this adapter runs the textbook one-line formulas people
write with it (``-np.mean(y*np.log(q) + (1-y)*np.log(1-q))`` and the like), in the inputs' dtype.

Their convention is the mathematics except that ``1 - q`` is formed in floating point and
``0 * log 0`` is ``0 * -inf = nan``.
"""

from __future__ import annotations

import numpy as np

from .arrays import numpy_dtype
from .base import Case, ConventionNaN, float_complement
from .oracle import math_divisor, math_terms
from .problem import Problem
from .terms import Terms

__all__ = ["NAME", "available", "version", "cases"]

NAME = "numpy"


def available() -> bool:
    return True


def version() -> str:
    return np.__version__


def _reduce(per_sample: np.ndarray, reduction: str):
    if reduction == "mean":
        return np.mean(per_sample)
    return np.sum(per_sample) if reduction == "sum" else per_sample


def cases(p: Problem) -> list[Case]:
    if p.dtype == "bfloat16" or p.logits or p.measure not in _FORMULAS:
        return []
    t = numpy_dtype(p.dtype)
    y, q = p.target.astype(t), p.prediction.astype(t)
    try:
        formula, text, terms_of, note = _FORMULAS[p.measure](p, y, q)
    except _Skip:  # an option (class weights, smoothing, ignore_index) the textbook formula lacks
        return []

    def call():
        with np.errstate(all="ignore"):
            return _reduce(formula(), p.reduction)

    return [Case(NAME, text, version(), call, terms_of, math_divisor(p), note, p.dtype)]


def _nan_if(mask: np.ndarray, why: str) -> None:
    if np.any(mask):
        raise ConventionNaN(why)


def _bce(p, y, q):
    comp = float_complement(p.prediction, p.dtype)

    def terms_of(rows):
        yy, qq, cc = p.target[rows], p.prediction[rows], comp[rows]
        _nan_if(((qq == 0) & (yy == 0)) | ((cc == 0) & (yy == 1)), "0 * log(0) is evaluated as 0 * (-inf) = nan")
        return Terms().log(qq, yy, coef=-1).log(cc, yy, coef=-1, w_complement=True)

    return (lambda: -(y * np.log(q) + (1 - y) * np.log(1 - q)), "-(y*log(q) + (1-y)*log(1-q))", terms_of,
            "1 - q is rounded to the dtype before its logarithm")


def _rows_formula(p):
    def terms_of(rows):
        _nan_if((p.prediction[rows] == 0) & (_dense(p)[rows] == 0), "0 * log(0) is evaluated as 0 * (-inf) = nan")
        return math_terms(p, rows)
    return terms_of


def _dense(p: Problem) -> np.ndarray:
    if p.integer_labels:
        out = np.zeros(p.prediction.shape)
        out[np.arange(p.n_samples), p.target.astype(np.int64)] = 1.0
        return out
    return p.target


def _cce(p, y, q):
    if p.weight is not None or p.label_smoothing or p.ignore_index is not None:
        raise _Skip
    # one-hot rows are built inside the call: a label out of range fails there, as in a user's code
    return (lambda: -np.sum(_dense(p).astype(q.dtype) * np.log(q), axis=-1), "-sum(t*log(q), axis=-1)",
            _rows_formula(p), "")


def _kl(p, y, q):
    def terms_of(rows):
        _nan_if(p.target[rows] == 0, "p = 0 gives 0 * log(0/q) = 0 * (-inf) = nan")
        return math_terms(p, rows)
    return lambda: np.sum(y * np.log(y / q), axis=-1), "sum(p*log(p/q), axis=-1)", terms_of, ""


def _entropy(p, y, q):
    def terms_of(rows):
        _nan_if(p.target[rows] == 0, "p = 0 gives 0 * log(0) = nan")
        return math_terms(p, rows)
    return lambda: -np.sum(y * np.log(y), axis=-1), "-sum(p*log(p), axis=-1)", terms_of, ""


def _mse(p, y, q):
    return lambda: (y - q) ** 2, "(y - yhat)**2", lambda rows: math_terms(p, rows), ""


class _Skip(Exception):
    pass


_FORMULAS = {"bce": _bce, "cce": _cce, "kl": _kl, "entropy": _entropy, "mse": _mse}
