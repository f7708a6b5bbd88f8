"""What is being checked: a loss, its inputs read exactly, and its options.

A :class:`Problem` is what every oracle and every library adapter receives. Its arrays hold the
exact binary values in the format they were read from (``dtype``); the oracles evaluate them
exactly and the adapters hand the same values, in the same dtype, to the libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import DomainError, ShapeError, UnsupportedError
from .arrays import cast_exactly, read_array

__all__ = ["Problem", "make_problem", "MEASURES", "REDUCTIONS", "canonical_measure"]

MEASURES = ("bce", "cce", "kl", "js", "entropy", "gaussian_nll", "poisson_nll", "mse")
REDUCTIONS = ("mean", "sum", "none")
_ALIASES = {
    "log_loss": "bce", "binary_cross_entropy": "bce", "binary_crossentropy": "bce",
    "cross_entropy": "cce", "categorical_cross_entropy": "cce", "categorical_crossentropy": "cce",
    "kl_divergence": "kl", "kl_div": "kl", "js_divergence": "js", "jensenshannon": "js", "gaussian": "gaussian_nll", "poisson": "poisson_nll",
}


def canonical_measure(name: str) -> str:
    """The measure's short name (``"log_loss"`` -> ``"bce"``).

    >>> canonical_measure("cross_entropy")
    'cce'
    """
    key = name.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in MEASURES:
        raise UnsupportedError(f"measure={name!r} is not one of {', '.join(MEASURES)} "
                               f"(or {', '.join(sorted(_ALIASES))})")
    return key


@dataclass(frozen=True)
class Problem:
    """A loss with exact inputs. ``target`` is y (labels, P, or class indices as floats);
    ``prediction`` is q, logits, Q, the Gaussian mean or the Poisson (log-)rate.

    >>> p = make_problem("bce", [1, 0], [0.8, 0.4])
    >>> p.measure, p.n_samples, p.dtype
    ('bce', 2, 'float64')
    """

    measure: str
    target: np.ndarray
    prediction: np.ndarray
    dtype: str
    logits: bool = False
    reduction: str = "mean"
    var: np.ndarray | None = None
    weight: np.ndarray | None = None
    label_smoothing: float = 0.0
    ignore_index: int | None = None
    log_input: bool = True
    options: dict = field(default_factory=dict)
    base: Any = None  # the logarithm's base (a SymPy number) for entropy, cce, kl, js; None is e
    invalid: str | None = None  # why the mathematics is undefined here (the libraries are still called)

    @property
    def integer_labels(self) -> bool:
        return self.measure == "cce" and self.target.ndim == 1

    @property
    def n_samples(self) -> int:
        return int(self.prediction.shape[0])

    @property
    def reading(self) -> str:
        return f"exact binary values of {self.dtype} inputs"

    def with_reduction(self, reduction: str) -> "Problem":
        return replace(self, reduction=_check_reduction(reduction))

    def describe(self) -> dict:
        """The inputs as a JSON-able dict (exact values printed with repr of float64)."""
        out: dict[str, Any] = {"measure": self.measure, "dtype": self.dtype, "reading": self.reading,
                               "reduction": self.reduction, "logits": self.logits,
                               "target": self.target.tolist(), "prediction": self.prediction.tolist()}
        for key in ("var", "weight"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key).tolist()
        if self.label_smoothing:
            out["label_smoothing"] = self.label_smoothing
        if self.ignore_index is not None:
            out["ignore_index"] = self.ignore_index
        if self.measure == "poisson_nll":
            out["log_input"] = self.log_input
        if self.base is not None:
            out["base"] = str(self.base)
        if self.invalid is not None:
            out["invalid"] = self.invalid
        return out


def _check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise UnsupportedError(f"reduction={reduction!r} is not one of {', '.join(REDUCTIONS)}")
    return reduction


def make_problem(measure: str, target: Any, prediction: Any = None, *, dtype: str | None = None,
                 logits: bool = False, reduction: str = "mean", var: Any = None, weight: Any = None,
                 label_smoothing: float = 0.0, ignore_index: int | None = None,
                 log_input: bool = True, base: Any = None) -> Problem:
    """Read and validate the inputs of a loss (see :class:`Problem`).

    Arrays and tensors keep their dtype; lists are rounded once to ``dtype`` (default float64).
    Integer class labels for ``cce`` stay integers (a 1-D target with a 2-D prediction).

    >>> make_problem("cce", [2], [[0.2, 0.3, 0.5]]).integer_labels
    True
    """
    m = canonical_measure(measure)
    base = _base(base, m)
    if m == "entropy" and prediction is None:
        prediction = target
    if prediction is None:
        raise ShapeError(f"measure={m!r} needs a prediction as well as a target")
    pred = read_array(prediction, "prediction", dtype=dtype)
    kind = pred.dtype
    labels = m == "cce" and np.ndim(np.asarray(_plain(target))) == np.ndim(np.asarray(_plain(prediction))) - 1
    tgt = read_array(target, "target", dtype=None if labels or _has_float_dtype(target) else kind)
    if not labels and tgt.dtype != kind and not np.array_equal(cast_exactly(tgt.values, kind).values, tgt.values):
        raise UnsupportedError(f"target holds {tgt.dtype} values that are not {kind} numbers; "
                               "pass it in the prediction's dtype")
    problem = Problem(
        measure=m, target=tgt.values, prediction=pred.values, dtype=kind, logits=bool(logits),
        reduction=_check_reduction(reduction),
        var=None if var is None else read_array(np.atleast_1d(_plain(var)) if not hasattr(var, "dtype") else var,
                                                "var", dtype=None if hasattr(var, "dtype") else kind).values,
        weight=None if weight is None else read_array(weight, "weight",
                                                      dtype=None if hasattr(weight, "dtype") else kind).values,
        label_smoothing=float(label_smoothing), ignore_index=ignore_index, log_input=bool(log_input), base=base)
    return _validate(_shape(problem))


def _base(base: Any, measure: str) -> Any:
    """None for e; else the validated base, only for the measures defined with a logarithm's base."""
    if base is None:
        return None
    import sympy as sp
    from ..logbase import as_base
    b = as_base(base)
    if b == sp.E:
        return None
    if measure not in ("entropy", "cce", "kl", "js"):
        raise UnsupportedError(f"base={base!r}: only entropy, cce, kl and js take a base")
    if not b.is_number:
        raise UnsupportedError(f"base={base!r} must be a number to check libraries")
    return b


