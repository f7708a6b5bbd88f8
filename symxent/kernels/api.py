"""The kernels' public entry points, with the contract of :mod:`symxent.exact.sums`.

They accept only what they can certify and return ``None`` for anything else (NaN, negative
values, probabilities above 1 with ``complement``, an environment that flushes subnormals): the
dispatcher then takes the independent exact reference path, which also reports bad input.
A few elements the kernel cannot take (subnormal inputs, weights outside ``[2**-900, 2**900]``)
are split off and summed on their own (:func:`_split_hard`), so they cost per element, never
the whole array.

>>> import numpy as np
>>> log_sum(np.array([0.5, 0.25])).decimal(20)
'-2.0794415416798359283'
>>> log_sum(np.array([0.0, 0.5]), np.array([0.0, 1.0])).decimal(5)   # 0 log 0 = 0
'-0.69315'
>>> log_sum(np.array([0.75]), complement=True).decimal(10)
'-1.386294361'
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact.enclosure import Enclosure
from . import fpenv, jit
from .eft import exact_sum, pow2, two_prod
from .logsum import ABS_UNDERFLOW, kernel_log_sum
from .table import FRAC_BITS, TRUST_BITS, log2_fixed

__all__ = ["log_sum", "group_repeats"]

_NEG_INF = Enclosure(float("-inf"), float("-inf"))
_TINY_NORMAL = 2.0**-1022


def as_float64(a: Any, ndim: int) -> np.ndarray | None:
    """A float64 array of ``ndim`` dimensions holding exactly the values of ``a``, or None."""
    try:
        arr = np.asarray(a)
    except Exception:  # noqa: BLE001 - anything numpy cannot read is the reference path's business
        return None
    if arr.ndim != ndim or arr.dtype.kind not in "fiub" or arr.dtype.itemsize > 8:
        return None
    if arr.dtype.kind in "iu" and arr.size and np.max(np.abs(arr)) > 2**53:
        return None
    return np.ascontiguousarray(arr, dtype=np.float64)


def _complement_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``1 - x = yh + yl`` exactly for ``x`` in ``[0, 1]`` (Dekker's FastTwoSum, ``|1| >= |x|``).

    Chunked, so that the temporaries stay in cache.
    """
    yh, yl = np.empty_like(x), np.empty_like(x)
    step = 1 << 15
    for s in range(0, x.size, step):
        xc, hc, lc = x[s:s + step], yh[s:s + step], yl[s:s + step]
        np.subtract(1.0, xc, out=hc)
        np.subtract(hc, 1.0, out=lc)
        np.add(lc, xc, out=lc)
        np.negative(lc, out=lc)  # (-x) - (yh - 1) = -((yh - 1) + x), exactly the same rounding
    return yh, yl


def _correction(yh: np.ndarray, yl: np.ndarray, w: np.ndarray | None, rel_bits: int,
                scale: float) -> tuple[Fraction, Fraction]:
    """``sum w log(1 + yl/yh)`` for ``yh`` in ``[1/2, 1]``, ``|yl| <= 2**-54``: ``(value, err)``.

    With ``v = yl / yh`` (``|v| <= 2**-53``): ``log(1+v) = v - v**2/2 + theta``,
    ``|theta| <= |v|**3 / (3 (1 - |v|)) < 2**-158``. ``v = vh + vl`` where ``vh = fl(yl/yh)`` and
    ``vl = fl(((yl - p) - e) / yh)`` with ``p + e = vh * yh`` (two_prod; ``yl - p`` is exact by
    Sterbenz), so ``|v - vh - vl| <= 3 u |vl| + underflow < 2**-155``; ``v**2`` is replaced by
    ``fl(vh**2)``, off by less than ``2**-156``. Each term is thus within ``2**-150`` (``w`` times
    that with weights, plus the roundings of ``w vl`` and ``w vh**2``, also below ``w 2**-150``).
    """
    vh = yl / yh
    p, e = two_prod(vh, yh)
    vl = ((yl - p) - e) / yh
    sq = vh * vh * 0.5
    tol = pow2(-rel_bits - 6) * Fraction(max(1.0, scale))
    if w is None:
        vecs, wsum = [vh, vl, -sq], Fraction(yh.size)
    else:
        a, b = two_prod(w, vh)
        vecs, wsum = [a, b, w * vl, -(w * sq)], Fraction(float(np.sum(np.abs(w)))) * 2
    value, err = Fraction(0), wsum * pow2(-150) + yh.size * ABS_UNDERFLOW
    for v in vecs:
        s, r = exact_sum(v, tol / len(vecs))
        value, err = value + s, err + r
    return value, err


