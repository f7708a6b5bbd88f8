"""Certified sums of logarithms over arrays: the reference path of the exact loss oracle.

``log_sum`` encloses ``S = sum_i w_i log(x_i)`` and ``logsumexp_sum`` encloses
``S = sum_i w_i LSE(z_i)``, with every float read at its exact binary value. Each public
function first offers the work to an optional fast kernel (``symxent.kernels``, imported lazily,
same name and arguments); a kernel returning ``None`` (cannot certify) or no kernel at all means
the reference path below does it.

The reference path groups equal inputs (``numpy.unique``), evaluates each distinct logarithm or
exponential once with mpmath at a working precision ``wp`` and widens it outwards by
``2**(4 - wp)`` relative (so it does not rely on mpmath rounding its elementary functions
correctly), and adds the products with directed rounding (floor for the lower end, ceiling for
the upper). If the result is wider than promised, ``wp`` doubles.

Guarantee (checked, not hoped for): ``lo <= S <= hi`` and
``hi - lo <= 2**-rel_bits * max(1, sum_i |w_i log x_i|)`` (with ``|w_i LSE(z_i)|`` for
``logsumexp_sum``), where the sum of magnitudes is the certified lower bound computed from the
same enclosures; a ``PrecisionError`` is raised if this cannot be met, never a wider interval.
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from typing import Any, Callable

import numpy as np
from mpmath.libmp import (fzero, from_float, from_int, from_man_exp, mpf_abs, mpf_add, mpf_cmp, mpf_exp,
                          mpf_log, mpf_mul, mpf_neg, mpf_sub, round_ceiling, round_floor)

from ..errors import DomainError, PrecisionError, ShapeError, UnsupportedError
from .enclosure import Enclosure

__all__ = ["log_sum", "logsumexp_sum", "reference_log_sum", "reference_logsumexp_sum"]

_PAD_BITS = 4  # elementary functions are widened by 2**(4 - wp) relative
_ESCALATIONS = 4
_NEG_INF = Enclosure(float("-inf"), float("-inf"))


# ---------------------------------------------------------------- dispatch to a fast kernel

def _kernel(name: str) -> Callable | None:
    try:
        module = importlib.import_module("symxent.kernels")
    except ModuleNotFoundError as err:
        if err.name in ("symxent.kernels", "symxent"):
            return None
        raise
    return getattr(module, name, None)


def log_sum(x: Any, w: Any = None, *, complement: bool = False, w_complement: bool = False,
            rel_bits: int = 128) -> Enclosure:
    """Enclose ``sum_i w_i log(x_i)`` (``log(1 - x_i)`` with ``complement``; weights ``1 - w_i``
    with ``w_complement``), every float read at its exact binary value.

    >>> e = log_sum(np.array([0.5, 0.25]))          # log(1/2) + log(1/4) = -3 log 2
    >>> e.decimal(20)
    '-2.0794415416798359283'
    >>> log_sum(np.array([0.0, 0.5]), np.array([0.0, 1.0])).decimal(5)   # 0 log 0 = 0
    '-0.69315'
    >>> log_sum(np.array([0.0]), np.array([1.0])).hi
    -inf
    """
    fast = _kernel("log_sum")
    if fast is not None:
        result = fast(x, w, complement=complement, w_complement=w_complement, rel_bits=rel_bits)
        if isinstance(result, Enclosure):
            return result
    return reference_log_sum(x, w, complement=complement, w_complement=w_complement, rel_bits=rel_bits)


def logsumexp_sum(z: Any, w: Any = None, *, rel_bits: int = 128) -> Enclosure:
    """Enclose ``sum_i w_i log(sum_k exp(z_ik))`` over the rows of a 2-D array.

    >>> logsumexp_sum(np.array([[0.0, 0.0]])).decimal(20)     # log 2
    '0.69314718055994530942'
    >>> logsumexp_sum(np.array([[1000.0, float("-inf")]])).decimal(10)
    '1000.000000'
    """
    fast = _kernel("logsumexp_sum")
    if fast is not None:
        result = fast(z, w, rel_bits=rel_bits)
        if isinstance(result, Enclosure):
            return result
    return reference_logsumexp_sum(z, w, rel_bits=rel_bits)


# ---------------------------------------------------------------- validation

def _float_array(a: Any, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype.kind in "iub":
        if arr.size and np.abs(arr.astype(object)).max() > 2**53:
            raise UnsupportedError(f"{name} holds integers beyond 2**53, which float64 cannot hold exactly")
        arr = arr.astype(np.float64)  # exact below 2**53
    if arr.dtype.kind != "f" and arr.dtype.name != "bfloat16":
        raise UnsupportedError(f"{name} has dtype={arr.dtype.name!r}; expected a float array")
    if arr.dtype.itemsize > 8:
        raise UnsupportedError(f"{name} has dtype={arr.dtype.name!r}; float64 cannot hold it exactly")
    arr = arr.astype(np.float64)  # widening float32/float16/bfloat16 is exact
    if arr.ndim != ndim:
        raise ShapeError(f"{name} must be {ndim}-D, got shape={arr.shape}")
    return arr


def _weights(w: Any, n: int, complement: bool) -> np.ndarray:
    """The weights as given (validated); with ``complement`` the caller uses ``1 - w`` exactly."""
    if w is None:
        return np.zeros(n) if complement else np.ones(n)
    arr = _float_array(w, "w", 1)
    if arr.shape[0] != n:
        raise ShapeError(f"w has {arr.shape[0]} entries but there are {n} terms")
    bad = ~np.isfinite(arr) | (arr < 0) | ((arr > 1) if complement else False)
    if bad.any():
        i = int(np.argmax(bad))
        rule = "a finite number in [0, 1]" if complement else "finite and >= 0"
        raise DomainError(f"w[{i}]={float(arr[i])!r} must be {rule}")
    return arr


def _check_x(x: np.ndarray, complement: bool) -> None:
    bad = np.isnan(x) | (x < 0) | ((x > 1) if complement else np.isinf(x))
    if bad.any():
        i = int(np.argmax(bad))
        rule = "a probability in [0, 1]" if complement else "a finite number >= 0"
        raise DomainError(f"x[{i}]={float(x[i])!r} must be {rule}")


# ---------------------------------------------------------------- raw mpf helpers

def _pad(v: tuple, wp: int) -> tuple:
    """``|v| * 2**(4 - wp)``, exactly."""
    if v == fzero:
        return fzero
    sign, man, exp, bc = mpf_abs(v)
    return (0, man, exp + _PAD_BITS - wp, bc)


def _outward(v: tuple, wp: int, tiny: tuple = fzero) -> tuple[tuple, tuple]:
    pad = mpf_add(_pad(v, wp), tiny, wp, round_ceiling)
    return mpf_sub(v, pad, wp, round_floor), mpf_add(v, pad, wp, round_ceiling)


def _to_fraction(v: tuple) -> Fraction:
    sign, man, exp, _ = v
    f = Fraction(man) * (Fraction(2) ** exp)
    return -f if sign else f


def _exact_weight(count: int, w: float, complement: bool = False) -> tuple:
    """``count * w`` (``count * (1 - w)`` with ``complement``), exactly."""
    wv = from_float(w, 53, round_floor)
    if complement:
        wv = mpf_sub(from_int(1), wv, 0)
    return mpf_mul(from_int(count), wv, 0)


class _Acc:
    """Directed-rounding accumulator of ``sum W * [a, b]`` with ``W >= 0``, plus a lower bound of
    ``sum W * min|[a, b]|`` for the width check."""

    def __init__(self, wp: int) -> None:
        self.wp, self.lo, self.hi, self.mag = wp, fzero, fzero, fzero

    def add(self, weight: tuple, a: tuple, b: tuple) -> None:
        wp = self.wp
        self.lo = mpf_add(self.lo, mpf_mul(weight, a, wp, round_floor), wp, round_floor)
        self.hi = mpf_add(self.hi, mpf_mul(weight, b, wp, round_ceiling), wp, round_ceiling)
        if mpf_cmp(a, fzero) > 0 or mpf_cmp(b, fzero) < 0:
            least = a if mpf_cmp(a, fzero) > 0 else mpf_neg(b)
            self.mag = mpf_add(self.mag, mpf_mul(weight, least, wp, round_floor), wp, round_floor)

    def enclosure(self, rel_bits: int) -> Enclosure | None:
        lo, hi = _to_fraction(self.lo), _to_fraction(self.hi)
        target = Fraction(1, 2**rel_bits) * max(Fraction(1), _to_fraction(self.mag))
        return Enclosure(lo, hi) if hi - lo <= target else None


def _escalate(run: Callable[[int], Enclosure | None], wp: int, rel_bits: int, what: str) -> Enclosure:
    for _ in range(_ESCALATIONS + 1):
        result = run(wp)
        if result is not None:
            return result
        wp *= 2
    raise PrecisionError(f"could not enclose {what} within 2**-{rel_bits} relative at {wp // 2} bits")


def _start_precision(rel_bits: int, n: int, total_weight: float) -> int:
    if isinstance(rel_bits, bool) or not isinstance(rel_bits, int) or not 1 <= rel_bits <= 100_000:
        raise PrecisionError(f"rel_bits={rel_bits!r} must be an integer from 1 to 100000")
    scale = max(1, int(np.ceil(np.log2(total_weight + 1.0))) if np.isfinite(total_weight) else 1100)
    return rel_bits + 16 + n.bit_length() + scale


# ---------------------------------------------------------------- sum of w log x

def _pairs(x: np.ndarray, w: np.ndarray, complement: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, w) pairs with positive weight (``1 - w`` with ``complement``), and their counts."""
    keep = (w < 1) if complement else (w > 0)
    x, w = x[keep] + 0.0, w[keep]  # + 0.0 turns -0.0 into 0.0
    if x.size == 0:
        return x, w, np.zeros(0, dtype=np.int64)
    rows, counts = np.unique(np.stack([x, w], axis=1), axis=0, return_counts=True)
    return rows[:, 0], rows[:, 1], counts


