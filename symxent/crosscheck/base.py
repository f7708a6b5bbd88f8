"""What every library adapter shares: a case (one real function on one problem), the exact
reading of what it returned, and the building blocks of documented conventions.

A convention is the library's documented semantics evaluated *exactly*: its clipping bounds as
the dtype holds them, its clamps, renormalisations, reductions and argument orders, and the
complements ``1 - q`` it forms in floating point before a logarithm (their error is not small
relative to the loss when q is tiny, so they are part of what the library computes, not of the
final rounding). Everything else the library does in floats is rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..errors import PrecisionError
from ..exact.enclosure import Enclosure
from .arrays import numpy_dtype
from .problem import Problem
from .terms import Terms

__all__ = ["Case", "ConventionNaN", "LibraryValue", "read_result", "clip_exact", "float_complement",
           "log_floor_split", "as_dtype", "one_hot", "importable"]


class ConventionNaN(Exception):
    """The library's convention gives NaN here (e.g. ``0 * log 0`` evaluated as ``0 * -inf``)."""


@dataclass(frozen=True)
class LibraryValue:
    """What a library returned, read exactly: float64 values (scalar as a 0-d array) and dtype."""

    values: np.ndarray
    dtype: str


@dataclass(frozen=True)
class Case:
    """One real library function applied to one problem.

    ``call()`` runs the library and returns its raw output; ``terms_of(rows)`` builds the exact
    terms of the library's convention summed over sample ``rows``; ``divisor`` is what its
    ``mean`` divides by; ``semantics`` says in plain words how the convention differs from the
    mathematics ('' when it does not); ``compute_dtype`` is the precision the library works in.
    """

    library: str
    function: str
    version: str
    call: Callable[[], Any]
    terms_of: Callable[[np.ndarray], Terms]
    divisor: Fraction
    semantics: str
    compute_dtype: str
    base_applied: bool = False  # the call was given the problem's base (else its result is in nats)
    result_base: Any = None  # the base the library always answers in (dit: 2), whatever the problem's base


def read_result(value: Any) -> LibraryValue:
    """Read a library's output exactly (torch/JAX/NumPy arrays, NumPy scalars, Python floats).

    >>> read_result(np.float32(0.1)).dtype, read_result(0.5).dtype
    ('float32', 'float64')
    """
    if isinstance(value, float):
        return LibraryValue(np.asarray(value, dtype=np.float64), "float64")
    module = type(value).__module__
    if module.startswith("torch"):
        t = value.detach().cpu()
        dtype = str(t.dtype).replace("torch.", "")
        return LibraryValue(t.float().numpy().astype(np.float64) if dtype == "bfloat16"
                            else t.numpy().astype(np.float64), dtype)
    arr = np.asarray(value)
    return LibraryValue(arr.astype(np.float64), str(arr.dtype))


def as_dtype(x: float, dtype: str) -> float:
    """The float64 value of ``x`` rounded to ``dtype`` (how a library holds a Python constant)."""
    return float(np.asarray(x, dtype=np.float64).astype(numpy_dtype(dtype)).astype(np.float64))


def clip_exact(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Clipping is exact: the result is x or a bound."""
    return np.minimum(np.maximum(x, lo), hi)


def float_complement(q: np.ndarray, dtype: str) -> np.ndarray:
    """``1 - q`` as the dtype computes it (IEEE subtraction, correctly rounded)."""
    t = numpy_dtype(dtype)
    return (np.asarray(1.0, dtype=t) - q.astype(t)).astype(np.float64)


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((labels.size, k))
    out[np.arange(labels.size), labels.astype(np.int64)] = 1.0
    return out


def _exp_bounds(floor: float) -> tuple[float, float]:
    """Floats ``a <= e**floor <= b`` (one float64 step each side of the rounded value)."""
    v = math.exp(floor)
    return float(np.nextafter(v, 0.0)), float(np.nextafter(v, np.inf))


def log_floor_split(x: np.ndarray, floor: float) -> np.ndarray:
    """Where ``log x < floor`` (so a clamp ``max(log x, floor)`` gives the floor), decided exactly."""
    a, b = _exp_bounds(floor)
    below = x < a
    unsure = (x >= a) & (x <= b)
    if unsure.any():
        raise PrecisionError(f"x={float(x[unsure][0])!r} is too close to exp({floor}) to decide its clamp")
    return below


def clamped_log_terms(t: Terms, x: np.ndarray, w: np.ndarray, *, floor: float, coef: Any,
                      w_complement: bool = False) -> Terms:
    """Add ``coef * sum w * max(log x, floor)`` (weights ``1 - w`` with ``w_complement``)."""
    below = log_floor_split(x, floor)
    weights = (1 - Fraction(v) for v in w[below].tolist()) if w_complement else map(Fraction, w[below].tolist())
    t.const(Fraction(coef) * Fraction(floor) * sum(weights, Fraction(0)))
    return t.log(x[~below], w[~below], coef=coef, w_complement=w_complement)


def not_nan(enclosure: Enclosure) -> Enclosure:
    return enclosure


def importable(*modules: str) -> bool:
    """True when every named module imports: the adapter's library is installed and loads."""
    import importlib

    try:
        for name in modules:
            importlib.import_module(name)
    except ImportError:
        return False
    return True


def log_target_kl_terms(logp: np.ndarray, logq: np.ndarray) -> Terms:
    """``sum exp(log p) (log p - log q)`` over the logs a library was given (``log_target=True``).

    A zero probability is not skipped in this form: ``log p = -inf`` gives ``0 * (-inf) = nan``.

    >>> e = log_target_kl_terms(np.log([0.5, 0.5]), np.log([0.5, 0.5])).enclose(53)
    >>> e.lo == e.hi == 0
    True
    """
    lp, lq = logp.ravel(), logq.ravel()
    if np.any((lp == -np.inf) | (lq == np.inf) | np.isnan(lp) | np.isnan(lq)):
        raise ConventionNaN("log p = -inf gives exp(-inf) * (-inf - log q) = 0 * (-inf) = nan "
                            "(with the target given as a log a zero probability is not skipped)")
    if np.any(lq == -np.inf):
        return Terms().const(float("inf"))
    return Terms().exp(lp, [Fraction(a) - Fraction(b) for a, b in zip(lp.tolist(), lq.tolist())])
