"""Exact, certified gradients of the losses with respect to their inputs: an oracle for autograd.

Each elementwise derivative is ``sympy.diff`` of the loss as :mod:`symxent.measures` writes it,
with the inputs as symbols (:func:`formula`); at each element the exact binary inputs are
substituted and the result is certified by :func:`symxent.evaluate`. The softmax of
``cce`` from logits is the same derivative, ``A e^{x_j} / sum_k e^{x_k} - a_j``, evaluated as
``((A - a_j) e^{x_j - m} - a_j R_j) / S`` with ``S = sum_k e^{x_k - m}`` and ``R_j = S - e^{x_j - m}``
enclosed once per row in integers (no ``1 - softmax`` cancels, and a row of 10^4 classes takes
a fraction of a second); the decimals and roundings of each element are worked out when read
(:class:`LazyCertified`), and an element that enclosure cannot decide is certified on its own.

The gradient is that of the *reduced* loss: ``sum`` and ``none`` (what ``loss.sum().backward()``
differentiates) give the elementwise derivative, ``mean`` divides it by the mean's divisor.

>>> from symxent.crosscheck import make_problem
>>> [str(g) for g in exact_gradient(make_problem("bce", [1, 0], [0.5, 0.25], reduction="sum"), digits=10)]
['-2.000000000', '1.333333333']
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache, partial
from typing import Callable

import numpy as np
import sympy as sp
from mpmath import libmp

from ..errors import DomainError, UnsupportedError
from ..exact import evaluate
from ..exact.enclosure import Enclosure
from ..exact.interval import to_fraction
from .oracle import Certified, certify, math_divisor
from .problem import Problem
from .terms import Terms

__all__ = ["WRT", "formula", "exact_gradient", "gradient_wrt"]

WRT = {"bce": ("prediction",), "cce": ("prediction",), "kl": ("prediction",), "gaussian_nll": ("prediction", "var")}
"""The inputs each measure's gradient is certified for (the prediction: q, logits, Q or the mean)."""

_ALIASES = {"q": "prediction", "logits": "prediction", "logit": "prediction", "mean": "prediction", "mu": "prediction",
            "input": "prediction", "variance": "var"}
_BIG = 1100  # beyond this |argument| an exponential is enclosed by a power of two, not computed
_TINY = Fraction(1, 2**1500)  # > e^-1100: below half of every format's smallest subnormal

y_, p_, a_, b_ = sp.symbols("y p a b", nonnegative=True)
q_, r_, v_, s_ = sp.symbols("q r v s", positive=True)
x_, mu_ = sp.symbols("x mu", real=True)


def gradient_wrt(measure: str, wrt: str) -> str:
    """The canonical name of the input (``"q"``, ``"logits"``, ``"mean"`` -> ``"prediction"``).

    >>> gradient_wrt("gaussian_nll", "variance")
    'var'
    """
    name = _ALIASES.get(wrt, wrt)
    if measure not in WRT:
        raise UnsupportedError(f"measure={measure!r} has no certified gradient; one of {', '.join(WRT)}")
    if name not in WRT[measure]:
        raise UnsupportedError(f"wrt={wrt!r}: {measure} gradients are taken with respect to {', '.join(WRT[measure])}")
    return name