def reference_log_sum(x: Any, w: Any = None, *, complement: bool = False, w_complement: bool = False,
                      rel_bits: int = 128) -> Enclosure:
    """The reference path of :func:`log_sum` (mpmath, directed rounding), always available.

    >>> reference_log_sum(np.array([0.75]), complement=True).decimal(10)   # log(1/4)
    '-1.386294361'
    """
    xs = _float_array(x, "x", 1)
    _check_x(xs, complement)
    weights = _weights(w, xs.size, w_complement)
    px, pw, counts = _pairs(xs, weights, w_complement)
    if np.any(px == (1.0 if complement else 0.0)):
        return _NEG_INF
    total = float(np.sum(((1.0 - pw) if w_complement else pw) * counts)) if counts.size else 0.0

    def run(wp: int) -> Enclosure | None:
        acc, logs = _Acc(wp + 8), {}
        for xv, wv, c in zip(px.tolist(), pw.tolist(), counts.tolist()):
            if xv not in logs:
                logs[xv] = _log_enclosure(xv, complement, wp)
            acc.add(_exact_weight(c, wv, w_complement), *logs[xv])
        return acc.enclosure(rel_bits)

    return _escalate(run, _start_precision(rel_bits, xs.size, total), rel_bits, "the sum of w log x")


