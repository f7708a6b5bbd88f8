"""Keras 3: the loss classes and functions of ``keras.losses``, called for real on the
torch backend (the TensorFlow backend runs in a worker process: :mod:`.keras_tf_adapter`).

``KERAS_BACKEND`` is set to ``"torch"`` when it is not set already (before keras is first
imported). The loss objects compute in ``floatx()`` (float32) whatever the inputs' dtype; the
functional forms keep it, and are reduced here with ``keras.ops.mean``/``sum``. Conventions (Keras 3.15): ``epsilon = 1e-7``;
binary cross-entropy clips predictions to ``[eps, 1 - eps]`` (the bounds as the dtype holds
them); categorical cross-entropy from probabilities divides each row by its sum, then clips;
``KLDivergence`` clips both P and Q to ``[eps, 1]``; ``Poisson`` is
``y_pred - y log(y_pred + eps)``; ``"sum_over_batch_size"`` (our ``mean``) divides by the
number of samples.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import replace
from fractions import Fraction

import numpy as np

from .arrays import cast_exactly
from .base import Case, ConventionNaN, as_dtype, clip_exact, float_complement, read_result
from .oracle import kl_terms, math_terms
from .problem import Problem
from .terms import Terms, exact_sum

__all__ = ["NAME", "available", "version", "cases"]

NAME = "keras"
_REDUCTION = {"mean": "sum_over_batch_size", "sum": "sum", "none": None}


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    return keras


def available() -> bool:
    try:
        _keras()
    except ImportError:
        return False
    return True


def version() -> str:
    k = _keras()
    return f"{k.__version__} (backend {k.backend.backend()})"


def _eps(dtype: str) -> tuple[float, float]:
    return as_dtype(1e-7, dtype), as_dtype(1 - 1e-7, dtype)


_FUNCTIONS = {"BinaryCrossentropy": "binary_crossentropy", "CategoricalCrossentropy": "categorical_crossentropy",
              "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy", "KLDivergence": "kl_divergence",
              "Poisson": "poisson", "MeanSquaredError": "mean_squared_error"}


def _tensor(a: np.ndarray, dtype: str):
    keras = _keras()
    if keras.backend.backend() != "torch":
        if a.dtype == np.int64:
            return keras.ops.convert_to_tensor(a)
        return keras.ops.convert_to_tensor(a.astype(np.float64), dtype=dtype)  # exact: a holds dtype values
    import torch
    if a.dtype == np.int64:
        return torch.tensor(a)
    return torch.tensor(a, dtype=torch.float64).to(getattr(torch, dtype))


def _case(p: Problem, which: str, cls: str, kwargs: dict, y, x, terms_of, note: str) -> list[Case]:
    """The loss object (``which="object"``, computing in ``floatx()``) or the functional form
    (``"function"``, keeping the dtype, reduced with ``keras.ops``)."""
    keras = _keras()
    yt, xt = _tensor(y, p.dtype), _tensor(x, p.dtype)
    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    n = Fraction(p.n_samples)
    if which == "object":
        def call_object():
            return getattr(keras.losses, cls)(reduction=_REDUCTION[p.reduction], **kwargs)(yt, xt)
        floatx = keras.config.floatx()
        narrow = _RANK[floatx] < _RANK[p.dtype]
        note = (f"the loss object casts the inputs to floatx() = {floatx}" + (f"; {note}" if note else "")) \
            if narrow else note
        return [Case(NAME, f"losses.{cls}({shown})", version(), call_object, terms_of, n, note,
                     floatx if narrow else p.dtype)]
    func = _FUNCTIONS[cls]
    reduce = {"mean": "ops.mean", "sum": "ops.sum", "none": ""}[p.reduction]

    def call_function():
        per_sample = getattr(keras.losses, func)(yt, xt, **kwargs)
        return {"mean": keras.ops.mean, "sum": keras.ops.sum}.get(p.reduction, lambda v: v)(per_sample)

    name = f"{reduce}(losses.{func}({shown}))" if reduce else f"losses.{func}({shown})"
    return [Case(NAME, name, version(), call_function, terms_of, n, note, p.dtype)]


_RANK = {"bfloat16": 8, "float16": 11, "float32": 24, "float64": 53}


def cases(p: Problem, backend: str | None = None) -> list[Case]:
    """Both forms of the loss; the object's convention sees the inputs cast to ``floatx()``.

    ``backend`` names the Keras backend whose conventions the exact terms follow (default: the
    backend of this process); the calls themselves always run on this process's backend."""
    make = _CASES.get(p.measure)
    if make is None or not available():
        return []
    floatx = _keras().config.floatx()
    cast = _cast(p, floatx) if _RANK[floatx] < _RANK[p.dtype] else p
    token = _BACKEND.set(backend or _keras().backend.backend())
    try:
        return make(p, cast, "object") + make(p, p, "function")
    finally:
        _BACKEND.reset(token)