@cache
def formula(measure: str, wrt: str = "prediction", logits: bool = False) -> sp.Expr:
    """The elementwise derivative, by ``sympy.diff`` of the project's expression of the loss.

    Symbols: ``y`` label, ``q`` probability, ``x`` logit, ``p`` target probability, ``mu`` mean,
    ``v`` variance; for ``cce`` ``a`` the weighted target of the class, ``s`` the sum of the
    weighted targets of the row (``A``) and ``r`` the other classes' ``sum e^{x_k}``.

    >>> formula("bce")
    (1 - y)/(1 - q) - y/q
    >>> formula("bce", logits=True)
    -y + 1/(1 + exp(-x))
    >>> formula("cce", logits=True)
    -a + s*exp(x)/(r + exp(x))
    >>> formula("gaussian_nll", "var")
    1/(2*v) - (-mu + y)**2/(2*v**2)
    """
    from ..measures import binary_cross_entropy, cross_entropy, gaussian_nll, kl_divergence
    if measure == "bce" and logits:
        sigmoid = 1 / (1 + sp.exp(-x_))
        d = sp.diff(binary_cross_entropy(y_, sigmoid), x_)
        assert sp.simplify(d - (sigmoid - y_)) == 0  # the derivation, checked once: sigmoid - y
        return sigmoid - y_
    if measure == "bce":
        return sp.diff(binary_cross_entropy(y_, q_), q_)
    if measure == "kl":
        return sp.diff(kl_divergence([p_, 1 - p_], [q_, r_]), q_)
    if measure == "cce" and logits:
        # the row's loss in x_j: s log(e^{x_j} + r) - a x_j (+ what does not depend on x_j)
        return sp.diff(s_ * sp.log(sp.exp(x_) + r_) - a_ * x_, x_)
    if measure == "cce":
        return sp.diff(cross_entropy([a_, b_], [q_, r_]), q_)
    if measure == "gaussian_nll":
        nll = gaussian_nll(y_, mu_, sp.sqrt(v_))
        return sp.diff(nll, mu_ if wrt == "prediction" else v_)
    raise UnsupportedError(f"measure={measure!r} has no certified gradient; one of {', '.join(WRT)}")


def exact_gradient(p: Problem, wrt: str = "prediction", *, digits: int = 30) -> list[Certified]:
    """The certified gradient of the reduced loss with respect to ``wrt``, one value per element
    of that input, in its (row-major) order.

    >>> from symxent.crosscheck import make_problem
    >>> g = exact_gradient(make_problem("cce", [0], [[0.0, 0.0]], logits=True), digits=5)
    >>> [str(v) for v in g]
    ['-0.50000', '0.50000']
    """
    wrt = gradient_wrt(p.measure, wrt)
    if p.invalid is not None:
        raise DomainError(f"the gradient is undefined: {p.invalid}")
    scale = Fraction(1)
    if p.reduction == "mean":
        divisor = math_divisor(p)
        if not divisor:
            raise DomainError("the mean over zero samples (all ignored, or zero total weight) is 0/0")
        scale = 1 / divisor
    if p.measure == "cce":
        return _cce(p, scale, digits)
    expr = formula(p.measure, wrt, p.logits)
    if p.measure == "kl":
        return [_elementwise(expr, {p_: t, q_: q}, scale, digits, q_)
                for t, q in zip(p.target.ravel().tolist(), p.prediction.ravel().tolist())]
    if p.measure == "bce":
        if p.logits:
            return [_sigmoid_minus(Fraction(y), x, scale, digits)
                    for y, x in zip(p.target.tolist(), p.prediction.tolist())]
        return [_elementwise(expr, {y_: y, q_: q}, scale, digits, q_) for y, q in zip(p.target.tolist(), p.prediction.tolist())]
    assert p.var is not None, "the Gaussian NLL carries its variances"
    return [_elementwise(expr, {y_: y, mu_: m, v_: v}, scale, digits, None)
            for y, m, v in zip(p.target.tolist(), p.prediction.tolist(), p.var.tolist())]


def _elementwise(expr: sp.Expr, values: dict, scale: Fraction, digits: int, edge) -> Certified:
    """``scale * expr`` at exact values; at an edge of the domain (q = 0 or 1) its one-sided limit."""
    point = expr
    for sym in sorted(values, key=lambda s: s == edge):  # labels first: y = 0 removes y/q before q = 0
        point = point.subs(sym, sp.Rational(Fraction(values[sym])))
    if point.has(sp.zoo, sp.nan) or not point.is_finite:
        inner = expr.subs({s: sp.Rational(Fraction(v)) for s, v in values.items() if s != edge})
        at = Fraction(values[edge])
        point = sp.limit(inner, edge, sp.Rational(at), "+" if at == 0 else "-")
    return _certified(sp.Rational(scale) * point, digits)


def _certified(expr: sp.Expr, digits: int) -> Certified:
    if expr in (sp.oo, -sp.oo):
        inf = math.inf if expr == sp.oo else -math.inf
        return certify(lambda bits: Enclosure(inf, inf), digits)
    v = evaluate(expr, digits, formats=("float32", "bfloat16"))
    floats = {name: v.floats.get(name) for name in ("float64", "float32", "bfloat16")}
    floats["float64"] = v.floats.get("float64", Fraction(v.float64) if math.isfinite(v.float64) else v.float64)
    return Certified(Enclosure(v.lower, v.upper), digits, v.decimal, floats)