def _weights_ok(w: np.ndarray) -> bool:
    """Every weight (non-zero by now; negative ones come from ``1 - w`` split in two) has its
    magnitude within ``[2**-900, 2**900]``."""
    if w.size == 0:
        return True
    a = np.abs(w)
    return bool(a.min() >= 2.0**-900 and a.max() <= 2.0**900)


_W_LO, _W_HI = 2.0**-900, 2.0**900
_SUB_SHIFT = 64  # a subnormal times 2**64 is a normal double, exactly
_BIG_SHIFT = 200  # a weight in (2**900, 2**1024) times 2**-200 is within [2**-900, 2**900]
# |log v| < 745 for every positive double v, so a weight below 2**-900 moves the sum by less than
# 2**-890 (its term is dropped and that much added to the half-width)
_TINY_TERM = pow2(-890)


def _one_weight_vector(y: np.ndarray, yl: np.ndarray | None, w: np.ndarray | None,
                       rel_bits: int, checked: bool = False) -> tuple[Fraction, Fraction] | None:
    """``sum w log(y + yl)`` as ``(value, half-width)``, or None. ``checked``: the caller has
    already verified what :func:`_split_hard` looks for (nonzero weights within
    ``[2**-900, 2**900]``, ``y`` normal), so the kernel takes every element.

    Elements the kernel cannot take are split off, not a reason to decline: see
    :func:`_split_hard`.
    """
    if w is not None and not checked:
        keep = w != 0
        if not keep.all():
            y, w = np.compress(keep, y), np.compress(keep, w)
            yl = None if yl is None else np.compress(keep, yl)
    extra = (Fraction(0), Fraction(0))
    if not checked:
        hard = _split_hard(y, yl, w, rel_bits)
        if hard is None:
            return None
        y, yl, w, extra = hard
    main = _kernel_part(y, w, rel_bits)
    if main is None:
        return None
    assert isinstance(main.lo, Fraction) and isinstance(main.hi, Fraction)  # a kernel encloses a finite sum
    mid, rad = (main.lo + main.hi) / 2 + extra[0], (main.hi - main.lo) / 2 + extra[1]
    if yl is not None:
        nz = yl != 0
        if nz.any():
            cv, ce = _correction(np.compress(nz, y), np.compress(nz, yl),
                                 None if w is None else np.compress(nz, w), rel_bits + 2,
                                 float(abs(mid)))
            mid, rad = mid + cv, rad + ce
    return mid, rad


def _kernel_part(y: np.ndarray, w: np.ndarray | None, rel_bits: int) -> Enclosure | None:
    """The compiled kernel (weighted sums, when handed out), else the NumPy one."""
    if y.size == 0:
        return Enclosure.exact(0)
    main = None
    if w is not None:
        compiled = jit.load("wlog")
        if compiled is not None:
            main = compiled.kernel_log_sum(y, w, rel_bits + 2)
    return kernel_log_sum(y, w, rel_bits + 2) if main is None else main