def _log_enclosure(xv: float, complement: bool, wp: int) -> tuple[tuple, tuple]:
    arg = from_float(xv, 53, round_floor)
    if complement:
        arg = mpf_sub(from_int(1), arg, 0)  # exact
    if arg == from_int(1):
        return fzero, fzero
    return _outward(mpf_log(arg, wp, round_floor), wp)


# ---------------------------------------------------------------- sum of w LSE(z)

def _check_z(z: np.ndarray) -> None:
    bad = np.isnan(z) | (z == np.inf)
    if bad.any():
        i, k = (int(v) for v in np.unravel_index(int(np.argmax(bad)), z.shape))
        raise DomainError(f"z[{i}, {k}]={float(z[i, k])!r} must be a finite number or -inf")


def reference_logsumexp_sum(z: Any, w: Any = None, *, rel_bits: int = 128) -> Enclosure:
    """The reference path of :func:`logsumexp_sum` (mpmath, directed rounding), always available.

    >>> reference_logsumexp_sum(np.array([[0.0, float("-inf")], [2.0, 2.0]]), np.array([1.0, 0.5])).decimal(15)
    '1.34657359027997'
    """
    zs = _float_array(z, "z", 2)
    _check_z(zs)
    weights = _weights(w, zs.shape[0], False)
    keep = weights > 0
    zs, weights = zs[keep] + 0.0, weights[keep]
    if zs.size and np.any(np.all(zs == -np.inf, axis=1)):
        return _NEG_INF
    if zs.shape[0] == 0:
        return Enclosure.exact(0)
    rows, inverse = np.unique(zs, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    pairs, counts = np.unique(np.stack([inverse.astype(np.float64), weights], axis=1), axis=0, return_counts=True)

    def run(wp: int) -> Enclosure | None:
        acc, lses = _Acc(wp + 8), {}
        for (r, wv), c in zip(pairs.tolist(), counts.tolist()):
            r = int(r)
            if r not in lses:
                lses[r] = _lse_enclosure(rows[r], wp)
            acc.add(_exact_weight(c, wv), *lses[r])
        return acc.enclosure(rel_bits)

    total = float(np.sum(weights))
    return _escalate(run, _start_precision(rel_bits, zs.shape[0], total), rel_bits, "the sum of w LSE(z)")


def _lse_enclosure(row: np.ndarray, wp: int) -> tuple[tuple, tuple]:
    finite = row[np.isfinite(row)]
    m = float(finite.max())
    values, counts = np.unique(finite, return_counts=True)
    cut = float(wp + 64)  # exp(d) < 2**-(wp + 64) when d <= -(wp + 64)
    far = (values - m) < -(cut * 1.001 + 1.0)  # float rounding of values - m cannot undo this margin
    s_lo = s_hi = fzero
    big_m = from_float(m, 53, round_floor)
    for v, c in zip(values[~far].tolist(), counts[~far].tolist()):
        d = mpf_sub(from_float(v, 53, round_floor), big_m, 0)  # exact
        a, b = (from_int(1), from_int(1)) if d == fzero else _outward(mpf_exp(d, wp, round_floor), wp)
        s_lo = mpf_add(s_lo, mpf_mul(from_int(c), a, wp, round_floor), wp, round_floor)
        s_hi = mpf_add(s_hi, mpf_mul(from_int(c), b, wp, round_ceiling), wp, round_ceiling)
    n_far = int(counts[far].sum())
    if n_far:
        s_hi = mpf_add(s_hi, from_man_exp(n_far, -(wp + 64)), wp, round_ceiling)
    tiny = (0, 1, -2 * wp, 1)
    lo = fzero if s_lo == from_int(1) else _outward(mpf_log(s_lo, wp, round_floor), wp, tiny)[0]
    hi = _outward(mpf_log(s_hi, wp, round_ceiling), wp, tiny)[1] if s_hi != from_int(1) else fzero
    return mpf_add(big_m, lo, 0), mpf_add(big_m, hi, 0)
