"""Mergeable partial state of the certified sums: split the data anyhow, merge, same answer.

A :class:`Partial` is the exact state of a certified sum over some of the data: rationals
``log2`` and ``rest`` with ``sum = log2 * log(2) + rest + theta``, ``|theta| <= err``, plus the
element count ``n`` and the counts of infinite terms. Every field is a sum over elements of an
exact quantity that depends on that element alone, so :func:`merge` (field-wise exact addition)
is associative and commutative, and any split of the same data, in any order, merges to the
*same* state: :func:`finish` then gives the identical enclosure and float64.

Per element (``u = 2**-53``, ``T = 2**-14``), with the exact reduction of
:func:`.logsum.reduce_exact`, ``log x = e' log 2 - log r_j + log(1 + t)``:

* ``e'`` (the exponent, minus 1 in bucket 0 where ``r_0 = 2``) goes exactly into ``log2``;
* ``-floor(log r_j 2**208) / 2**208`` exactly into ``rest`` (16-bit limbs, exact products), with
  ``2**-208 + 2**-300`` per unit of weight into ``err`` (buckets with an exact logarithm: 0);
* weighted: ``log(1 + t) = t - (p2 + e2)/2 + gh + gl + theta`` with the tail of :func:`.logsum._tail` at
  the *fixed* orders ``K = 10``, ``k0 = 7`` (not chosen from the data, so the same element always
  gives the same doubles): ``|theta| <= C |t|**3`` with ``C`` from :func:`.logsum._series_coef`
  at ``T``; the rows (times ``w`` through Dekker's product when weighted) are summed exactly;
  ``err`` gets ``C 2**(3 ex + ew)`` where ``|t| < 2**ex`` and ``|w| < 2**ew`` (an exact sum of
  powers of two), plus ``2**-1000`` per power for gradual underflow. Unit weights take the
  three rows of :func:`.logsum._series_unit_fast` (``t`` exactly, ``hh``, ``v``) at the fixed
  order ``UNIT_ORDER``, with its bound ``S3 (2**-77 + trunc) + 2.2 u**2 S2`` where
  ``S3 = sum 2**(3 ex)`` and ``S2 = sum 2**(2 ex)`` (about ``2**-119`` per element at worst).
* ``log(1 - q)`` and ``log(Sh + Sl)`` (a double-double) add ``log(1 + yl/yh)`` as
  :func:`.api._correction` does, ``2**-150`` per element.
* ``LSE(z_i) = m_i + log(S_i)``: ``(Sh_i, Sl_i, err_i)`` of each row from the NumPy row sums of
  :mod:`.logsumexp` (per row, independent of the other rows), ``m_i`` exactly, ``1.01 err_i``
  exactly into ``err``.

Nothing depends on how the data are chunked: the same enclosure comes out of one call over all
the data and of any merge of calls over its parts.

>>> import numpy as np
>>> a = partial_mean_bce([1, 0], [0.5, 0.5])
>>> b = merge(partial_mean_bce([1], [0.5]), partial_mean_bce([0], [0.5]))
>>> a == b, finish(a).float64
(True, 0.6931471805599453)
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, fields
from fractions import Fraction
from functools import lru_cache, reduce
from typing import Any

import numpy as np

from ..errors import DomainError, PrecisionError, ShapeError, SymxentError
from ..exact.enclosure import Enclosure
from .api import _complement_parts
from .eft import U, Dyadic, exact_sum_rows, pow2, split, two_prod
from .logsum import (ABS_UNDERFLOW, SHORT_BITS, T_GRID, _grid_sum, _series_coef, _sparse_table, _table_columns,
                     _tail, _unit_coef, reduce_exact)
from .logsumexp import M_MAX, _constants, _numpy_rows
from .losses import CertifiedLoss, certified_digits
from .table import FRAC_BITS, INDEX_BITS, TRUST_BITS, log2_fixed
from .wlog import Workspace, series_order, tail_parts

__all__ = ["Partial", "merge", "finish", "to_json", "from_json", "partial_log_sum",
           "partial_logsumexp_sum", "partial_mean_bce", "partial_categorical_ce",
           "partial_categorical_ce_logits", "partial_kl_divergence", "partial_kl_log_ratio", "partial_entropy", "FORMAT_VERSION",
           "engine", "warm_up"]

FORMAT_VERSION = 1
CAP = -14  # T = 2**CAP bounds every reduced |t|
ORDER, DD_FROM = 10, 7  # fixed series orders (K, k0) of the weighted rows: never chosen from the data
_UNIT_K = series_order(2.0**CAP * (1 - 2.0**-53))
assert _UNIT_K is not None, "T = 2**CAP is inside the series range"
UNIT_ORDER: int = _UNIT_K  # K of the unit-weight rows (8), fixed too
STEP = 1 << 16  # elements per inner block (cache-sized temporaries)
_LOCAL = threading.local()
# kind -> (sign, divide by n): the value finish() returns is sign * sum (/ n)
KINDS = {"log_sum": (1, False), "logsumexp_sum": (1, False), "mean_bce": (-1, True),
         "categorical_ce": (-1, True), "categorical_ce_logits": (1, True),
         "kl_divergence": (1, False), "kl_log_ratio": (1, False), "entropy": (-1, False)}


@dataclass(frozen=True)
class Partial:
    """The exact state of a certified sum over part of the data (see the module docstring)."""

    kind: str
    n: int
    log2: Fraction
    rest: Fraction
    err: Fraction
    neg_inf: int = 0
    pos_inf: int = 0

    def __add__(self, other: "Partial") -> "Partial":
        return merge(self, other)


def _combine(kind: str, n: int, *parts: Partial) -> Partial:
    """The sum of the term partials ``parts`` (any kind) as one partial of ``kind`` over ``n`` rows."""
    return Partial(kind, n, sum((p.log2 for p in parts), Fraction(0)), sum((p.rest for p in parts), Fraction(0)),
                   sum((p.err for p in parts), Fraction(0)), sum(p.neg_inf for p in parts),
                   sum(p.pos_inf for p in parts))


def merge(*partials: Partial) -> Partial:
    """Exact merge of partials of the same kind (associative and commutative).

    >>> merge(partial_log_sum([0.5]), partial_log_sum([0.25])) == partial_log_sum([0.25, 0.5])
    True
    """
    if not partials:
        raise ShapeError("merge needs at least one partial")
    kinds = {p.kind for p in partials}
    if len(kinds) != 1:
        raise ShapeError(f"cannot merge partials of different kinds: {sorted(kinds)!r}")
    return reduce(lambda a, b: _combine(a.kind, a.n + b.n, a, b), partials)


def _negate(p: Partial) -> Partial:
    return Partial(p.kind, p.n, -p.log2, -p.rest, p.err, p.pos_inf, p.neg_inf)


def sum_enclosure(p: Partial) -> Enclosure:
    """The enclosure of the raw sum the partial holds (before the loss's sign and mean)."""
    if p.neg_inf and p.pos_inf:
        raise DomainError(f"the sum has {p.neg_inf} terms -inf and {p.pos_inf} terms +inf: undefined")
    if p.neg_inf or p.pos_inf:
        inf = float("-inf") if p.neg_inf else float("inf")
        return Enclosure(inf, inf)
    ln2 = Fraction(log2_fixed(), 2**FRAC_BITS)
    mid = p.log2 * ln2 + p.rest
    rad = p.err + abs(p.log2) * pow2(-TRUST_BITS)
    return Enclosure(mid - rad, mid + rad)


def finish(p: Partial, digits: int = 30) -> CertifiedLoss:
    """The certified value of the partial's loss (at least ``digits`` significant digits, else
    PrecisionError) and its correctly rounded float64 (None only if the enclosure straddles a
    rounding boundary of float64, which 30 digits leave to ties).

    >>> r = finish(partial_entropy([0.5, 0.25, 0.25]))
    >>> r.float64, r.decimal(12), r.path
    (1.0397207708399179, '1.03972077084', 'partial')
    """
    if p.kind not in KINDS:
        raise ShapeError(f"kind={p.kind!r} is not one of {sorted(KINDS)!r}")
    sign, mean = KINDS[p.kind]
    if mean and p.n == 0:
        raise ShapeError("the partial holds no rows: the mean of no terms is undefined")
    enc = sum_enclosure(p)
    if enc.is_finite:
        enc = enc.scale(Fraction(sign, p.n if mean else 1))
    elif sign < 0:
        enc = -enc
    value, got = enc.rounded("float64"), certified_digits(enc)
    if enc.is_finite and got < digits:
        raise PrecisionError(f"the partial certifies {got} digits, fewer than digits={digits!r}")
    return CertifiedLoss(enc, None if value is None else float(value), got, "partial")


# ---- exact sums of float rows ------------------------------------------------------------


def _row_totals(rows: np.ndarray) -> list[Fraction]:
    """The exact sum of each row of a 2-D float64 array (error-free extraction to the end;
    Fractions when the extraction unit would go subnormal)."""
    m = rows.shape[0]
    sums, errs = [Dyadic() for _ in range(m)], [Dyadic() for _ in range(m)]
    try:
        exact_sum_rows(rows.copy(), [0.0] * m, sums, errs)
    except ArithmeticError:
        return [sum(map(Fraction, r.tolist()), Fraction(0)) for r in rows]
    return [s.value() for s in sums]


def _pow2_total(exps: np.ndarray) -> Fraction:
    """``sum 2**exps`` exactly, for an integer array."""
    if exps.size == 0:
        return Fraction(0)
    low = int(exps.min())
    counts = np.bincount(exps - low).tolist()
    return sum((c << k for k, c in enumerate(counts) if c), 0) * pow2(low)


def _exponents(v: np.ndarray) -> np.ndarray:
    """``ex`` with ``|v| < 2**ex`` (entries nonzero)."""
    return np.frexp(v)[1].astype(np.int64)


@lru_cache(maxsize=2)
def _coef(weighted: bool) -> Fraction:
    """``C``: per element ``|theta| <= C |w| |t|**3`` (the rounded ``w gl`` adds ``4 u**2``)."""
    return _series_coef(CAP, ORDER, DD_FROM) + (4 * U * U if weighted else 0)


@lru_cache(maxsize=1)
def _inexact() -> np.ndarray:
    """Buckets whose table logarithm is inexact (not bucket 0, folded into log 2, not r = 1)."""
    return np.asarray(_sparse_table()[:, :-2].any(axis=1))


# ---- one block of log terms ----------------------------------------------------------------


def _log_block(x: np.ndarray, w: np.ndarray | None) -> tuple[Fraction, Fraction, Fraction]:
    """``(log2, rest, err)`` for ``sum w log x`` over positive finite doubles ``x`` (weights
    positive, at most ``2**900``)."""
    eadj = np.zeros(x.size, np.int64)
    sub = x < 2.0**-1022
    if sub.any():  # subnormal: scale by 2**64 exactly
        x = np.where(sub, x * 2.0**64, x)
        eadj[sub] = -64
    e, j, t = reduce_exact(x)
    e = e - (j == 0) + eadj
    inexact = _inexact()[j]
    nz = t != 0
    tnz = np.compress(nz, t)
    ex3 = 3 * _exponents(tnz)
    cubes = Fraction(0)
    if w is None:
        log2 = Fraction(int(e.sum()))
        counts = np.bincount(j, minlength=2**INDEX_BITS).astype(np.float64)
        parts = (_table_columns() @ counts).astype(np.int64).tolist()  # exact: terms < n 2**16 < 2**53
        table = Fraction(sum(v << (16 * i) for i, v in enumerate(parts)), 2**SHORT_BITS)
        used = Fraction(int(inexact.sum()))
    else:
        ew = _exponents(w)
        log2 = sum(_row_totals(np.stack(two_prod(w, e.astype(np.float64)))), Fraction(0))
        limbs = _sparse_table()[j, :-2]
        wh, wl = split(w)  # 26-bit halves: the products with 16-bit limbs are exact
        rows = np.concatenate([(wh[:, None] * limbs).T, (wl[:, None] * limbs).T])
        tot = _row_totals(rows)
        nl = limbs.shape[1]
        table = sum(((tot[i] + tot[nl + i]) * (1 << (16 * i)) for i in range(nl)), Fraction(0)) / 2**SHORT_BITS
        used = _pow2_total(np.compress(inexact, ew))
        cubes = _pow2_total(ex3 + np.compress(nz, ew))
    err = used * (pow2(-TRUST_BITS) + pow2(-SHORT_BITS)) + int(nz.sum()) * (ORDER + 3) * ABS_UNDERFLOW
    if w is None:
        series, series_err = _series_unit(tnz, ex3 // 3)
        return log2, series - table, err + series_err
    series = _series_rows(tnz, np.compress(nz, w))
    return log2, series - table, err + _coef(True) * cubes


def _series_unit(t: np.ndarray, ex: np.ndarray) -> tuple[Fraction, Fraction]:
    """Unit weights: ``sum log(1 + t)`` from the three rows of :func:`.logsum._series_unit_fast`
    at the fixed order ``UNIT_ORDER`` (``t`` exactly through int64, then ``hh`` and ``v``), and the
    bound of that function with ``S3 = sum 2**(3 ex) >= sum |t|**3``, ``S2 = sum 2**(2 ex) >=
    sum t**2`` (``|t| < 2**ex``: exact sums of powers of two)."""
    m = t.size
    if m == 0:
        return Fraction(0), Fraction(0)
    work = getattr(_LOCAL, "work", None)
    if work is None or work.size < m:
        work = _LOCAL.work = Workspace(max(m, STEP))  # per thread: Dask runs blocks in threads
    p2, e2, gh, gl = tail_parts(t, UNIT_ORDER, work)
    total = Fraction(_grid_sum(t, np.empty(m, np.int64)), 2**T_GRID)
    h2 = p2 * -0.5
    hh = h2 + gh
    hl = hh - h2
    np.subtract(gh, hl, out=hl)
    hl += gl
    e2 *= -0.5
    hl += e2
    total += sum(_row_totals(np.stack([hh, hl])), Fraction(0))
    err = _pow2_total(3 * ex) * _unit_coef(CAP, UNIT_ORDER) + Fraction(23, 10) * U * U * _pow2_total(2 * ex)
    return total, err + m * 24 * ABS_UNDERFLOW


def _series_rows(t: np.ndarray, w: np.ndarray | None) -> Fraction:
    """The exact sum of the series rows ``t - (p2 + e2)/2 + gh + gl`` (times ``w``)."""
    if t.size == 0:
        return Fraction(0)
    st = split(t)
    p2, e2 = two_prod(t, t, st, st)
    gh, gl = _tail(t, st, p2, e2, ORDER, DD_FROM)
    p2 *= -0.5
    e2 *= -0.5
    if w is None:
        rows = [t, p2, e2, gh, gl]
    else:
        rows = [r for v in (t, p2, e2, gh) for r in two_prod(w, v)] + [w * gl]
    return sum(_row_totals(np.stack(rows)), Fraction(0))


def _correction_block(yh: np.ndarray, yl: np.ndarray, w: np.ndarray | None = None) -> tuple[Fraction, Fraction]:
    """``sum w log(1 + yl/yh)`` over ``yl != 0`` (``|yl| <= u yh``) as :func:`.api._correction`:
    rows ``vh, vl, -vh**2/2`` (times ``w``: Dekker's product for ``vh``, the others rounded), each
    element within ``2**-150`` (``|w| 2**-149`` with weights): ``(value, err)``."""
    nz = yl != 0
    if not nz.any():
        return Fraction(0), Fraction(0)
    yh, yl = np.compress(nz, yh), np.compress(nz, yl)
    vh = yl / yh
    p, e = two_prod(vh, yh)
    vl = ((yl - p) - e) / yh
    if w is None:
        value = sum(_row_totals(np.stack([vh, vl, -(vh * vh * 0.5)])), Fraction(0))
        return value, yh.size * (pow2(-150) + 3 * ABS_UNDERFLOW)
    w = np.compress(nz, w)
    a, b = two_prod(w, vh)
    value = sum(_row_totals(np.stack([a, b, w * vl, -(w * (vh * vh * 0.5))])), Fraction(0))
    return value, _pow2_total(_exponents(w)) * pow2(-149) + yh.size * 4 * ABS_UNDERFLOW


def _blocks(*arrays: np.ndarray | None):
    n = next(a for a in arrays if a is not None).shape[0]
    for s in range(0, n, STEP):
        yield tuple(None if a is None else a[s:s + STEP] for a in arrays)


# ---- the compiled engine (same state, faster) ---------------------------------------------


_ENGINE: list[Any] = []  # [module or None], once decided
_ENGINE_LOCK = threading.RLock()


def _compiled() -> Any:
    """:mod:`.partial_jit` when Numba is there and checked (:func:`.jit.available`, which waits for
    the background compilation) and its :func:`_self_test` passes; else None (NumPy answers). The
    state is the same either way, so workers on different engines still merge to one answer.
    While the self-test runs (this thread), None: the test compares against the NumPy code."""
    if _ENGINE:
        return _ENGINE[0]
    if getattr(_LOCAL, "testing", False):
        return None
    with _ENGINE_LOCK:
        if not _ENGINE:
            _ENGINE.append(_decide())
    return _ENGINE[0]


def _decide() -> Any:
    from . import jit

    if not jit.available():
        return None
    _LOCAL.testing = True
    try:
        from . import partial_jit
        return partial_jit if _self_test(partial_jit) else None
    except Exception:  # noqa: BLE001 - an engine that cannot compile here: NumPy answers
        return None
    finally:
        _LOCAL.testing = False


def engine() -> str:
    """``"numba"`` or ``"numpy"``: which code computes the unit-weight partials in this process
    (the partials are identical either way).

    >>> engine() in ("numba", "numpy")
    True
    """
    return "numpy" if _compiled() is None else "numba"


def warm_up() -> str:
    """Load (or compile) and check the compiled engine now, e.g. on each Dask worker before the
    first chunk (``client.run(warm_up)``); returns :func:`engine`."""
    return engine()


def _self_test(mod: Any) -> bool:
    """The compiled state equals NumPy's on telling data (subnormals, exact logarithms, ``q`` near
    0 and 1, zeros, soft labels)."""
    rng = np.random.default_rng(16)
    q = np.concatenate([rng.random(3000), 2.0 ** -rng.uniform(0, 1074, 500), 1 - 2.0 ** -rng.uniform(1, 53, 500),
                        [0.0, 1.0, 0.5, 0.25, 2.0**-1074, 2.0**-1022, 1 - 2.0**-53, 2.0**-54]])
    y = (rng.random(q.size) < 0.5).astype(np.float64)
    y[:5] = [0.5, 0.0, 1.0, 0.0, 1.0]
    x = q * 7.0 + 1e-300
    w = np.concatenate([rng.random(q.size - 8), [0.0, 2.0**-700, 2.0**900, 1.0, 0.5, 3.0, 1e-100, 2.0**-699]])
    cp = np.concatenate([rng.random(2000), 2.0 ** -rng.uniform(0, 299, 500), [0.5, 0.25]])
    cq = cp * (1 + 2.0**-9 * (1 - 2 * rng.random(cp.size)) * 2.0 ** -rng.integers(0, 45, cp.size))
    cq[-2:] = cp[-2:]  # d = 0
    yh, yl = _complement_parts(np.compress(y == 0, q))
    soft = (y != 0) & (y != 1)
    numpy_bce = _combine("mean_bce", q.size, _log_terms_numpy("log_sum", np.compress(y == 1, q)),
                         _log_terms_numpy("log_sum", yh, None, yl), _soft_bce(y[soft], q[soft]))
    return (_bce_partial(mod, y, q) == numpy_bce
            and _unit_partial(mod, "log_sum", x) == _log_terms_numpy("log_sum", x)
            and _unit_partial(mod, "log_sum", 1 - q, q * 2.0**-60) == _log_terms_numpy("log_sum", 1 - q, None, q * 2.0**-60)
            and _weighted_partial(mod, "log_sum", x, w) == _log_terms_numpy("log_sum", x, w)
            and _kl_close_partial(cp, cq) == _kl_close_partial(cp, cq, compiled=False))


def _from_state(kind: str, n: int, state: tuple, extra_neg_inf: int = 0) -> Partial:
    """The partial from the compiled kernel's ``(acc, counts, exhist, stats)`` (see
    :mod:`.partial_jit`): the same rationals as :func:`_log_terms`'s."""
    from ._jit_core import accumulator_value
    from .partial_jit import EX_OFFSET, S_CORR, S_E, S_NEGINF, S_NZ

    acc, counts, exhist, st = state
    parts = (_table_columns() @ counts.astype(np.float64)).astype(np.int64).tolist()  # exact: < n 2**16
    table = Fraction(sum(v << (16 * i) for i, v in enumerate(parts)), 2**SHORT_BITS)
    used = int(counts[_inexact()].sum())
    nz, ncorr = int(st[S_NZ]), int(st[S_CORR])
    slots = np.flatnonzero(exhist)
    ex = slots - EX_OFFSET
    cnt = exhist[slots].tolist()
    s3 = sum((c * pow2(3 * int(k)) for c, k in zip(cnt, ex)), Fraction(0))
    s2 = sum((c * pow2(2 * int(k)) for c, k in zip(cnt, ex)), Fraction(0))
    err = (used * (pow2(-TRUST_BITS) + pow2(-SHORT_BITS)) + nz * (ORDER + 3) * ABS_UNDERFLOW
           + s3 * _unit_coef(CAP, UNIT_ORDER) + Fraction(23, 10) * U * U * s2 + nz * 24 * ABS_UNDERFLOW
           + ncorr * (pow2(-150) + 3 * ABS_UNDERFLOW))
    return Partial(kind, n, Fraction(int(st[S_E])), accumulator_value(acc) - table, err,
                   int(st[S_NEGINF]) + extra_neg_inf, 0)


def _unit_partial(mod: Any, kind: str, x: np.ndarray, yl: np.ndarray | None = None) -> Partial | None:
    """:func:`_log_terms` (unit weights) through the compiled kernel; None if an entry is out of
    range (the NumPy code then answers, or names the row)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    yl = None if yl is None else np.ascontiguousarray(yl, dtype=np.float64)
    state = mod.log_terms(x, yl)
    if state[3][5] >= 0:
        return None
    return _from_state(kind, x.size, state)


def _bce_partial(mod: Any, ys: np.ndarray, qs: np.ndarray) -> Partial | None:
    """The mean-BCE partial through the compiled kernel (soft rows through :func:`_soft_bce`);
    None if a row is out of range."""
    state = mod.bce_terms(ys, qs)
    st = state[3]
    if st[5] >= 0:
        return None
    p = _from_state("mean_bce", qs.size, state)
    if not st[4]:
        return p
    soft = ~((ys == 1) | (ys == 0))
    return _combine("mean_bce", qs.size, p, _soft_bce(np.compress(soft, ys), np.compress(soft, qs)))


def _weighted_partial(mod: Any, kind: str, x: np.ndarray, w: np.ndarray) -> Partial | None:
    """:func:`_log_terms_numpy` with weights (no low part) through the compiled kernel; None when
    an entry is out of its range (a weight below ``2**-700``: NumPy then answers)."""
    from ._jit_core import accumulator_value
    from .partial_jit import EX_OFFSET, S_NEGINF, S_NZ

    x = np.ascontiguousarray(x, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    acc2, acc, hused, hcube, st = mod.wlog_terms(x, w)
    if st[5] >= 0:
        return None

    def pow2_hist(h: np.ndarray) -> Fraction:
        slots = np.flatnonzero(h)
        return sum((c * pow2(int(k) - EX_OFFSET) for c, k in zip(h[slots].tolist(), slots.tolist())), Fraction(0))

    err = (pow2_hist(hused) * (pow2(-TRUST_BITS) + pow2(-SHORT_BITS)) + int(st[S_NZ]) * (ORDER + 3) * ABS_UNDERFLOW
           + _coef(True) * pow2_hist(hcube))
    return Partial(kind, x.size, accumulator_value(acc2), accumulator_value(acc), err, int(st[S_NEGINF]), 0)


def _log_terms(kind: str, x: np.ndarray, w: np.ndarray | None = None, yl: np.ndarray | None = None) -> Partial:
    """``sum w log(x + yl)`` as a partial (``x >= 0``, zero ``x`` giving ``-inf`` terms): the
    compiled kernels where they run (the same state), else :func:`_log_terms_numpy`."""
    mod = _compiled()
    if mod is not None and x.size:
        fast = _unit_partial(mod, kind, x, yl) if w is None else \
            _weighted_partial(mod, kind, x, w) if yl is None else None
        if fast is not None:
            return fast
    return _log_terms_numpy(kind, x, w, yl)


def _log_terms_numpy(kind: str, x: np.ndarray, w: np.ndarray | None = None, yl: np.ndarray | None = None) -> Partial:
    """``sum w log(x + yl)`` as a partial by the NumPy code (the reference of the compiled one)."""
    n = x.size
    if w is not None:
        keep = w != 0
        if not keep.all():
            x, w = np.compress(keep, x), np.compress(keep, w)
            yl = None if yl is None else np.compress(keep, yl)
    zero = x == 0
    neg_inf = int(zero.sum())
    if neg_inf:
        x, w = np.compress(~zero, x), None if w is None else np.compress(~zero, w)
        yl = None if yl is None else np.compress(~zero, yl)
    log2 = rest = err = Fraction(0)
    for xb, wb, lb in _blocks(x, w, yl):
        a, b, c = _log_block(xb, wb)
        log2, rest, err = log2 + a, rest + b, err + c
        if lb is not None:
            v, r = _correction_block(xb, lb, wb)
            rest, err = rest + v, err + r
    return Partial(kind, n, log2, rest, err, neg_inf, 0)


# ---- validation at the boundary -----------------------------------------------------------


def _where(where: str, offset: int, i: int) -> str:
    return f"{where}: row {offset + i}"


def _floats(a: Any, ndim: int, name: str, where: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != ndim:
        raise ShapeError(f"{where}: {name} must be {ndim}-D, got shape={arr.shape}")
    if arr.dtype.kind not in "fiub" or arr.dtype.itemsize > 8:
        raise ShapeError(f"{where}: {name} has dtype={arr.dtype.name!r}, not a real number type")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _check_probs(p: np.ndarray, name: str, where: str, offset: int) -> None:
    bad = ~((p >= 0.0) & (p <= 1.0))  # NaN fails both
    if bad.any():
        flat = int(np.argmax(bad.ravel()))
        i = flat // (p.shape[1] if p.ndim == 2 else 1)
        v = float(p.ravel()[flat])
        raise DomainError(f"{_where(where, offset, i)}: {name}={v!r} is not a probability in [0, 1]")


def _check_labels(lab: Any, k: int, where: str, offset: int, name: str = "label") -> np.ndarray:
    a = np.asarray(lab)
    if a.ndim != 1:
        raise ShapeError(f"{where}: {name}s must be 1-D, got shape={a.shape}")
    if a.dtype.kind == "f":
        ok = np.isfinite(a) & (a == np.round(a))
        if not ok.all():
            i = int(np.argmax(~ok))
            raise DomainError(f"{_where(where, offset, i)}: {name}={float(a[i])!r} is not a class index in [0, {k})")
        a = a.astype(np.int64)
    elif a.dtype.kind not in "iub":
        raise ShapeError(f"{where}: {name}s have dtype={a.dtype.name!r}, not integers")
    bad = (a < 0) | (a >= k)
    if bad.any():
        i = int(np.argmax(bad))
        raise DomainError(f"{_where(where, offset, i)}: {name}={int(a[i])!r} is not a class index in [0, {k})")
    return a.astype(np.int64)


def _same_rows(a: np.ndarray, b: np.ndarray, an: str, bn: str, where: str) -> None:
    if a.shape[0] != b.shape[0]:
        raise ShapeError(f"{where}: {an} has {a.shape[0]} rows but {bn} has {b.shape[0]}")


# ---- the partials of the losses ---------------------------------------------------------


def partial_log_sum(x: Any, w: Any = None, *, complement: bool = False, where: str = "input",
                    offset: int = 0) -> Partial:
    """The partial of ``sum w log x`` (``log(1 - x)`` with ``complement``; ``x`` in ``[0, 1]``).

    >>> finish(partial_log_sum([0.5, 0.25])).decimal(20)
    '-2.0794415416798359283'
    """
    xs = _floats(x, 1, "x", where)
    ws = None if w is None else _floats(w, 1, "w", where)
    if ws is not None:
        _same_rows(xs, ws, "x", "w", where)
        bad = ~((ws >= 0) & (ws <= 2.0**900))
        if bad.any():
            i = int(np.argmax(bad))
            raise DomainError(f"{_where(where, offset, i)}: w={float(ws[i])!r} is not a weight in [0, 2**900]")
    if complement:
        _check_probs(xs, "x", where, offset)
        if ws is not None:
            raise ShapeError("complement sums take no weights")
        yh, yl = _complement_parts(xs)
        mod = _compiled()
        fast = None if mod is None else _unit_partial(mod, "log_sum", yh, yl)
        return fast if fast is not None else _log_terms("log_sum", yh, None, yl)
    bad = ~((xs >= 0) & (xs < np.inf))
    if bad.any():
        i = int(np.argmax(bad))
        raise DomainError(f"{_where(where, offset, i)}: x={float(xs[i])!r} is not a finite number >= 0")
    mod = _compiled() if ws is None else None
    fast = None if mod is None else _unit_partial(mod, "log_sum", xs)
    return fast if fast is not None else _log_terms("log_sum", xs, ws)


def partial_logsumexp_sum(z: Any, *, where: str = "input", offset: int = 0) -> Partial:
    """The partial of ``sum_i LSE(z_i)`` over rows of logits (``-inf`` entries allowed).

    >>> finish(partial_logsumexp_sum([[0.0, 0.0]])).decimal(12)
    '0.693147180560'
    """
    zs = _floats(z, 2, "logits", where)
    bad = np.isnan(zs) | (zs == np.inf)
    if bad.any():
        flat = int(np.argmax(bad.ravel()))
        raise DomainError(f"{_where(where, offset, flat // zs.shape[1])}: logit={float(zs.ravel()[flat])!r} "
                          f"is not a number below +inf")
    n = zs.shape[0]
    if n == 0:
        return Partial("logsumexp_sum", 0, Fraction(0), Fraction(0), Fraction(0))
    if zs.shape[1] == 0:
        return Partial("logsumexp_sum", n, Fraction(0), Fraction(0), Fraction(0), n, 0)
    m = zs.max(axis=1)
    empty = m == -np.inf
    neg_inf = int(empty.sum())
    if neg_inf:
        zs, m = zs[~empty], m[~empty]
    big = np.abs(m) > M_MAX
    if big.any():
        i = int(np.argmax(big))
        raise DomainError(f"{_where(where, offset, i)}: max logit={float(m[i])!r} is beyond 2**44")
    parts = [Partial("logsumexp_sum", 0, Fraction(0), Fraction(0), Fraction(0), neg_inf)]
    rows = max(1, STEP // max(1, zs.shape[1]))
    for s in range(0, zs.shape[0], rows):
        parts.append(_lse_block(zs[s:s + rows], m[s:s + rows], where, offset + s))
    return _combine("logsumexp_sum", n, *parts)


def _lse_block(z: np.ndarray, m: np.ndarray, where: str, offset: int) -> Partial:
    """``sum LSE`` over a block of rows (finite maxima): ``m_i`` exactly, ``log(Sh + Sl)``
    through the log terms, ``1.01 err_i`` exactly into the bound."""
    sh, sl, err = _numpy_rows(z, m)
    err += _constants()[5] * (sh * 1.001) + z.shape[1] * (2.0**-128 + 2.0**-1000)  # steps 1-5
    if not (sh.min() >= 1.0 - 2.0**-40 and err.max() <= 2.0**-90):
        raise PrecisionError(f"{where}: rows {offset}..{offset + z.shape[0] - 1}: the row sums could not be certified")
    mod = _compiled()
    logs = None if mod is None else _unit_partial(mod, "logsumexp_sum", sh, sl)
    if logs is None:
        logs = _log_terms("logsumexp_sum", sh, None, sl)
    total_m, total_err = _row_totals(np.stack([m, err]))
    return Partial("logsumexp_sum", z.shape[0], logs.log2, logs.rest + total_m,
                   logs.err + total_err * Fraction(101, 100))


def partial_mean_bce(y: Any, q: Any, *, where: str = "input", offset: int = 0) -> Partial:
    """The partial of the mean BCE ``-(1/N) sum [y log q + (1 - y) log(1 - q)]`` (labels in
    {0, 1}, or soft labels in ``[0, 1]``: then ``y`` and ``1 - y``, exactly two doubles, weigh the
    logarithms).

    >>> finish(partial_mean_bce([1], [0.25])).decimal(10)
    '1.386294361'
    >>> finish(partial_mean_bce([0.5], [0.5])).decimal(10)
    '0.6931471806'
    """
    qs = _floats(q, 1, "q", where)
    ya = np.asarray(y)
    mod = _compiled()
    if mod is not None and ya.ndim == 1 and ya.dtype.kind in "iubf" and ya.dtype.itemsize <= 8 \
            and ya.shape == qs.shape:
        p = _bce_partial(mod, np.ascontiguousarray(ya, dtype=np.float64), qs)
        if p is not None:
            return p
    if ya.dtype.kind in "iub":
        ys = _check_labels(ya, 2, where, offset).astype(np.float64)
    else:
        ys = _floats(ya, 1, "y", where)
        _check_probs(ys, "y", where, offset)
    _same_rows(ys, qs, "y", "q", where)
    _check_probs(qs, "q", where, offset)
    return _bce_numpy(ys, qs)


def _bce_numpy(ys: np.ndarray, qs: np.ndarray) -> Partial:
    """The mean-BCE partial of checked rows by the NumPy code."""
    # the path is chosen per row (a label 0 or 1 always takes the unit-weight sums), never per
    # call: the same row gives the same exact terms in every split
    ones, zeros = ys == 1, ys == 0
    p1 = _log_terms("log_sum", np.compress(ones, qs))
    yh, yl = _complement_parts(np.compress(zeros, qs))
    p0 = _log_terms("log_sum", yh, None, yl)
    soft = ~(ones | zeros)
    if not soft.any():
        return _combine("mean_bce", qs.size, p1, p0)
    ps = _soft_bce(np.compress(soft, ys), np.compress(soft, qs))
    return _combine("mean_bce", qs.size, p1, p0, ps)


def _soft_bce(ys: np.ndarray, qs: np.ndarray) -> Partial:
    """Soft labels: ``sum y log q + (wh + wl) log(yh + yl)`` with ``1 - y = wh + wl`` and
    ``1 - q = yh + yl`` exactly; rows with an infinite term (``q = 0 < y``, ``q = 1 > y``) are
    counted, the others summed (labels strictly inside ``(0, 1)``, checked by the caller)."""
    infinite = ((qs == 0) & (ys > 0)) | ((qs == 1) & (ys < 1))
    n, neg_inf = qs.size, int(infinite.sum())
    if neg_inf:
        ys, qs = ys[~infinite], qs[~infinite]
    wh, wl = _complement_parts(ys)
    yh, yl = _complement_parts(qs)
    parts = [_log_terms("log_sum", qs, ys), _log_terms("log_sum", yh, wh, yl), _log_terms("log_sum", yh, wl, yl)]
    return _combine("mean_bce", n, *parts, Partial("mean_bce", 0, Fraction(0), Fraction(0), Fraction(0), neg_inf))


def partial_categorical_ce(labels: Any, probs: Any, *, where: str = "input", offset: int = 0) -> Partial:
    """The partial of ``-(1/N) sum_i log P[i, y_i]``.

    >>> finish(partial_categorical_ce([0, 1], [[0.5, 0.5], [0.25, 0.75]])).decimal(10)
    '0.4904146265'
    """
    p = _floats(probs, 2, "probs", where)
    lab = _check_labels(labels, p.shape[1], where, offset)
    _same_rows(lab, p, "labels", "probs", where)
    _check_probs(p, "probs", where, offset)
    picked = p[np.arange(lab.size), lab]
    mod = _compiled()
    fast = None if mod is None else _unit_partial(mod, "categorical_ce", picked)
    return fast if fast is not None else _combine("categorical_ce", lab.size, _log_terms("log_sum", picked))


def partial_categorical_ce_logits(labels: Any, logits: Any, *, where: str = "input", offset: int = 0) -> Partial:
    """The partial of ``(1/N) sum_i [LSE(z_i) - z_{i, y_i}]``.

    >>> finish(partial_categorical_ce_logits([0], [[0.0, 0.0]])).decimal(10)
    '0.6931471806'
    """
    z = _floats(logits, 2, "logits", where)
    lab = _check_labels(labels, z.shape[1], where, offset)
    _same_rows(lab, z, "labels", "logits", where)
    picked = z[np.arange(lab.size), lab]
    bad = ~np.isfinite(picked)
    if bad.any():
        i = int(np.argmax(bad))
        raise DomainError(f"{_where(where, offset, i)}: the logit of the true label={float(picked[i])!r} is not finite")
    lse = partial_logsumexp_sum(z, where=where, offset=offset)
    total = _row_totals(picked[None, :])[0] if picked.size else Fraction(0)
    return Partial("categorical_ce_logits", lab.size, lse.log2, lse.rest - total, lse.err, lse.neg_inf, lse.pos_inf)


def partial_kl_divergence(p: Any, q: Any, *, where: str = "input", offset: int = 0) -> Partial:
    """The partial of ``KL(p || q) = sum p log p - sum p log q`` (elementwise over the rows).

    >>> finish(partial_kl_divergence([0.5, 0.5], [0.25, 0.75])).decimal(10)
    '0.1438410362'
    """
    ps, qs = _floats(p, 1, "p", where), _floats(q, 1, "q", where)
    _same_rows(ps, qs, "p", "q", where)
    _check_probs(ps, "p", where, offset)
    _check_probs(qs, "q", where, offset)
    a = _log_terms("log_sum", ps, ps)
    b = _negate(_log_terms("log_sum", qs, ps))
    return _combine("kl_divergence", ps.size, a, b)


@lru_cache(maxsize=1)
def _kl_plan() -> tuple[int, int, Fraction]:
    """``(K, L, rho)`` of :func:`.klratio.series_plan` at its edge ``|uh| <= 2**-8``: one plan for
    every close element (never chosen from the data, so an element always gives the same rows)."""
    from .klratio import series_plan

    plan = series_plan(-8)
    assert plan is not None, "the log-ratio series covers |u| <= 2**-8"
    return plan


def _kl_coef(j: int) -> tuple[float, float]:
    """``c_j = (-1)**j / ((j+1)(j+2))`` as a double-double (:func:`.klratio._coef`'s pair)."""
    c = Fraction((-1) ** j, (j + 1) * (j + 2))
    hi = float(c)
    return hi, float(c - Fraction(hi))


def _kl_close_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Steps 1-4 of :mod:`.klratio` for close elements at the fixed plan :func:`_kl_plan`, the
    same operations in the same order: the rows ``B1, B2, P1, P2, P3, d`` (``(6, m)``) with
    ``p log(p/q) = B1 + B2 + P1 + P2 + P3 + d`` within ``rho B``."""
    big_k, big_l, _ = _kl_plan()
    d = p - q  # exact (Sterbenz: q/2 <= p <= 2q)
    sq = split(q)
    uh = d / q  # step 1
    a, b = two_prod(uh, q, sb=sq)
    ul = ((d - a) - b) / q
    n1, n2 = two_prod(d, d)  # step 2
    n1 *= 0.5
    n2 *= 0.5
    b1 = n1 / q
    a, b = two_prod(b1, q, sb=sq)
    r1 = (n1 - a) - b
    s = r1 + n2
    bb = s - r1
    e = (r1 - (s - bb)) + (n2 - bb)
    b2 = s / q
    a, b = two_prod(b2, q, sb=sq)
    b3 = (((s - a) - b) + e) / q
    suh = split(uh)
    yh = np.full_like(uh, _kl_coef(big_k)[0])  # step 3: Horner, plain levels then double-double
    for j in range(big_k - 1, big_l, -1):
        yh *= uh
        yh += _kl_coef(j)[0]
    yl = np.zeros_like(uh)
    for j in range(big_l, 0, -1):
        chj, clj = _kl_coef(j)
        ph, pl = two_prod(uh, yh, sa=suh)
        t = ul * yh
        if j < big_l:
            t = uh * yl + t
        sh = ph + chj
        yl = ph - (sh - chj)
        yl += pl
        yl += t
        yl += clj
        yh = sh
    kh, kl = two_prod(uh, yh, sa=suh)
    kl += uh * yl + ul * yh
    kh *= 2.0
    kl *= 2.0
    p1, p2 = two_prod(b1, kh)  # step 4
    p3 = (b1 * kl + b2 * kh) + b3
    return np.stack([b1, b2, p1, p2, p3, d])


def partial_kl_log_ratio(p: Any, q: Any, *, where: str = "input", offset: int = 0) -> Partial:
    """The partial of ``KL(p || q) = sum p log(p/q)`` through the log ratio of :mod:`.klratio`:
    no cancellation when ``p`` and ``q`` nearly coincide (where :func:`partial_kl_divergence`'s
    two sums cancel and lose digits).

    A *close* element (``p > 0``, ``q`` in ``[2**-300, 2**300]``, ``|p - q| <= 2**-8 q``) adds its
    rows ``B1, B2, P1, P2, P3`` and ``d = p - q`` exactly, and ``rho B1 (1 + u)/(1 - u) + 2**-700``
    to the bound, with the plan ``(K, L, rho)`` of :func:`.klratio.series_plan` at ``|u| <= 2**-8``
    fixed for every element (``rho`` about ``2**-110``, relative to the element's term, which is
    never negative); any other element with ``p > 0`` adds ``p log p - p log q`` as the log terms
    of :func:`partial_kl_divergence` (``q = 0`` a ``+inf`` term); ``p = 0`` adds nothing. Each
    element's contribution is fixed by the element alone, so any split merges to the same state.

    >>> p, q = [0.25, 0.75], [0.25 + 2.0**-40, 0.75 - 2.0**-40]
    >>> r = finish(partial_kl_log_ratio(p, q))
    >>> r.decimal(12), r.digits >= 30
    ('2.20581496680e-24', True)
    >>> finish(partial_kl_log_ratio([0.5, 0.5], [0.25, 0.75])).decimal(10)
    '0.1438410362'
    """
    ps, qs = _floats(p, 1, "p", where), _floats(q, 1, "q", where)
    _same_rows(ps, qs, "p", "q", where)
    _check_probs(ps, "p", where, offset)
    _check_probs(qs, "q", where, offset)
    pos = ps > 0
    d = ps - qs
    close = pos & (qs >= 2.0**-300) & (qs <= 2.0**300) & (np.abs(d) <= qs * 2.0**-8)
    far = pos & ~close
    fp, fq = np.compress(far, ps), np.compress(far, qs)
    parts = [_log_terms("log_sum", fp, fp), _negate(_log_terms("log_sum", fq, fp))]
    cp, cq = np.compress(close, ps), np.compress(close, qs)
    parts.append(_kl_close_partial(cp, cq))
    return _combine("kl_log_ratio", ps.size, *parts)


def _kl_close_partial(cp: np.ndarray, cq: np.ndarray, compiled: bool = True) -> Partial:
    """The close elements' part: ``sum`` of the rows exactly, ``rho (1 + u)/(1 - u) sum B1 +
    2**-700`` per element with ``d != 0`` (compiled where it runs: the same state)."""
    rho = _kl_plan()[2] * (1 + U) / (1 - U)
    mod = _compiled() if compiled else None
    if mod is not None and cp.size:
        from ._jit_core import accumulator_value

        big_k, big_l, _ = _kl_plan()
        coef = np.array([(0.0, 0.0)] + [_kl_coef(j) for j in range(1, big_k + 1)])
        acc, accb, st = mod.kl_close(cp, cq, big_k, big_l, np.ascontiguousarray(coef[:, 0]),
                                     np.ascontiguousarray(coef[:, 1]))
        return Partial("kl_log_ratio", 0, Fraction(0), accumulator_value(acc),
                       rho * accumulator_value(accb) + int(st[1]) * pow2(-700))
    rest = err = Fraction(0)
    for pb, qb in _blocks(cp, cq):
        tot = _row_totals(_kl_close_rows(pb, qb))
        rest += sum(tot, Fraction(0))
        err += rho * tot[0] + int(np.count_nonzero(pb != qb)) * pow2(-700)
    return Partial("kl_log_ratio", 0, Fraction(0), rest, err)


def partial_entropy(p: Any, *, where: str = "input", offset: int = 0) -> Partial:
    """The partial of ``H(p) = -sum p log p``.

    >>> finish(partial_entropy([0.5, 0.5])).decimal(10)
    '0.6931471806'
    """
    ps = _floats(p, 1, "p", where)
    _check_probs(ps, "p", where, offset)
    return _combine("entropy", ps.size, _log_terms("log_sum", ps, ps))


# ---- serialisation ----------------------------------------------------------------------

_RATIONAL = re.compile(r"-?[0-9]{1,20000}(/[1-9][0-9]{0,20000})?")
_FIELDS = ("kind", "n", "log2", "rest", "err", "neg_inf", "pos_inf")


def to_json(p: Partial) -> str:
    """The documented JSON form: ``{"format": "symxent.partial", "version": 1, "kind": ...,
    "n": int, "log2": "p/q", "rest": "p/q", "err": "p/q", "neg_inf": int, "pos_inf": int}``
    (rationals as exact decimal strings ``"p/q"`` or ``"p"``).

    >>> from_json(to_json(partial_log_sum([0.5]))) == partial_log_sum([0.5])
    True
    """
    body = {"format": "symxent.partial", "version": FORMAT_VERSION}
    for f in fields(p):
        v = getattr(p, f.name)
        body[f.name] = str(v) if isinstance(v, Fraction) else v
    return json.dumps(body, sort_keys=True)


def from_json(text: str | bytes) -> Partial:
    """A partial from :func:`to_json`'s form, validated (SymxentError on anything else)."""
    try:
        body = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise SymxentError(f"partial: not JSON ({exc})") from None
    if not isinstance(body, dict) or body.get("format") != "symxent.partial":
        raise SymxentError("partial: not a symxent.partial object")
    if body.get("version") != FORMAT_VERSION:
        raise SymxentError(f"partial: version={body.get('version')!r} is not {FORMAT_VERSION}")
    extra = set(body) - set(_FIELDS) - {"format", "version"}
    if extra or set(_FIELDS) - set(body):
        raise SymxentError(f"partial: fields {sorted(set(_FIELDS) ^ (set(body) - {'format', 'version'}))!r} unexpected or missing")
    if body["kind"] not in KINDS:
        raise SymxentError(f"partial: kind={body['kind']!r} is not one of {sorted(KINDS)!r}")
    for name in ("n", "neg_inf", "pos_inf"):
        v = body[name]
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise SymxentError(f"partial: {name}={v!r} is not a count")
    vals = {}
    for name in ("log2", "rest", "err"):
        v = body[name]
        if not isinstance(v, str) or not _RATIONAL.fullmatch(v):
            raise SymxentError(f"partial: {name}={v!r} is not an exact rational 'p/q'")
        vals[name] = Fraction(v)
    if vals["err"] < 0:
        raise SymxentError(f"partial: err={body['err']!r} is negative")
    return Partial(body["kind"], body["n"], vals["log2"], vals["rest"], vals["err"], body["neg_inf"], body["pos_inf"])
