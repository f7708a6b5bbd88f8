"""Exact linear combinations of certified sums: the one interface every loss is written in.

A loss, as the mathematics defines it or as a library documents it, is a sum of blocks with
exact rational coefficients: ``sum w log x`` (:func:`symxent.exact.sums.log_sum`),
``sum w LSE(z)`` (:func:`symxent.exact.sums.logsumexp_sum`), ``sum w exp x``, ``sum w lgamma``
and exact rationals. Weights may be any exact dyadic numbers: they are split into float64
parts (an exact expansion), so the sums still go through the dispatching functions and a faster
certified kernel replaces the evaluation without touching any loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

import mpmath
from mpmath.libmp import from_man_exp
import numpy as np

from ..errors import PrecisionError, UnsupportedError
from ..exact.enclosure import Enclosure
from ..exact.interval import to_fraction
from ..exact.sums import log_sum, logsumexp_sum

__all__ = ["Terms", "float_expansion", "exact_sum"]

_MAX_PARTS = 48
_INF, _NEG_INF = float("inf"), float("-inf")


def exact_sum(values: Any) -> Fraction:
    """The exact sum of float64 values (or Fractions).

    >>> exact_sum([0.1, 0.2]) == Fraction(0.1) + Fraction(0.2)
    True
    """
    return sum((Fraction(v) for v in np.asarray(values, dtype=object).ravel().tolist()), Fraction(0))


def float_expansion(weights: Sequence[Fraction]) -> list[np.ndarray]:
    """Float64 arrays whose sum is exactly ``weights`` (dyadic rationals), largest part first.

    >>> parts = float_expansion([Fraction(0.1) * Fraction(0.3)])
    >>> len(parts), sum(Fraction(p[0]) for p in parts) == Fraction(0.1) * Fraction(0.3)
    (2, True)
    """
    rest = [Fraction(w) for w in weights]
    parts: list[np.ndarray] = []
    for _ in range(_MAX_PARTS):
        if not any(rest):
            return parts
        part = np.array([float(r) for r in rest])
        parts.append(part)
        rest = [r - Fraction(p) for r, p in zip(rest, part.tolist())]
    raise PrecisionError("weights are not dyadic rationals of float64 range; cannot expand them exactly")


def _signed_parts(weights: Any) -> list[tuple[int, np.ndarray]]:
    """``(sign, non-negative float64 weights)`` pairs adding up exactly to ``weights``."""
    if isinstance(weights, np.ndarray) and weights.dtype == np.float64:
        parts = [weights]
    else:
        parts = float_expansion(weights)
    out = []
    for part in parts:
        for sign in (1, -1):
            w = np.where(sign * part > 0, np.abs(part), 0.0)
            if w.any():
                out.append((sign, w))
    return out


@dataclass
class Terms:
    """``sum_k c_k * block_k`` with exact rational ``c_k``; :meth:`enclose` certifies it.

    >>> t = Terms()
    >>> t.log(np.array([0.5]), coef=-1).const(Fraction(1, 2))
    Terms(...)
    >>> t.enclose(100).decimal(10)
    '1.193147181'
    """

    blocks: list = field(default_factory=list)

    def __repr__(self) -> str:
        return "Terms(...)"

    def log(self, x: np.ndarray, w: Any = None, *, coef: Any = 1, complement: bool = False,
            w_complement: bool = False) -> "Terms":
        """Add ``coef * sum w log x`` (``log(1 - x)`` with ``complement``, weights ``1 - w`` with
        ``w_complement``, which needs float64 weights)."""
        if x.size:
            w = np.ones(x.size) if w is None else w
            self.blocks.append((Fraction(coef), "log", (x, w, complement, w_complement)))
        return self

    def enclosure(self, fn: Any, *, coef: Any = 1) -> "Terms":
        """Add ``coef * fn(rel_bits)`` for a function returning an :class:`Enclosure`."""
        self.blocks.append((Fraction(coef), "fn", (fn,)))
        return self

    def lse(self, z: np.ndarray, w: Any = None, *, coef: Any = 1) -> "Terms":
        """Add ``coef * sum_i w_i log sum_k exp z_ik``."""
        if z.shape[0]:
            self.blocks.append((Fraction(coef), "lse", (z, np.ones(z.shape[0]) if w is None else w)))
        return self

    def exp(self, x: np.ndarray, w: Any = None, *, coef: Any = 1) -> "Terms":
        """Add ``coef * sum w exp x``."""
        if x.size:
            self.blocks.append((Fraction(coef), "exp", (x, np.ones(x.size) if w is None else w)))
        return self

    def lgamma1(self, y: np.ndarray, *, coef: Any = 1) -> "Terms":
        """Add ``coef * sum log Gamma(y + 1)`` (``log y!`` for integers)."""
        if y.size:
            self.blocks.append((Fraction(coef), "lgamma1", (y,)))
        return self

    def log_exact(self, s: Sequence[Fraction], w: Sequence[Any], *, coef: Any = 1) -> "Terms":
        """Add ``coef * sum w log s`` for exact positive dyadic numbers s that need not be floats
        (a row sum used to renormalise)."""
        if len(s):
            self.blocks.append((Fraction(coef), "log_exact", (list(s), list(w))))
        return self

    def const(self, value: Any) -> "Terms":
        """Add an exact number (a Fraction, or ±inf)."""
        self.blocks.append((Fraction(1), "const", (value,)))
        return self

    def magnitude(self, rel_bits: int = 64) -> float:
        """``sum |c_k * block_k|`` (a float): the size of what cancels when the blocks are added."""
        total = 0.0
        for coef, kind, args in self.blocks:
            block = _BLOCKS[kind](*args, rel_bits=rel_bits)
            if block.is_finite and coef:
                total += abs(float(coef)) * max(abs(float(block.lo)), abs(float(block.hi)))
        return total

    def enclose(self, rel_bits: int) -> Enclosure:
        total = Enclosure.exact(0)
        for coef, kind, args in self.blocks:
            if coef == 0:
                continue
            block = _BLOCKS[kind](*args, rel_bits=rel_bits)
            total = _add(total, block.scale(coef) if block.is_finite else _scale_inf(block, coef))
        return total


def _scale_inf(e: Enclosure, c: Fraction) -> Enclosure:
    v = e.lo if e.lo == e.hi else None
    if v is None:
        raise PrecisionError("an enclosure with one infinite end point cannot be scaled")
    return Enclosure.exact(v if c > 0 else -v)


def _add(a: Enclosure, b: Enclosure) -> Enclosure:
    infs = {x for e in (a, b) if not e.is_finite for x in (e.lo, e.hi) if isinstance(x, float)}
    if infs == {_INF, _NEG_INF}:
        raise UnsupportedError("the value is inf - inf: it is not defined")
    if infs:
        v = infs.pop()
        return Enclosure(v, v)
    return a + b


def _weighted(fn, w: Any, **kw) -> Enclosure:
    total = Enclosure.exact(0)
    for sign, part in _signed_parts(w):
        e = fn(part, **kw)
        total = _add(total, e if sign > 0 else (-e if not e.is_finite else Enclosure(-e.hi, -e.lo)))
    return total


def _log_block(x, w, complement, w_complement, *, rel_bits):
    if w_complement:
        return log_sum(x, w, complement=complement, w_complement=True, rel_bits=rel_bits)
    return _weighted(lambda part: log_sum(x, part, complement=complement, rel_bits=rel_bits), w)


def _lse_block(z, w, *, rel_bits):
    return _weighted(lambda part: logsumexp_sum(z, part, rel_bits=rel_bits), w)


def _exp_block(x, w, *, rel_bits):
    """``sum w exp x``: exp(x) = exp(LSE([x])) is not a log; evaluated here with padding."""
    total = Enclosure.exact(0)
    weights = [Fraction(v) for v in (w.tolist() if isinstance(w, np.ndarray) else w)]
    for xv, wv in zip(x.tolist(), weights):
        if wv:
            lo, hi = _mp_enclose(lambda: mpmath.exp(mpmath.mpf(xv)), rel_bits)
            total = total + Enclosure(lo, hi).scale(wv)
    return total


def _lgamma_block(y, *, rel_bits):
    total = Enclosure.exact(0)
    for v in y.tolist():
        if v in (0.0, 1.0):
            continue
        lo, hi = _mp_enclose(lambda: mpmath.loggamma(mpmath.fadd(v, 1, exact=True)), rel_bits)
        total = total + Enclosure(lo, hi)
    return total


def _mp_enclose(f, rel_bits: int) -> tuple[Fraction, Fraction]:
    """Evaluate at rel_bits + 32 bits and widen by 2**-(rel_bits + 24) relative plus a tiny absolute."""
    wp = rel_bits + 32
    with mpmath.workprec(wp):
        v = f()
    value = to_fraction(v._mpf_)
    pad = abs(value) / 2 ** (rel_bits + 24) + Fraction(1, 2 ** (2 * wp))
    return value - pad, value + pad


def _log_exact_block(s, w, *, rel_bits):
    total = Enclosure.exact(0)
    for sv, wv in zip(s, w):
        sv, wv = Fraction(sv), Fraction(wv)
        if wv == 0 or sv == 1:
            continue
        if sv <= 0:
            return Enclosure(_NEG_INF, _NEG_INF)
        if sv.denominator & (sv.denominator - 1):
            raise PrecisionError(f"s={sv} is not a dyadic rational")
        exact = mpmath.mp.make_mpf(from_man_exp(sv.numerator, 1 - sv.denominator.bit_length()))
        lo, hi = _mp_enclose(lambda: mpmath.log(exact), rel_bits)
        total = total + Enclosure(lo, hi).scale(wv)
    return total


def _const_block(value, *, rel_bits):
    if isinstance(value, float) and math.isinf(value):
        return Enclosure(value, value)
    return Enclosure.exact(Fraction(value))


def _fn_block(fn, *, rel_bits):
    return fn(rel_bits)


_BLOCKS: dict[str, Callable[..., Enclosure]] = {"log": _log_block, "lse": _lse_block, "exp": _exp_block, "lgamma1": _lgamma_block,
           "const": _const_block, "fn": _fn_block,
           "log_exact": _log_exact_block}