def _exp(lo: Fraction | float, hi: Fraction | float, bits: int) -> tuple[Fraction, Fraction]:
    """An enclosure of ``[e^lo, e^hi]`` (outward rounding); tiny exponentials by a power of two."""
    def one(t, rnd):
        if t == -math.inf:
            return Fraction(0)
        if t < -_BIG:
            return Fraction(0) if rnd == "f" else _TINY
        arg = libmp.from_rational(t.numerator, t.denominator, bits + 16, rnd)
        return to_fraction(libmp.mpf_exp(arg, bits + 16, rnd))
    # mpmath's exp is accurate to about an ULP but its directed rounding is not guaranteed: pad
    # each end point outward by 2^-bits relatively (far more than the error at bits + 16)
    pad = Fraction(1, 2**bits)
    return one(lo, "f") * (1 - pad), one(hi, "c") * (1 + pad)


def _sigmoid_minus(y: Fraction, x: float, scale: Fraction, digits: int) -> Certified:
    """``scale * (1/(1 + e^{-x}) - y)``: :func:`formula` ``("bce", logits=True)``, certified."""
    if abs(x) <= 700:
        return _certified(sp.Rational(scale) * formula("bce", logits=True).subs({x_: sp.Rational(Fraction(x)),
                                                                                  y_: sp.Rational(y)}), digits)

    def compute(bits: int) -> Enclosure:
        if x < -_BIG:  # e^{-x} > 2^1500: sigmoid(x) lies in [0, 2^-1500]
            s = Enclosure(0, _TINY)
        elif x > _BIG:
            s = Enclosure(1 - _TINY, 1)
        else:
            lo, hi = _exp(-Fraction(x), -Fraction(x), bits)  # sigmoid = 1/(1 + e^{-x}) decreases in it
            s = Enclosure(1 / (1 + hi), 1 / (1 + lo))
        return (s - y).scale(scale)
    return certify(compute, digits, strict=False)  # e^{-1e300} has no decimal to print: its midpoint


def row_targets(p: Problem, i: int, w: list | None = None, eps: Fraction | None = None) -> list[Fraction]:
    """Row i's weighted, smoothed targets ``a_j = w_j ((1 - eps) t_j + eps / K)``, exactly."""
    k = p.prediction.shape[1]
    if w is None:
        w = [Fraction(v) for v in (p.weight.tolist() if p.weight is not None else [1] * k)]
    eps = Fraction(p.label_smoothing) if eps is None else eps
    if p.integer_labels:
        t = [Fraction(0)] * k
        t[int(p.target[i])] = Fraction(1)
    else:
        t = [Fraction(v) for v in p.target[i].tolist()]
    if eps:
        return [wc * ((1 - eps) * tc + eps / k) for wc, tc in zip(w, t)]
    return t if p.weight is None else [wc * tc for wc, tc in zip(w, t)]


def _cce(p: Problem, scale: Fraction, digits: int) -> list[Certified]:
    n, k = p.prediction.shape
    w = [Fraction(v) for v in (p.weight.tolist() if p.weight is not None else [1] * k)]
    eps = Fraction(p.label_smoothing)
    out: list[Certified] = []
    for i in range(n):
        row = p.prediction[i]
        if p.integer_labels and p.ignore_index is not None and p.target[i] == p.ignore_index:
            zero = certify(lambda bits: Enclosure.exact(0), digits)
            out.extend(LazyCertified(zero.enclosure, digits, lambda: zero) for _ in range(k))
            continue
        a = row_targets(p, i, w, eps)
        total = sum(a, Fraction(0))
        if p.logits:
            out.extend(_softmax_row(row, a, total, scale, digits))
        else:
            expr = formula("cce")
            out.extend(_elementwise(expr, {a_: ac, q_: q}, scale, digits, q_) for ac, q in zip(a, row.tolist()))
    return out