def _split_hard(y: np.ndarray, yl: np.ndarray | None, w: np.ndarray | None, rel_bits: int
                ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, tuple[Fraction, Fraction]] | None:
    """Split off the elements the kernel cannot take; ``(y, yl, w, (value, half-width))``: what
    is left for the kernel, and the certified sum of the rest, each part costing per element.

    * a weight below ``2**-900`` in magnitude: its term is below ``2**-890`` (``|log v| < 745``
      for every positive double), dropped, that much added to the half-width;
    * a weight above ``2**900``: those elements are summed by the kernel on their own, with the
      weights times ``2**-200`` (exact), and the result scaled back by ``2**200`` (exact);
    * a subnormal ``y`` (``yl`` is then None: complements are at least ``2**-53``) is replaced
      by ``y 2**64`` (exact, normal), and ``64 log 2`` times the weight of those elements
      (summed exactly) is subtracted, with the table's ``log 2`` (trusted to ``2**-300``).

    Nothing is copied when there is nothing to split. None only if an exact weight sum cannot run.

    >>> y, yl, w, (v, r) = _split_hard(np.array([0.5, 2.0**-1070]), None, None, 128)
    >>> y.tolist() == [0.5, 2.0**-1006], float(v)   # -64 log 2
    (True, -44.3614195558365)
    """
    value, rad = Fraction(0), Fraction(0)
    if w is not None and w.size:
        a = np.abs(w)
        tiny, big = a < _W_LO, a > _W_HI
        if tiny.any() or big.any():
            rad += int(np.count_nonzero(tiny)) * _TINY_TERM
            if big.any():
                wb = np.compress(big, w) * 2.0**-_BIG_SHIFT
                part = _one_weight_vector(np.compress(big, y), None if yl is None else np.compress(big, yl),
                                          wb, rel_bits + 2)
                if part is None:
                    return None
                value += part[0] * 2**_BIG_SHIFT
                rad += part[1] * 2**_BIG_SHIFT
            keep = ~(tiny | big)
            y, w = np.compress(keep, y), np.compress(keep, w)
            yl = None if yl is None else np.compress(keep, yl)
    if y.size and y.min() < _TINY_NORMAL:
        if yl is not None:  # not expected: complements are at least 2**-53
            return None
        sub = y < _TINY_NORMAL
        y = np.where(sub, y * 2.0**_SUB_SHIFT, y)
        if w is None:
            weight = Fraction(int(np.count_nonzero(sub)))
        else:
            try:
                weight, err = exact_sum(np.compress(sub, w))
            except ArithmeticError:
                return None
            assert err == 0
        l2 = Fraction(log2_fixed(), 2**FRAC_BITS)
        value -= _SUB_SHIFT * weight * l2
        rad += _SUB_SHIFT * abs(weight) * pow2(-TRUST_BITS)
    return y, yl, w, (value, rad)


def log_sum(x: Any, w: Any = None, *, complement: bool = False, w_complement: bool = False,
            rel_bits: int = 128) -> Enclosure | None:
    """Enclose ``sum_i w_i log(x_i)`` (see :mod:`symxent.exact.sums` for the contract), or None.

    When the kernel's bound is too weak for the whole vector (a few terms far larger than the
    sum, which they cancel), those elements are split off (:func:`_split_weak`)."""
    return _log_sum(x, w, complement, w_complement, rel_bits, True)


def _log_sum(x: Any, w: Any, complement: bool, w_complement: bool, rel_bits: int,
             split: bool) -> Enclosure | None:
    if not fpenv.FP_ENV_OK or isinstance(rel_bits, bool) or not isinstance(rel_bits, int):
        return None
    if not 1 <= rel_bits <= 270:
        return None
    xs = as_float64(x, 1)
    if xs is None:
        return None
    xr = _range(xs, 1.0 if complement else np.inf)
    if xr is None:
        return None
    ws = None
    if w is not None:
        ws = as_float64(w, 1)
        if ws is None or ws.shape != xs.shape:
            return None
        wr = _range(ws, 1.0 if w_complement else np.inf)
        if wr is None:
            return None
        if not (complement or w_complement) and wr[0] > 0 and wr != (1.0, 1.0):
            got = _positive_weights(xs, ws, xr, wr, rel_bits)
            return got if got is not None or not split else _split_weak(xs, ws, complement, w_complement, rel_bits)
    pieces = _weight_pieces(ws, w_complement)
    zero = 1.0 if complement else 0.0
    total_mid, total_rad = Fraction(0), Fraction(0)
    for weights in pieces:
        if weights is None:
            xi = xs
        elif weights.dtype == np.bool_:
            xi, weights = np.compress(weights, xs), None  # 3-4x faster than xs[mask]
        else:
            keep = weights != 0
            xi = xs
            if not keep.all():
                xi, weights = np.compress(keep, xs), np.compress(keep, weights)
            if weights.size and weights[0] == 1.0 and np.all(weights == 1.0):
                weights = None
        if xi.size == 0:
            continue
        if np.any(xi == zero):
            return _NEG_INF  # a positive weight on log 0
        if weights is None:
            grouped = group_repeats(xi)
            if grouped is not None:
                xi, weights = grouped
        if complement:
            y, yl = _complement_parts(xi)
        else:
            y, yl = xi, None
        part = _one_weight_vector(y, yl, weights, rel_bits)
        if part is None:
            return _split_weak(xs, ws, complement, w_complement, rel_bits) if split else None
        total_mid += part[0]
        total_rad += part[1]
    got = _finish(total_mid, total_rad, rel_bits)
    return got if got is not None or not split else _split_weak(xs, ws, complement, w_complement, rel_bits)