_BACKEND: ContextVar[str] = ContextVar("keras_backend", default="torch")
"""The backend whose conventions the terms being built follow (set by :func:`cases`)."""


def _cast(p: Problem, dtype: str) -> Problem:
    def c(a):
        return None if a is None else cast_exactly(a, dtype).values
    return replace(p, dtype=dtype, prediction=c(p.prediction), var=c(p.var), weight=c(p.weight),
                   target=p.target if p.integer_labels else c(p.target))


def _col(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, 1)


def _bce(p: Problem, c: Problem, which: str) -> list[Case]:
    if p.logits:
        return _case(p, which, "BinaryCrossentropy", {"from_logits": True}, _col(p.target), _col(p.prediction),
                     lambda rows: math_terms(c, rows), "")
    lo, hi = _eps(c.dtype)
    q = clip_exact(c.prediction, lo, hi)
    note = f"predictions are clipped to [{lo!r}, {hi!r}] (epsilon 1e-7 in {c.dtype})"
    if _BACKEND.get() == "tensorflow":  # target log(q) + (1 - target) log(1 - q), 1 - q rounded
        comp, not_y = float_complement(q, c.dtype), float_complement(c.target, c.dtype)

        def tf_terms(rows):
            return Terms().log(q[rows], c.target[rows], coef=-1).log(comp[rows], not_y[rows], coef=-1)
        return _case(p, which, "BinaryCrossentropy", {}, _col(p.target), _col(p.prediction), tf_terms,
                     f"{note}; then 1 - q is rounded to {c.dtype} before its log (the TensorFlow backend)")

    def terms_of(rows):
        y = c.target[rows]
        return Terms().log(q[rows], y, coef=-1).log(q[rows], y, coef=-1, complement=True, w_complement=True)

    return _case(p, which, "BinaryCrossentropy", {}, _col(p.target), _col(p.prediction), terms_of, note)


def _cce(p: Problem, c: Problem, which: str) -> list[Case]:
    if p.weight is not None or p.ignore_index is not None:
        return []
    kwargs: dict[str, float]  # the loss object's keyword arguments
    if p.integer_labels:
        if p.label_smoothing:
            return []
        cls, kwargs, y = "SparseCategoricalCrossentropy", {}, p.target.astype(np.int64)
    else:
        cls, kwargs, y = "CategoricalCrossentropy", {}, p.target
        if p.label_smoothing:
            kwargs["label_smoothing"] = p.label_smoothing
    if p.logits:
        kwargs["from_logits"] = True

        def logit_terms(rows):
            if not c.integer_labels and np.any((c.prediction[rows] == -np.inf) & (_smoothed(c)[rows] == 0)):
                raise ConventionNaN("a -inf logit under a zero target is evaluated as 0 * (-inf) = nan")
            return math_terms(c, rows)
        return _case(p, which, cls, kwargs, y, p.prediction, logit_terms, "")
    lo, hi = _eps(c.dtype)
    if _BACKEND.get() == "tensorflow" and p.integer_labels:
        return _case(p, which, cls, kwargs, y, p.prediction, _clipped_renormalised(c, lo, hi),
                     f"q is clipped to [{lo!r}, {hi!r}], then each row is divided by its sum (log_softmax of "
                     "log q: the TensorFlow backend's order)")
    return _case(p, which, cls, kwargs, y, p.prediction, _renormalised_clipped(c, lo, hi),
                 f"each row of q is divided by its sum, then clipped to [{lo!r}, {hi!r}]")