def _plain(a: Any) -> Any:
    return a.detach().cpu().float().numpy() if type(a).__module__.startswith("torch") else a


def _has_float_dtype(target: Any) -> bool:
    """Arrays/tensors that already have a float dtype are read as they are."""
    return hasattr(target, "dtype") and "float" in str(target.dtype)


def _shape(p: Problem) -> Problem:
    pred, tgt = p.prediction, p.target
    if p.measure in ("cce", "kl", "js", "entropy") and pred.ndim == 1:
        pred = pred[None, :]
        tgt = tgt[None, :] if (tgt.ndim == 1 and not (p.measure == "cce" and tgt.size == 1)) else tgt
    if p.measure in ("bce", "gaussian_nll", "poisson_nll", "mse"):
        pred, tgt = pred.ravel(), tgt.ravel()
    var = p.var
    if var is not None and var.size == 1 and pred.size > 1:
        var = np.full(pred.shape, var.ravel()[0])
    return replace(p, prediction=pred, target=tgt, var=var)


def _validate(p: Problem) -> Problem:
    pred, tgt = p.prediction, p.target
    if p.integer_labels:
        if tgt.shape[0] != pred.shape[0]:
            raise ShapeError(f"target has {tgt.shape[0]} labels but prediction has {pred.shape[0]} rows")
        ignored = tgt == (p.ignore_index if p.ignore_index is not None else np.nan)
        _raise_at(tgt != np.round(tgt), tgt, "target", f"must be a class index 0..{pred.shape[1] - 1}")
        p = _undefined_at(p, ((tgt < 0) | (tgt >= pred.shape[1])) & ~ignored, tgt, "target",
                          f"is not a class index 0..{pred.shape[1] - 1}")
    elif tgt.shape != pred.shape:
        raise ShapeError(f"target has shape {tgt.shape} but prediction has shape {pred.shape}")
    if p.measure != "cce" or not p.integer_labels:
        _raise_at(~np.isfinite(tgt), tgt, "target", "must be finite")
    if p.measure in ("bce", "cce", "kl", "js", "entropy") and not p.integer_labels:
        if p.measure == "bce":
            _raise_at((tgt < 0) | (tgt > 1), tgt, "target", "must be a probability")
        else:
            p = _undefined_at(p, tgt < 0, tgt, "target", "is negative")
    if not p.logits and p.measure in ("bce", "cce"):
        _raise_at(np.isnan(pred) | (pred < 0) | (pred > 1), pred, "prediction", "must be a probability in [0, 1]")
    elif p.measure in ("kl", "js", "entropy"):  # sums of p log(p/q) are defined for any non-negative reals
        _raise_at(~np.isfinite(pred) | (pred < 0), pred, "prediction", "must be a finite number >= 0")
        _raise_at(~np.isfinite(tgt), tgt, "target", "must be a finite number >= 0")
    if p.logits:
        _raise_at(np.isnan(pred) | (pred == np.inf), pred, "prediction", "must be a finite logit or -inf")
    elif p.measure in ("gaussian_nll", "poisson_nll", "mse"):
        _raise_at(~np.isfinite(pred), pred, "prediction", "must be finite")
    if p.measure == "gaussian_nll":
        if p.var is None:
            raise ShapeError("measure='gaussian_nll' needs var=")
        if p.var.shape != pred.shape:
            raise ShapeError(f"var has shape {p.var.shape} but prediction has shape {pred.shape}")
        _raise_at(~np.isfinite(p.var) | (p.var <= 0), p.var, "var", "must be a positive number")
    if p.measure == "poisson_nll":
        _raise_at(tgt < 0, tgt, "target", "must be a count >= 0")
        if not p.log_input:
            _raise_at(pred < 0, pred, "prediction", "must be a rate >= 0")
    if p.weight is not None:
        k = pred.shape[-1]
        if p.weight.shape != (k,):
            raise ShapeError(f"weight has shape {p.weight.shape}; expected ({k},)")
        _raise_at(~np.isfinite(p.weight) | (p.weight < 0), p.weight, "weight", "must be finite and >= 0")
    if not 0.0 <= p.label_smoothing <= 1.0:
        raise DomainError(f"label_smoothing={p.label_smoothing!r} must lie in [0, 1]")
    return p


def _undefined_at(p: Problem, bad: np.ndarray, values: np.ndarray, name: str, rule: str) -> Problem:
    """An input the mathematics does not define but libraries accept without validating: kept,
    with the reason, so that the libraries are still called and their answers reported."""
    if not np.any(bad) or p.invalid is not None:
        return p
    idx = np.unravel_index(int(np.argmax(bad)), bad.shape)
    where = ", ".join(str(int(i)) for i in idx)
    return replace(p, invalid=f"{name}[{where}]={float(values[idx])!r} {rule}")


def _raise_at(bad: np.ndarray, values: np.ndarray, name: str, rule: str) -> None:
    if np.any(bad):
        idx = np.unravel_index(int(np.argmax(bad)), bad.shape)
        where = ", ".join(str(int(i)) for i in idx)
        raise DomainError(f"{name}[{where}]={float(values[idx])!r} {rule}")