_KERNEL_BITS = 136  # the most the log kernels are asked for here (they certify up to about 140)
_WEAK_MAX = 1 / 100  # split off at most this fraction (and at least 16 elements may go)


def _split_weak(xs: np.ndarray, ws: np.ndarray | None, complement: bool, w_complement: bool,
                rel_bits: int) -> Enclosure | None:
    """The elements whose terms are too large for the kernel's bound (``|w log x|`` far above
    ``max(1, |S|)``: they cancel), summed by the exact reference path on their own; the rest by
    the kernel, asked for enough bits relative to its own magnitude. The two enclosures add, and
    the total's width is checked against the contract. None when more than a few elements would
    have to go (the whole vector then takes the reference path), or the kernel still declines.

    The split is chosen from float estimates (``a_i = |w_i log x_i|``): the largest ``a_i`` go until
    the rest sums to at most ``2**(_KERNEL_BITS - 6 - rel_bits) max(1, |S_bulk|)``, ``S_bulk`` the
    float sum of all but the ``2 * most`` largest terms (at most half), scaled to ``n`` terms (an
    estimate of ``|S|`` when the huge terms cancel among themselves); it affects the cost only, never the certificate, which is
    the two enclosures and the final check.

    >>> x = np.array([3 * 2.0**600, 2.0**-600 / 3, 0.5, 0.25]); w = np.array([1e12, 1e12, 1.0, 1.0])
    >>> got = _split_weak(x, w, False, False, 128)          # terms of 4e14 that cancel to -5.5e-5
    >>> from symxent.exact.sums import reference_log_sum
    >>> ref = reference_log_sum(x, w, rel_bits=160)
    >>> got.lo <= ref.hi and ref.lo <= got.hi, got.decimal(12)
    (True, '-2.07949705283')
    """
    from ..exact.sums import reference_log_sum

    n = xs.size
    if n < 2:
        return None
    weff = np.ones(n) if ws is None else (1.0 - ws if w_complement else ws)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lx = np.log1p(-xs) if complement else np.log(xs)
        terms = np.where(weff == 0, 0.0, weff * lx)
    if not np.all(np.isfinite(terms)):
        return None
    a = np.abs(terms)
    most = min(n - 1, max(16, int(n * _WEAK_MAX)))
    order = np.argsort(a)  # ascending: the rest is a prefix, its sums have no huge term in them
    pre_a, pre_t = np.cumsum(a[order]), np.cumsum(terms[order])
    # the magnitude of the sum, estimated from the bulk (all but the 2 * most largest terms:
    # the huge ones cancel among themselves, their float sum is noise); keep the smallest terms
    # while their sum of |terms| stays within 2**(_KERNEL_BITS - 6 - rel_bits) of it
    nb = n - min(2 * most, n // 2)
    s_est = max(1.0, abs(float(pre_t[nb - 1])) * n / nb)
    limit = 2.0 ** (_KERNEL_BITS - 6 - rel_bits) * s_est
    keep_n = int(np.searchsorted(pre_a, limit, side="right"))
    if keep_n == n or keep_n < n - most:
        return None  # no term too large (the weak bound is not theirs), or more than a few
    weak = np.zeros(n, dtype=bool)
    weak[order[keep_n:]] = True
    big = max(1.0, float(np.sum(a[order[keep_n:]])))
    rest = max(1.0, float(pre_a[keep_n - 1]))
    pick = (lambda v: None if v is None else np.compress(weak, v))
    drop = (lambda v: None if v is None else np.compress(~weak, v))
    kernel_bits = min(_KERNEL_BITS, rel_bits + max(0, math.ceil(math.log2(rest / s_est))) + 6)
    part = Enclosure.exact(0)
    if keep_n:
        got = _log_sum(drop(xs), drop(ws), complement, w_complement, kernel_bits, False)
        if got is None:
            return None
        part = got
    ref = reference_log_sum(pick(xs), pick(ws), complement=complement, w_complement=w_complement,
                            rel_bits=rel_bits + max(0, math.ceil(math.log2(big / s_est))) + 8)
    total = part + ref
    if not total.is_finite:
        return total  # a log 0 under a positive weight in the split part: -inf, exactly
    lo, hi = Fraction(total.lo), Fraction(total.hi)
    magnitude = max(Fraction(1), min(abs(lo), abs(hi)) if lo * hi > 0 else Fraction(1))
    if hi - lo > pow2(-rel_bits) * magnitude:
        return None
    return total


def _positive_weights(xs: np.ndarray, ws: np.ndarray, xr: tuple[float, float], wr: tuple[float, float],
                      rel_bits: int) -> Enclosure | None:
    """:func:`log_sum` for one vector of positive weights, not all 1 (entropy, KL, soft labels):
    the ranges already computed make every check of the general path, without another pass."""
    if xr[0] == 0.0:
        return _NEG_INF  # a positive weight on log 0
    clean = xr[0] >= _TINY_NORMAL and wr[0] >= _W_LO and wr[1] <= _W_HI
    part = _one_weight_vector(xs, None, ws, rel_bits, checked=clean)
    return None if part is None else _finish(*part, rel_bits)


def _finish(mid: Fraction, rad: Fraction, rel_bits: int) -> Enclosure | None:
    """``[mid - rad, mid + rad]`` on a coarse grid, if it meets the contract's width."""
    lo, hi = _outward(mid - rad, mid + rad, rel_bits + 8)
    magnitude = max(Fraction(1), min(abs(lo), abs(hi)) if lo * hi > 0 else Fraction(1))
    if hi - lo > pow2(-rel_bits) * magnitude:
        return None
    return Enclosure(lo, hi)


def _outward(lo: Fraction, hi: Fraction, bits: int) -> tuple[Fraction, Fraction]:
    """``[lo, hi]`` widened to the grid ``2**-bits`` (keeps the rationals small; adds at most
    ``2**(1 - bits)`` to the width, which the final check includes)."""
    scale = 2**bits
    return (Fraction((lo.numerator * scale) // lo.denominator, scale),
            Fraction(-((-hi.numerator * scale) // hi.denominator), scale))


GROUP_MIN_N = 1 << 15  # below this, grouping costs more than it saves
_SAMPLE = 4096


def group_repeats(x: np.ndarray, max_distinct: int = 4096) -> tuple[np.ndarray, np.ndarray] | None:
    """``(values, counts)`` when ``x`` has few distinct values, else None.

    Detection is cheap: the distinct values of a sample; when there are few, every entry is
    located among them by binary search and the match is verified exactly, so a value missing
    from the sample only costs the fallback (None). The counts are exact integers (as float64
    weights below 2**53).

    >>> v, c = group_repeats(np.repeat([0.25, 0.5], 40000))
    >>> v.tolist(), c.tolist()
    ([0.25, 0.5], [40000.0, 40000.0])
    """
    n = x.size
    if n < GROUP_MIN_N:
        return None
    sample = np.unique(x[:: max(1, n // _SAMPLE)])
    if sample.size > min(max_distinct, _SAMPLE // 8):
        return None
    idx = np.minimum(np.searchsorted(sample, x), sample.size - 1)
    if not np.array_equal(sample[idx], x):
        return None
    counts = np.bincount(idx, minlength=sample.size)
    keep = counts > 0
    return sample[keep], counts[keep].astype(np.float64)


def _range(a: np.ndarray, top: float) -> tuple[float, float] | None:
    """``(min, max)`` when all entries are in ``[0, top]`` (``top`` may be inf: then finite), else
    None (NaN included); ``(1.0, 0.0)`` for an empty array."""
    if a.size == 0:
        return (1.0, 0.0)
    lo, hi = float(a.min()), float(a.max())
    return (lo, hi) if lo >= 0 and hi <= top and math.isfinite(hi) else None


def _weight_pieces(ws: np.ndarray | None, w_complement: bool) -> list[np.ndarray | None]:
    """The effective weights as a short list of double arrays adding up to them exactly; a
    boolean mask stands for 0/1 weights (the common case of hard labels)."""
    if ws is None:
        return [None]
    hit = ws == (0.0 if w_complement else 1.0)
    ones = int(np.count_nonzero(hit))
    if ones == ws.size or ones + int(np.count_nonzero(ws == (1.0 if w_complement else 0.0))) == ws.size:
        return [hit]
    if not w_complement:
        return [ws]
    wh, wl = _complement_parts(ws)  # 1 - w = wh + wl exactly
    return [wh, wl] if np.any(wl != 0) else [wh]