def _softmax_row(row: np.ndarray, a: list, total: Fraction, scale: Fraction, digits: int) -> list[Certified]:
    """``scale * (A exp(x_j - lse) - a_j)`` for every class j of one row.

    The whole row at once (:func:`_softmax_row_fast`); an element whose enclosure that way is
    not tight (a gradient cancelling to nearly 0) is certified on its own (:func:`_softmax_row_slow`).
    """
    if np.all(row == -np.inf):
        raise DomainError("a row of logits is all -inf: its softmax is 0/0")
    if not np.all(np.isfinite(row) | (row == -np.inf)):
        return _softmax_row_slow(row, a, total, scale, digits)
    out: list[Certified | None] = _softmax_row_fast(row, a, total, scale, digits)
    if all(c is not None for c in out):
        return out  # type: ignore[return-value]
    slow = _softmax_row_slow(row, a, total, scale, digits, [j for j, c in enumerate(out) if c is None])
    it = iter(slow)
    return [c if c is not None else next(it) for c in out]


class LazyCertified(Certified):
    """A :class:`Certified` whose decimal and roundings are worked out when first read.

    The enclosure is tight (computed at more bits than ``digits`` needs); should it still not
    decide them (a tie, a value at a rounding boundary), ``fallback()`` certifies the element on
    its own, escalating the precision, and its enclosure replaces this one.
    """

    def __init__(self, enclosure: Enclosure, digits: int, fallback: Callable[[], Certified]):
        object.__setattr__(self, "enclosure", enclosure)
        object.__setattr__(self, "digits", digits)
        object.__setattr__(self, "_fallback", fallback)
        object.__setattr__(self, "_done", None)

    def _resolved(self) -> tuple[str | None, dict]:
        done = self.__dict__["_done"]
        if done is None:
            e = self.enclosure
            dec = e.decimal(self.digits)
            floats = {name: e.rounded(name) for name in ("float64", "float32", "bfloat16")}
            if dec is None or any(v is None for v in floats.values()):
                slow = self.__dict__["_fallback"]()
                object.__setattr__(self, "enclosure", slow.enclosure)
                dec, floats = slow.decimal, slow.floats
            done = (dec, floats)
            object.__setattr__(self, "_done", done)
        return done

    @property
    def decimal(self) -> str | None:
        return self._resolved()[0]

    @property
    def floats(self) -> dict:
        return self._resolved()[1]


def _exact_certified(v: Fraction, digits: int) -> Certified:
    return certify(lambda bits: Enclosure.exact(v), digits)


def _one_slow(row: np.ndarray, a: list, total: Fraction, scale: Fraction, digits: int, j: int) -> Certified:
    return _softmax_row_slow(row, a, total, scale, digits, [j])[0]


def _ordered(lo: Fraction, hi: Fraction) -> Enclosure:
    """``Enclosure(lo, hi)`` of two Fractions already in order, without converting them again."""
    e = object.__new__(Enclosure)
    object.__setattr__(e, "lo", lo)
    object.__setattr__(e, "hi", hi)
    return e


def _fixed(mpf: tuple, shift: int, up: bool) -> int:
    """``floor`` (or ``ceil``) of ``mpf * 2^shift`` as an integer (mpf non-negative)."""
    sign, man, exp, _ = mpf
    assert not sign
    n = exp + shift
    if n >= 0:
        return man << n
    return -((-man) >> -n) if up else man >> -n