def _clipped_renormalised(p: Problem, lo: float, hi: float):
    """``-log(c_y / sum c)`` with ``c = clip(q, lo, hi)`` (the clip before the renormalisation)."""
    def terms_of(rows):
        t = Terms()
        for i in rows.tolist():
            c = clip_exact(p.prediction[i], lo, hi)
            t.log(c[[int(p.target[i])]], coef=-1).log_exact([exact_sum(c)], [1])
        return t
    return terms_of


def _smoothed(p: Problem) -> np.ndarray:
    t = p.target
    if p.integer_labels:
        t = np.zeros(p.prediction.shape)
        t[np.arange(p.n_samples), p.target.astype(np.int64)] = 1.0
    eps = p.label_smoothing
    return t * (1 - eps) + eps / t.shape[1] if eps else t


def _renormalised_clipped(p: Problem, lo: float, hi: float):
    """``-sum t log(clip(q / s))`` with the row sum s and the comparisons exact."""
    def terms_of(rows):
        t = Terms()
        eps, k = Fraction(p.label_smoothing), p.prediction.shape[1]
        for i in rows.tolist():
            q = p.prediction[i]
            if p.integer_labels:
                target = [Fraction(0)] * k
                target[int(p.target[i])] = Fraction(1)
            else:
                target = [Fraction(v) for v in p.target[i].tolist()]
            s = exact_sum(q)
            if s == 0:
                raise ConventionNaN("a row of q sums to 0: renormalising divides 0 by 0")
            low, high = _clipped(q, s, lo, hi)
            mid = ~(low | high)
            parts = [(1 - eps, np.array(target, dtype=object))]
            if eps:  # smoothing adds eps/K to every target: a separate sum keeps the weights dyadic
                parts.append((eps / k, np.array([Fraction(1)] * k, dtype=object)))
            for coef, w in parts:
                t.log(q[mid], list(w[mid]), coef=-coef).log_exact([s], [sum(w[mid], Fraction(0))], coef=coef)
                for mask, bound in ((low, lo), (high, hi)):
                    if mask.any():
                        t.log(np.full(int(mask.sum()), bound), list(w[mask]), coef=-coef)
        return t
    return terms_of


def _clipped(q: np.ndarray, s: Fraction, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Where ``q / s < lo`` and where ``q / s > hi``, decided exactly."""
    r = q / float(s)
    low, high = r < lo, r > hi
    unsure = np.flatnonzero((np.abs(r - lo) <= 1e-9 * lo) | (np.abs(r - hi) <= 1e-9))
    for j in unsure.tolist():
        v = Fraction(float(q[j])) / s
        low[j], high[j] = v < Fraction(lo), v > Fraction(hi)
    return low, high


def _kl(p: Problem, c: Problem, which: str) -> list[Case]:
    lo = as_dtype(1e-7, c.dtype)
    P, Q = clip_exact(c.target, lo, 1.0), clip_exact(c.prediction, lo, 1.0)
    return _case(p, which, "KLDivergence", {}, p.target, p.prediction,
                 lambda rows: kl_terms(P[rows].ravel(), Q[rows].ravel()),
                 f"both P and Q are clipped to [{lo!r}, 1]")


def _poisson(p: Problem, c: Problem, which: str) -> list[Case]:
    if p.log_input:
        return []
    keras = _keras()
    eps = as_dtype(1e-7, c.dtype)
    shifted = read_result(keras.ops.add(keras.ops.convert_to_tensor(c.prediction.astype(np.float64), c.dtype),
                                        keras.ops.convert_to_tensor(np.asarray(eps), c.dtype))).values

    def terms_of(rows):
        y = c.target[rows]
        pos = y > 0
        return Terms().const(exact_sum(c.prediction[rows])).log(shifted[rows][pos], y[pos], coef=-1)

    return _case(p, which, "Poisson", {}, _col(p.target), _col(p.prediction), terms_of,
                 "omits log(y!) and takes log(y_pred + 1e-7) (the sum rounded to the dtype)")


def _mse(p: Problem, c: Problem, which: str) -> list[Case]:
    return _case(p, which, "MeanSquaredError", {}, _col(p.target), _col(p.prediction),
                 lambda rows: math_terms(c, rows), "")


_CASES = {"bce": _bce, "cce": _cce, "kl": _kl, "poisson_nll": _poisson, "mse": _mse}