def _softmax_row_fast(row: np.ndarray, a: list, total: Fraction, scale: Fraction,
                      digits: int) -> list[Certified | None]:
    """The row's gradient with one shared enclosure of ``S = sum_k e^{x_k - m}``, in integers.

    Each ``e^{x_k - m}`` (m the row's maximum) is enclosed at ``bits + 16`` bits by mpmath, padded
    outward by ``2^-bits``, and held as integer lower and upper bounds in units of ``2^-F``; the
    sums of the bounds enclose S and, less element j's bounds, the other classes' sum ``R_j``
    exactly. Then ``g_j = scale ((A - a_j) e_j - a_j R_j) / S``: no ``1 - softmax`` cancels.
    None for an element whose enclosure is not tight enough (certified on its own instead).
    """
    bits = int(digits * 3.33) + 64
    prec = bits + 16
    frac = 1600 + prec  # e^{t} >= 2^-1587 for t >= -_BIG keeps prec bits in units of 2^-frac
    tiny_hi = 1 << (frac - 1500)  # _TINY in those units
    m = float(np.max(row))
    mm = libmp.from_float(m)
    lows: list[int] = []
    highs: list[int] = []
    pad_lo, pad_hi = (1 << bits) - 1, (1 << bits) + 1
    for x in row.tolist():
        if x == -math.inf:
            lows.append(0)
            highs.append(0)
            continue
        t = libmp.mpf_sub(libmp.from_float(x), mm)  # exact (no precision given)
        if libmp.mpf_lt(t, libmp.from_int(-_BIG)):
            lows.append(0)
            highs.append(tiny_hi)
            continue
        ex = libmp.mpf_exp(t, prec)  # within an ULP or so of 2^-prec: the pad of 2^-bits covers it
        lows.append(_fixed((0, ex[1] * pad_lo, ex[2], 0), frac - bits, False))
        highs.append(_fixed((0, ex[1] * pad_hi, ex[2], 0), frac - bits, True))
    s_lo, s_hi = sum(lows), sum(highs)
    # the targets over one common denominator: a_j = num_j / den, A = num_A / den
    den = math.lcm(*{v.denominator for v in a}, total.denominator)
    nums = [v.numerator * (den // v.denominator) for v in a]
    num_total = total.numerator * (den // total.denominator)
    sc = scale / den
    sc_num, sc_den = sc.numerator, sc.denominator
    out: list[Certified | None] = []
    for j, (lo, hi) in enumerate(zip(lows, highs)):
        if row[j] == -np.inf:  # softmax 0 exactly: the gradient is -a_j
            v = -a[j] * scale
            out.append(LazyCertified(Enclosure.exact(v), digits, partial(_exact_certified, v, digits)))
            continue
        c1, c2 = num_total - nums[j], nums[j]
        r_lo, r_hi = s_lo - lo, s_hi - hi
        n_lo, n_hi = c1 * lo - c2 * r_hi, c1 * hi - c2 * r_lo  # in units of 2^-frac / den
        if lo == 0 and not c2:  # e^{x_j - m} below 2^-1500: the enclosure [0, tiny] is all there is
            n_lo, lo_div, hi_div = 0, s_hi, s_lo
        elif n_lo > 0:
            lo_div, hi_div = s_hi, s_lo
        elif n_hi < 0:
            lo_div, hi_div = s_lo, s_hi
        else:
            out.append(None)
            continue
        # outward to dyadic rationals of about bits + 8 significant bits: q = k / 2^g
        g = bits + 8 - (max(abs(n_lo), abs(n_hi)).bit_length() - s_lo.bit_length())
        up = 1 << g if g >= 0 else 1
        down = 1 if g >= 0 else 1 << -g
        k_lo = (n_lo * up) // (lo_div * down)
        k_hi = -((-n_hi * up) // (hi_div * down))
        if lo and (k_hi - k_lo) << (bits - 24) > min(abs(k_lo), abs(k_hi)):
            out.append(None)
            continue
        den_g = sc_den << g if g >= 0 else sc_den
        mul = sc_num if g >= 0 else sc_num << -g
        e = _ordered(Fraction(k_lo * mul, den_g), Fraction(k_hi * mul, den_g))
        out.append(LazyCertified(e, digits, partial(_one_slow, row, a, total, scale, digits, j)))
    return out


def _softmax_row_slow(row: np.ndarray, a: list, total: Fraction, scale: Fraction, digits: int,
                      only: list[int] | None = None) -> list[Certified]:
    """Each element on its own: ``certify`` raises the precision of its enclosure until decided."""
    cache: dict[int, Enclosure] = {}

    def lse(bits: int) -> Enclosure:
        if bits not in cache:
            cache[bits] = Terms().lse(row[None, :]).enclose(bits + 8)
        return cache[bits]

    def one(j: int) -> Certified:
        xj = row[j]

        def compute(bits: int) -> Enclosure:
            if xj == -np.inf:
                return Enclosure.exact(-a[j] * scale)
            L = lse(bits)
            lo, hi = _exp(Fraction(xj) - L.hi, Fraction(xj) - L.lo, bits)
            return (Enclosure(lo, hi).scale(total) - a[j]).scale(scale)
        return certify(compute, digits, strict=False)
    return [one(j) for j in (range(row.size) if only is None else only)]

