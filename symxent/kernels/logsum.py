"""Certified ``sum_i w_i log(x_i)`` at float speed.

Method (every step vectorised NumPy; a few dozen exact rational operations at the end)
-------------------------------------------------------------------------------------
1. **Exact decomposition.** For a positive normal double, ``x = 2**e * m`` with ``m`` in
   ``[1/2, 1)`` (bit operations, exact). A table (:mod:`symxent.kernels.table`) gives a reducer
   ``r_j = k_j / 2**B`` (``B = 14``, ``k_j`` of at most ``B + 1`` bits) with ``|m r_j - 1| < 2**-B``.
   Writing ``m = mh + ml`` (``mh`` the top ``52 - B`` bits, ``ml`` the last ``B + 1``),
   ``mh * r_j`` (53 bits) and ``ml * r_j`` are exact, ``mh * r_j - 1`` is exact (Sterbenz), and
   ``t = (mh r_j - 1) + ml r_j`` is exact too: the true ``m r_j - 1`` is a multiple of
   ``2**-(53 + B)`` below ``2**-B`` in magnitude, so it *is* a double.
   Hence, exactly, ``log x = e log 2 - log r_j + log(1 + t)``.
2. **Exact integer parts.** ``E = sum w_i e_i`` and the per-bucket weights ``W_j`` are summed
   exactly (integers, or error-free extraction for float weights, :mod:`.eft`); the constants
   ``log 2`` and ``log r_j`` are known to ``2**-300``. Buckets with ``r_j = 2`` are folded into
   ``E`` so that e.g. ``log 1`` comes out exactly 0. ``sum_j W_j log r_j`` is an exact float64
   matrix product of integer pieces with 16-bit limbs of ``floor(log r_j 2**208)`` (terms and
   partial sums are integers below ``2**53``, so any summation order is exact; the truncation,
   ``2**-208`` per unit of weight, is added to the width). Float weights: up to ``2**15`` terms
   per element (:func:`_weighted_table_sparse`), beyond that one ``bincount`` per extraction
   round on the joint key ``(e_i, j_i)`` (:func:`_weighted_bins`).
3. **Series.** ``log(1+t) = t - t**2/2 + g(t) + R_K`` with ``g = sum_{k=3..K} (-1)**(k+1) t**k/k``
   and ``|R_K| <= |t|**(K+1) / ((K+1)(1-|t|))``. ``t`` is exact and ``t**2 = p2 + e2`` exactly
   (Dekker's ``two_prod``). ``g`` is evaluated per element as a double-double ``gh + gl``: the
   high levels of Horner's scheme in plain floats, the levels ``3 .. k0-1`` in double-double
   arithmetic with ``1/k`` stored as a double-double, then multiplied by ``t**3`` (a
   double-double). The five arrays ``t, p2, e2, gh, gl`` (times ``w`` through ``two_prod`` when
   weighted) are summed by error-free extraction (:func:`.eft.exact_sum_rows`) chunk by chunk,
   into exact integer accumulators.
   With float weights a chunk first tries :func:`.wlog.weighted_log1p`: ``log(1 + t)`` as a
   double-double per element, one Dekker product with ``w``, two rows summed exactly, and a
   relative error per element of at most ``rel * w |t|`` (``rel`` about ``14 u**2``, argued in
   :mod:`.wlog`), taken only when ``rel * sum w |t|`` is below half the chunk's tolerance; the
   fully exact rows above are the fallback. With unit weights a chunk first tries
   :func:`_series_unit_fast` (``t`` summed exactly as integers, :func:`_grid_sum`;
   ``-t**2/2 + g`` from the same double-double tail as two exactly extracted rows, ``2**-77 sum |t|**3`` plus ``2.2 u**2 sum t**2``), under the same rule.
4. **Bound.** Per element, ``|g_computed - g| <= |t|**3 (T**(k0-3) u + 8 u**2)``: the plain
   levels are within ``u`` of their true value; each double-double level adds at most
   ``2.5 u**2`` and shrinks what it inherits by ``|t| <= T``; ``t**3`` is within ``3 u**2``
   relative; the final product within ``3 u**2`` relative (``u = 2**-53``; with weights the
   rounded ``w gl`` adds ``u**2``; ``w e2`` is rounded only when ``u**2 T**2 sum w`` is below
   ``tol/64``, and then that much is added). With ``S3 >= sum w_i |t_i|**3`` (a rounded-up sum),
   the width is the sum of: the extraction residuals; ``S3 (T**(k0-3) u + 8 u**2)``;
   ``S3 T**(K-2) / ((K+1)(1-T))`` (``K >= 2``); the constant errors ``2**-300`` per unit of weight on an
   inexact table entry and ``2**-300 |E|``; ``2**-1000`` per element and power for underflow
   (gradual underflow is checked at import; the kernels decline when it is absent).
   Every term is computed at run time from the data, in exact rationals.

The guarantee ``hi - lo <= 2**-rel_bits * max(1, |S|)`` is then checked; since ``|S| <= sum
|w_i log x_i|``, this implies the contract's bound. When it fails the kernel returns ``None``.

>>> import numpy as np
>>> e = kernel_log_sum(np.array([0.5, 0.25]), None, 128)
>>> e.decimal(20)
'-2.0794415416798359283'
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction
from functools import lru_cache
from operator import mul

import numpy as np

from ..exact.enclosure import Enclosure
from .eft import U, Dyadic, exact_sum_rows, pow2, split, sum_upper, two_prod
from .wlog import Workspace, _cap, series_order, tail_parts, weighted_log1p
from .table import B, FRAC_BITS, INDEX_BITS, TRUST_BITS, log2_fixed, reduction_table

__all__ = ["kernel_log_sum", "reduce_exact", "ABS_UNDERFLOW"]

ABS_UNDERFLOW = pow2(-1000)  # per element and power: covers any gradual-underflow loss
_FRAC = (1 << 52) - 1
_LOW = (1 << (52 - INDEX_BITS)) - 1  # the bits of m below the index (41 of them)
_MH_MASK = ~((1 << INDEX_BITS) - 1)  # clears the last B + 1 bits: mh has 52 - B significant bits
_MAX_K = 40
CHUNK = 1 << 16  # measured: larger chunks pay less Python overhead, 2**17 falls out of cache


class _Acc:
    """``value +- err`` in exact rationals."""

    def __init__(self) -> None:
        self.value, self.err = Fraction(0), Fraction(0)

    def add(self, value: Fraction, err: Fraction = Fraction(0)) -> None:
        self.value += value
        self.err += err


def reduce_exact(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(e, j, t)`` with ``y = 2**e * (1 + t) / r_j`` exactly, for positive normal doubles.

    >>> e, j, t = reduce_exact(np.array([0.75]))
    >>> int(e[0]), float(t[0]) == 0.75 * float(reduction_table().r[j[0]]) - 1
    (0, True)
    """
    bits = y.view(np.int64)
    e = (bits >> 52) - 1022
    j = (bits >> (52 - INDEX_BITS)) & ((1 << INDEX_BITS) - 1)
    mbits = (bits & _FRAC) | (1022 << 52)
    m = mbits.view(np.float64)
    mh = (mbits & _MH_MASK).view(np.float64)
    r = reduction_table().r[j]
    t = mh * r
    t -= 1.0
    t += (m - mh) * r
    return e, j, t


def _log2_times(c: Fraction, c_err: Fraction, acc: _Acc) -> None:
    l2 = Fraction(log2_fixed(), 2**FRAC_BITS)
    acc.add(c * l2, abs(c) * pow2(-TRUST_BITS) + c_err * (l2 + pow2(-TRUST_BITS)))


_LIMB = 24


@lru_cache(maxsize=1)
def _float_logs() -> np.ndarray:
    return np.log(reduction_table().r)


@lru_cache(maxsize=1)
def _table_arrays() -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
    """The table logs, the mask of buckets with an inexact log (not r = 1, not bucket 0), and the
    logs cut into 24-bit int64 limbs (so counts below ``2**38`` dot them exactly in int64)."""
    logs = reduction_table().log_r
    inexact = np.array([v != 0 for v in logs])
    inexact[0] = False
    nlimbs = -(-max(logs).bit_length() // _LIMB)
    width = 3 * nlimbs  # bytes: 24-bit limbs are 3 little-endian bytes each
    raw = np.frombuffer(b"".join(v.to_bytes(width, "little") for v in logs), dtype=np.uint8)
    raw = raw.reshape(len(logs), nlimbs, 3).astype(np.int64)
    limbs = raw[:, :, 0] | (raw[:, :, 1] << 8) | (raw[:, :, 2] << 16)
    return logs, inexact, limbs


SHORT_BITS = 208  # the matrix-product table holds floor(log r_j * 2**208): 13 limbs of 16 bits


@lru_cache(maxsize=1)
def _limbs16() -> np.ndarray:
    """``floor(log r_j * 2**SHORT_BITS)`` cut into 16-bit int64 limbs (each entry is within
    ``2**-SHORT_BITS + 2**-TRUST_BITS`` of the true logarithm)."""
    logs = [v >> (FRAC_BITS - SHORT_BITS) for v in reduction_table().log_r]
    nlimbs = -(-max(logs).bit_length() // 16)
    raw = np.frombuffer(b"".join(v.to_bytes(2 * nlimbs, "little") for v in logs), dtype=np.uint16)
    return raw.reshape(len(logs), nlimbs).astype(np.int64)


def _int_sum(a: np.ndarray) -> int:
    """The exact sum of at most ``2**15`` int64 entries below ``2**62`` in magnitude (31-bit pieces:
    no int64 overflow)."""
    return (int((a >> 31).sum()) << 31) + int((a & ((1 << 31) - 1)).sum())


_PIECE = 18  # bits of a weight piece in the sparse table product


@lru_cache(maxsize=1)
def _sparse_table() -> np.ndarray:
    """Per bucket, as float64: the limbs of :func:`_limbs16` (row of bucket 0 zeroed: it is
    folded into ``log 2``), then the indicator of bucket 0, then a free column (for ``e``)."""
    limbs = _limbs16()
    table = np.zeros((limbs.shape[0], limbs.shape[1] + 2))
    table[1:, :limbs.shape[1]] = limbs[1:]
    table[0, limbs.shape[1]] = 1.0
    return table


def _dot_large(counts: np.ndarray, idx: np.ndarray) -> int:
    """``sum counts_i * floor(log_r[idx_i] * 2**SHORT_BITS)`` exactly, for ``|counts| < 2**62`` and at most
    ``2**15`` terms (``idx`` distinct, none 0): the counts are cut into non-negative 18-bit pieces
    and a signed top piece below ``2**18`` in magnitude, and one float64 matrix product with the
    16-bit limbs of the logs gives every ``sum_i piece_i limb_i``: integer terms below ``2**34``,
    at most ``2**15`` of them, so every partial sum is an integer below ``2**49`` and the product
    is exact in any order of summation (BLAS included)."""
    table = _sparse_table()
    nl = table.shape[1] - 2
    full = np.zeros(table.shape[0], dtype=np.int64)
    full[idx] = counts
    top = int(np.abs(counts).max()).bit_length() + 1 if counts.size else 1
    npieces = max(1, -(-top // _PIECE))
    pieces = np.empty((npieces, full.size))
    mask = (1 << _PIECE) - 1
    for p in range(npieces):
        part = full >> (_PIECE * p)
        pieces[p] = part if p == npieces - 1 else part & mask
    prod = (pieces @ table[:, :nl]).astype(np.int64).tolist()
    return sum(sum(v << (16 * i) for i, v in enumerate(line)) << (_PIECE * p) for p, line in enumerate(prod))


def _table_part(rounds: list, w_err: Fraction, acc: _Acc) -> Fraction:
    """Add ``-sum_j W_j log r_j`` for bucket weights given as rounds ``[(counts, e), ...]``
    (``W_j = sum counts_j 2**e``, plus ``w_err`` for the weights left out); bucket 0
    (``r_0 = 2``) is left out and its weight returned, to be folded into the coefficient of
    ``log 2``."""
    logs, inexact, limbs = _table_arrays()
    dot, folded, used, short = Dyadic(), Dyadic(), Dyadic(), Dyadic()
    for counts, e in rounds:
        absolute = _int_sum(np.abs(counts[inexact]))
        nz = np.flatnonzero(counts[1:]) + 1
        if absolute < 2**38:  # int64 limb products cannot overflow: exact in NumPy
            parts = (counts[nz] @ limbs[nz]).tolist()
            dot.add_int(sum(v << (_LIMB * i) for i, v in enumerate(parts)), e - FRAC_BITS)
        elif int(np.abs(counts).max()) < 2**62:
            dot.add_int(_dot_large(counts[nz], nz) << (FRAC_BITS - SHORT_BITS), e - FRAC_BITS)
            short.add_int(absolute, e)
        else:
            dot.add_int(sum(map(mul, counts[1:].tolist(), logs[1:])), e - FRAC_BITS)
        folded.add_int(int(counts[0]), e)
        used.add_int(absolute, e)
    acc.add(-dot.value(), used.value() * pow2(-TRUST_BITS) + short.value() * pow2(-SHORT_BITS) + w_err)
    return folded.value()


@lru_cache(maxsize=1)
def _table_columns() -> np.ndarray:
    """The limbs of :func:`_sparse_table` transposed (``(13, 32768)``, contiguous), for
    matrix-vector products with bucket counts."""
    table = _sparse_table()
    return np.ascontiguousarray(table[:, :table.shape[1] - 2].T)


@lru_cache(maxsize=1)
def _exact_buckets() -> np.ndarray:
    """The few buckets whose term needs no table logarithm: bucket 0 (folded into ``log 2``)
    and those with ``r_j = 1``."""
    return np.flatnonzero(~_table_arrays()[1])


def _table_part_counts(counts: np.ndarray, acc: _Acc) -> int:
    """:func:`_table_part` for unit weights: ``counts_j`` terms in bucket ``j``. One float64
    matrix-vector product with the 16-bit limbs of ``floor(log r_j 2**SHORT_BITS)`` is exact: its
    terms are non-negative integers adding up to at most ``n 2**16 < 2**53``, so every partial sum
    is exact in any order. Returns the count of bucket 0 (folded into ``log 2``)."""
    n = int(counts.sum())
    if n >= 2**36:
        raise ArithmeticError("too many terms for the exact table product")
    parts = (_table_columns() @ counts.astype(np.float64)).astype(np.int64).tolist()
    dot = sum(v << (16 * i) for i, v in enumerate(parts))
    used = n - int(counts[_exact_buckets()].sum())  # terms in buckets with an inexact logarithm
    acc.add(-Fraction(dot, 2**SHORT_BITS), used * (pow2(-TRUST_BITS) + pow2(-SHORT_BITS)))
    return int(counts[0])


def _choose_orders(tmax: float, wsum: float, tol: float) -> tuple[int, int]:
    """(K, k0): the last power kept, and the first level of the tail evaluated in plain floats
    (levels ``3 .. k0-1`` are double-double)."""
    if tmax == 0.0:
        return 0, 3
    lt, lw, lg = math.log2(tmax), math.log2(max(wsum, 1e-300)), math.log2(tol) - 3
    big_k = next((k for k in range(1, _MAX_K + 1) if lw + (k + 1) * lt - math.log2(k + 1) <= lg), None)
    if big_k is None:
        raise ArithmeticError("series too long")
    big_k = max(big_k, 2)  # the remainder bound T**(K-2) S3 needs K >= 2 (|t|**(K+1) <= T**(K-2) |t|**3)
    k0 = next((k for k in range(3, big_k + 1) if lw + (k - 3) * lt - 53 + 3 * lt <= lg), big_k + 1)
    return big_k, k0


_DD_COEF: dict[int, tuple[float, float]] = {}


def _coef_dd(k: int) -> tuple[float, float]:
    """``(-1)**(k+1) / k`` as a double-double ``ch + cl`` (within ``u**2 / k``)."""
    if k not in _DD_COEF:
        c = Fraction((-1) ** (k + 1), k)
        ch = float(c)
        _DD_COEF[k] = (ch, float(c - Fraction(ch)))
    return _DD_COEF[k]


def _tail(t: np.ndarray, st: tuple, p2: np.ndarray, e2: np.ndarray, big_k: int, k0: int) -> tuple[np.ndarray, np.ndarray]:
    """``g = sum_{k=3..K} (-1)**(k+1) t**k / k`` as ``gh + gl`` (see the module docstring)."""
    top = min(k0, big_k)  # the level x holds when the double-double levels start
    x = np.full_like(t, _coef_dd(big_k)[0])
    for k in range(big_k - 1, top - 1, -1):  # plain float Horner: levels K-1 .. k0
        x *= t
        x += _coef_dd(k)[0]
    xl = np.full_like(t, _coef_dd(big_k)[1] if k0 > big_k else 0.0)
    for k in range(top - 1, 2, -1):  # double-double Horner: levels k0-1 .. 3
        ch, cl = _coef_dd(k)
        p, e = two_prod(t, x, sa=st)
        e += t * xl
        s = p + ch  # fast two-sum: |ch| >= 1/k > |p|
        f = p - (s - ch)
        f += cl + e
        x = s + f
        xl = f - (x - s)
    h3, l3 = two_prod(p2, t, sb=st)
    l3 += e2 * t
    gh, gl = two_prod(h3, x)
    gl += h3 * xl + l3 * x
    return gh, gl


@lru_cache(maxsize=None)
def _series_coef(cap: int, big_k: int, k0: int) -> Fraction:
    """The factor of ``S3 >= sum w |t|**3`` in the bound of :func:`_series` for ``T = 2**cap``:
    the tail's rounding (``T**(k0-3) u + 8 u**2`` when ``K >= 3``) plus the remainder
    ``T**(K-2) / ((K+1)(1-T))``."""
    T = pow2(cap)
    coef = T ** (big_k - 2) / ((big_k + 1) * (1 - T))
    if big_k >= 3:
        coef += T ** max(0, min(k0, big_k + 1) - 3) * U + 8 * U * U
    return coef



def _fast_series_order(t: np.ndarray) -> tuple[float, int]:
    """``(max |t|, series order)`` the fast paths need for this chunk (order 0: every ``t`` is 0).

    Raises ArithmeticError when the reduction left a ``|t|`` beyond the table's range.
    """
    tmax = float(np.max(np.abs(t))) if t.size else 0.0
    big_k = series_order(tmax)
    if big_k is None:
        raise ArithmeticError("reduction failed")
    return tmax, (0 if tmax == 0.0 else big_k)

def _series(t: np.ndarray, w: np.ndarray | None, wsum: Fraction, tol: Fraction, sink: "_SeriesSink") -> None:
    """Add ``sum_i w_i log(1 + t_i)``; ``t`` exact, ``|t| < 2**-B``."""
    tmax = float(np.max(np.abs(t))) if t.size else 0.0
    if not tmax < 2.0**-B:
        raise ArithmeticError("reduction failed")
    big_k, k0 = _choose_orders(tmax and float(pow2(_cap(tmax))), float(wsum), float(tol))
    if big_k == 0:
        return
    cap = _cap(tmax)
    T = pow2(cap)  # a power of two at or above every |t|: the bounds below are cached per (T, K, k0)
    rows: list[tuple[int, np.ndarray]] = []  # (key, vector): key 1 -> coefficient 1, key 2 -> -1/2

    def push(key: int, v: np.ndarray, exact_w: bool = True, sv: tuple | None = None) -> None:
        if w is None:
            rows.append((key, v))
        elif exact_w:
            rows.extend((key, part) for part in two_prod(w, v, sa=ws, sb=sv))
        else:
            rows.append((key, w * v))

    ws = split(w) if w is not None else None
    st = split(t)
    push(1, t, sv=st)
    err, abs_err = Fraction(0), Fraction(0)  # relative to S3, and absolute
    if big_k >= 2:
        p2, e2 = two_prod(t, t, st, st)
        push(2, p2)
        # w * e2 rounded costs at most u |w e2| <= u**2 w T**2 per term: take it when that is small
        cheap = w is not None and float(U * U * T * T * wsum) * 64 <= float(tol)
        push(2, e2, exact_w=not cheap)
        if cheap:
            abs_err += U * U * T * T * wsum * (1 + U) / 2  # the coefficient of e2 is -1/2
    if big_k >= 3:
        gh, gl = _tail(t, st, p2, e2, big_k, k0)
        push(1, gh)
        push(1, gl, exact_w=False)
    cubes = np.abs(p2 * t) if big_k >= 2 else np.abs(t) ** 3
    if w is not None:
        cubes *= np.abs(w)
    s3 = sum_upper(cubes) * (1 + 4 * U) + t.size * pow2(-1070)  # >= sum w |t|**3
    if w is None and big_k >= 2:
        fused = _fuse_unit_rows(t, p2, e2, (gh, gl) if big_k >= 3 else None, tol / 8)
        if fused is not None:
            rows, fuse_err = fused
            abs_err += fuse_err
    err = _series_coef(cap, big_k, k0) * s3 + abs_err + t.size * big_k * ABS_UNDERFLOW
    part_tol = float(tol) / (2 * len(rows)) * (1 - 2.0**-20)
    mat = np.stack([v for _, v in rows])
    exact_sum_rows(mat, [part_tol * k for k, _ in rows], [sink.sums[k] for k, _ in rows],
                   [sink.errs[k] for k, _ in rows])
    sink.err += err


def _series_unit_fast(t: np.ndarray, tol: Fraction, sink: "_SeriesSink", work: Workspace) -> bool:
    """Unit weights: add ``sum log(1 + t_i)`` as three exactly summed rows ``t, hh, v`` built from
    :func:`.wlog.tail_parts` when the bound fits in ``tol / 2``; False (nothing added) otherwise.
    The row ``t`` is summed exactly through int64 (:func:`_grid_sum`, no residual); ``hh`` and
    ``v`` by extraction, each to ``tol / 4``.

    ``log(1 + t) = t + h2 + g`` with ``h2 = -t**2/2 = -(p2 + e2)/2``; ``(hh, hl) =
    FastTwoSum(-p2/2, gh)`` is exact (``|gh| <= 0.34 |t|**3 < |p2|/2``) and ``v = fl(fl(hl + gl) -
    e2/2)``. Per element the error is at most ``2**-78 |t|**3`` (``gh + gl`` against ``g``, see
    :mod:`.wlog`) plus the truncation ``T**(K-2) |t|**3 / ((K+1)(1-T))`` plus the two roundings of
    ``v``, ``2.02 u (|hl| + |gl| + |e2|/2) <= 2.1 u**2 t**2 + 2**-81 |t|**3`` (``|hl| <= u |hh|``,
    ``|e2| <= u p2``, ``|gl| <= 2**-29.9 |t|**3``). Summed: ``S3 (2**-77 + trunc) + 2.2 u**2 S2``.
    """
    tmax, big_k = _fast_series_order(t)
    if big_k == 0:
        return True
    m = t.size
    p2, e2, gh, gl = tail_parts(t, big_k, work)
    tmp = work.get("tmp", m)
    np.multiply(p2, t, out=tmp)
    np.abs(tmp, out=tmp)
    s3 = sum_upper(tmp) * (1 + 4 * U) + m * pow2(-1070)  # >= sum |t|**3
    err = s3 * _unit_coef(_cap(tmax), big_k) + Fraction(22, 10) * U * U * sum_upper(p2) + m * 24 * ABS_UNDERFLOW
    if err > tol / 2:
        return False
    sink.sums[1].add_int(_grid_sum(t, work.extra("ints", (work.size,))[:m].view(np.int64)), -T_GRID)
    rows = work.extra("rows2", (2, work.size))[:, :m]
    hh, hl = rows[0], rows[1]
    np.multiply(p2, -0.5, out=tmp)  # h2
    np.add(tmp, gh, out=hh)
    np.subtract(hh, tmp, out=hl)
    np.subtract(gh, hl, out=hl)
    hl += gl
    e2 *= -0.5
    hl += e2
    part = float(tol) / 4 * (1 - 2.0**-20)
    exact_sum_rows(rows, [part] * 2, [sink.sums[1]] * 2, [sink.errs[1]] * 2)
    sink.err += err
    return True


T_GRID = 53 + B  # every reduced t is a multiple of 2**-T_GRID (module docstring, step 1)
_GRID_BLOCK = 1 << 10


def _grid_sum(t: np.ndarray, ints: np.ndarray) -> int:
    """``sum(t) * 2**T_GRID`` exactly, for reduced ``t`` (``|t| < 2**-B``), through int64.

    ``t = m r_j - 1`` with ``m`` a multiple of ``2**-53`` and ``r_j`` of ``2**-B``, so
    ``t 2**T_GRID`` is an integer below ``2**(53 + B - B) = 2**53`` in magnitude: the scaling by a
    power of two and the conversion to int64 are exact, and a block of ``2**10`` of them adds up
    below ``2**63`` (no int64 overflow); the block totals are added as Python integers. One
    multiplication, one conversion and one sum replace the extraction rounds of a row.

    >>> from fractions import Fraction
    >>> e, j, t = reduce_exact(np.array([0.3, 0.7, 1e-300, 3.0]))
    >>> Fraction(_grid_sum(t, np.empty(4, np.int64)), 2**T_GRID) == sum(map(Fraction, t.tolist()))
    True
    """
    m = t.size
    np.multiply(t, 2.0**T_GRID, out=ints, casting="unsafe")  # exact: an integer below 2**53
    full = m - m % _GRID_BLOCK
    total = int(ints[full:].sum())
    if full:
        total += sum(ints[:full].reshape(-1, _GRID_BLOCK).sum(axis=1).tolist())
    return total


@lru_cache(maxsize=None)
def _unit_coef(cap: int, big_k: int) -> Fraction:
    T = pow2(cap)
    return pow2(-77) + T ** (big_k - 2) / ((big_k + 1) * (1 - T))


def _series_weighted_fast(t: np.ndarray, w: np.ndarray, tol: Fraction, sink: "_SeriesSink",
                          work: Workspace | None = None) -> bool:
    """Add ``sum w_i log(1 + t_i)`` through :func:`.wlog.weighted_log1p` (two exactly summed rows,
    a relative error per element) when its bound, ``rel * sum w |t|``, is at most ``tol / 2``;
    False (nothing added) otherwise, and the caller takes the fully exact :func:`_series`.

    ``sum w |t| <= sum |a| (1 + 2**-13)``: ``|a| >= |w Lh| (1 - u)`` and ``|Lh| >= |t| (1 - 2**-14)``
    (``|log(1+t) - t| <= t**2 / (2 (1 - |t|))`` and ``Lh`` is within ``3 u |t|`` of it).
    """
    tmax, big_k = _fast_series_order(t)
    if big_k == 0:
        return True
    work = Workspace(t.size) if work is None else work
    rows = work.rows[:, :t.size] if t.size < work.size else work.rows
    a, c, rel = weighted_log1p(t, w, big_k, work, rows)
    np.abs(a, out=work.get("tmp", t.size))
    s1 = sum_upper(work.get("tmp", t.size)) * (1 + pow2(-13))
    err = rel * s1 + t.size * 24 * ABS_UNDERFLOW
    if err > tol / 2:
        return False
    part = float(tol) / 4 * (1 - 2.0**-20)
    exact_sum_rows(rows, [part, part], [sink.sums[1], sink.sums[1]], [sink.errs[1], sink.errs[1]])
    sink.err += err
    return True


def _fuse_unit_rows(t: np.ndarray, p2: np.ndarray, e2: np.ndarray,
                    tail: tuple[np.ndarray, np.ndarray] | None, budget: Fraction) -> tuple[list, Fraction] | None:
    """Unit weights: the five rows ``t, p2 (x -1/2), e2 (x -1/2), gh, gl`` folded into three,
    ``t, hh, v``, and the bound of what the folding rounds.

    ``h2 = -p2/2`` is exact; ``(hh, hl) = FastTwoSum(h2, gh)`` is exact because
    ``|gh| <= 0.34 |t|**3 < t**2 / 2 <= |h2| (1 + u)``; ``v = fl(fl(hl + gl) - e2/2)`` rounds twice,
    by at most ``2.02 u (|hl| + |gl| + |e2|/2)``, and ``|hl| <= u |hh| <= 0.5001 u t**2``,
    ``|e2| / 2 <= 0.5001 u t**2``, ``|gl| <= 8 u |gh| <= 2**-9 u t**2``: at most ``2.1 u**2 t**2`` per
    element, ``2.2 u**2 S2`` in all with ``S2`` a rounded-up ``sum p2`` (``t**2 <= p2 (1 + u)``).
    Two rows fewer to extract exactly; None (keep the five rows) when that bound exceeds
    ``budget`` (values near 1 at high precision: the sum is small, ``sum t**2`` is not).
    """
    h2 = p2 * -0.5
    if tail is None:
        return [(1, t), (1, h2), (1, e2 * -0.5)], Fraction(0)
    err = Fraction(22, 10) * U * U * sum_upper(p2)
    if err > budget:
        return None
    gh, gl = tail
    hh = h2 + gh
    hl = hh - h2
    np.subtract(gh, hl, out=hl)
    hl += gl
    e2 = e2 * -0.5
    hl += e2
    return [(1, t), (1, hh), (1, hl)], err


class _SeriesSink:
    """Per-power exact accumulators across chunks: ``sums[k]``, ``errs[k]`` (coefficient
    ``(-1)**(k+1) / k``), and the Fraction bound of the truncation and rounding errors."""

    def __init__(self) -> None:
        self.sums: dict[int, Dyadic] = defaultdict(Dyadic)
        self.errs: dict[int, Dyadic] = defaultdict(Dyadic)
        self.err = Fraction(0)

    def into(self, acc: _Acc) -> None:
        for k, d in self.sums.items():
            acc.add(Fraction((-1) ** (k + 1), k) * d.value(), Fraction(1, k) * self.errs[k].value())
        acc.add(Fraction(0), self.err)


_SPARSE_N = 1 << 15


def _weighted_table_sparse(e: np.ndarray, j: np.ndarray, w: np.ndarray, tol: Fraction,
                           acc: _Acc) -> tuple[Fraction, Fraction, Fraction]:
    """For at most ``2**15`` terms: add ``-sum_i w_i log r_{j_i}`` (bucket 0 left out) into
    ``acc`` and return ``(folded, E, err)`` as :func:`_weighted_bins` and :func:`_table_part`
    together would, without scanning the 32768 buckets.

    The weights are extracted exactly per element (``sigma_r = 2**k_r``, ``k_1 = ceil(log2
    max|w|) + 2``, ``k_{r+1} = k_r - 51``: every residual stays below ``sigma/4``), so each piece is
    an integer ``|q_i| < 2**52`` times ``2**(k_r - 53)``. Each ``q`` is cut into three 18-bit
    pieces (the top one signed), and one matrix product of the pieces with the per-element rows
    (16-bit limbs of ``floor(log r_j 2**SHORT_BITS)``, which is within ``2**-SHORT_BITS`` per
    unit of weight, added to the width; the indicator of bucket 0; ``e_i``; all below ``2**16``)
    gives every ``sum_i piece_i * column_i``: integer terms below ``2**34``, at most ``2**15`` of
    them, so every partial sum is an integer below ``2**49`` and the float64 product is exact in
    any order of summation (BLAS included).
    """
    n = w.size
    table = _sparse_table()
    nl = table.shape[1] - 2
    rows = np.take(table, j, axis=0)
    rows[:, nl + 1] = e
    wmax = float(np.max(np.abs(w)))
    ks = [int(np.frexp(wmax)[1]) + 2]
    while n * pow2(ks[-1] - 53) > tol and ks[-1] - 53 > -1000:
        ks.append(ks[-1] - 51)
    pieces = np.empty((3 * len(ks), n))
    res = w.copy()
    mask = (1 << _PIECE) - 1
    for r, k in enumerate(ks):
        sig = np.ldexp(1.0, k)
        q = (res + sig) - sig
        res -= q
        qi = (q * np.ldexp(1.0, 53 - k)).astype(np.int64)
        pieces[3 * r] = qi & mask
        pieces[3 * r + 1] = (qi >> _PIECE) & mask
        pieces[3 * r + 2] = qi >> (2 * _PIECE)
    prod = (pieces @ rows).astype(np.int64).tolist()
    dot, folded, big_e = Dyadic(), Dyadic(), Dyadic()
    for r, k in enumerate(ks):
        for p in range(3):
            line, shift = prod[3 * r + p], k - 53 + _PIECE * p
            dot.add_int(sum(v << (16 * i) for i, v in enumerate(line[:nl])), shift - SHORT_BITS)
            folded.add_int(line[nl], shift)
            big_e.add_int(line[nl + 1], shift)
    err = n * pow2(ks[-1] - 53)
    used = sum_upper(np.abs(w)) * 2  # >= sum_r sum_i |q_r,i|: the pieces never exceed |w_i| (1 + 2**-49)
    acc.add(-dot.value(), used * (pow2(-TRUST_BITS) + pow2(-SHORT_BITS)) + err * Fraction(7, 10))
    return folded.value(), big_e.value(), err


_MAX_KEYS = 1 << 19  # joint (exponent, bucket) bins: at most 16 exponents of 32768 buckets


def _weighted_bins(e: np.ndarray, j: np.ndarray, w: np.ndarray, tol: Fraction) -> tuple[list, Fraction, Fraction]:
    """:func:`_weighted_bins_separate` with one ``bincount`` per round on the joint key
    ``(e_i, j_i)``, and rounds sized by the fullest joint bin rather than by ``n``.

    With ``c`` the largest number of elements sharing a key and ``2**b >= c + 2``, the same
    extraction (``sigma_r = 2**k_r``, ``k_1 = ceil(log2 max|w|) + b``, ``k_{r+1} = k_r - 53 + b``)
    keeps every bin total a multiple of ``2**(k_r - 53)`` below ``2**k_r``, hence exact in the float
    accumulator of ``numpy.bincount``; each round now moves ``53 - b`` bits instead of
    ``53 - log2(n)``. ``W_j`` and ``E`` are integer sums over the joint bins. Falls back to the
    separate version when the exponents span more than 16 values.
    """
    nbins = 2**INDEX_BITS
    emin = int(e.min())
    ne = int(e.max()) - emin + 1
    if ne * nbins > _MAX_KEYS:
        return _weighted_bins_separate(e, j, w, tol)
    n = w.size
    key = e - emin
    key <<= INDEX_BITS
    key += j
    kbits = int(int(np.bincount(key).max()) + 2).bit_length()
    wmax = float(np.max(np.abs(w)))
    ks = [int(np.frexp(wmax)[1]) + kbits]
    while n * pow2(ks[-1] - 53) > tol and ks[-1] - 53 > -1000:
        ks.append(ks[-1] - 53 + kbits)
    sigmas = [np.ldexp(1.0, k) for k in ks]
    units = [np.ldexp(1.0, 53 - k) for k in ks]  # reciprocals: exact powers of two
    pieces = np.empty((len(ks), n))
    step = CHUNK // 2  # the extraction chunk by chunk in cache, then one bincount per round
    for s in range(0, n, step):
        res = w[s:s + step].copy()
        for r, (sig, unit) in enumerate(zip(sigmas, units)):
            q = pieces[r, s:s + step]
            np.add(res, sig, out=q)
            q -= sig
            res -= q
            q *= unit
    bins = [np.bincount(key, weights=pieces[r], minlength=ne * nbins).astype(np.int64) for r in range(len(ks))]
    big_e = Dyadic()
    rounds = []
    evals = list(range(emin, emin + ne))
    for r, k in enumerate(ks):
        joint = bins[r].reshape(ne, nbins)  # |entries| < 2**53, ne <= 16: int64 column sums exact
        # a row holds 2**15 entries: sum their 26-bit pieces (below 2**42 each) and recombine
        hi, lo = (joint >> 26).sum(axis=1).tolist(), (joint & ((1 << 26) - 1)).sum(axis=1).tolist()
        per_e = [(h << 26) + l for h, l in zip(hi, lo)]
        big_e.add_int(sum(c * v for c, v in zip(per_e, evals)), k - 53)
        rounds.append((joint.sum(axis=0), k - 53))
    return rounds, big_e.value(), n * pow2(ks[-1] - 53)


def _weighted_bins_separate(e: np.ndarray, j: np.ndarray, w: np.ndarray, tol: Fraction) -> tuple[list, Fraction, Fraction]:
    """Exact per-bucket weights and ``E = sum w_i e_i``, chunk by chunk.

    Error-free extraction with global ``sigma_r = 2**k_r``, ``k_1 = ceil(log2 max|w|) + b``,
    ``k_{r+1} = k_r - 53 + b`` where ``2**b >= n + 2``: each round's pieces are multiples of
    ``2**(k_r - 53)`` and any subset of them adds up exactly (so ``numpy.bincount`` is exact, and
    the int64 totals stay below ``2**53``). Returns ``(rounds, E, err)``: ``rounds`` as for
    :func:`_table_part`, and ``err >= sum |w_i - extracted_i|``, at most ``tol``.
    """
    n = w.size
    nbins = 2**INDEX_BITS
    wmax = float(np.max(np.abs(w)))
    kbits = int(n + 2).bit_length()
    ks = [int(np.frexp(wmax)[1]) + kbits]
    while n * pow2(ks[-1] - 53) > tol and ks[-1] - 53 > -1000:
        ks.append(ks[-1] - 53 + kbits)
    emin = int(e.min())
    ne = int(e.max()) - emin + 1
    bins = np.zeros((len(ks), nbins), dtype=np.int64)
    ebins = np.zeros((len(ks), ne), dtype=np.int64)
    sigmas = [np.ldexp(1.0, k) for k in ks]
    units = [np.ldexp(1.0, k - 53) for k in ks]
    step = CHUNK * 8  # bincount's output arrays are large: fewer, longer calls
    for s in range(0, n, step):
        res = w[s:s + step].copy()
        jc, ec = j[s:s + step], e[s:s + step] - emin
        for r, (sig, unit) in enumerate(zip(sigmas, units)):
            q = (res + sig) - sig
            res -= q
            q /= unit
            bins[r] += np.bincount(jc, weights=q, minlength=nbins).astype(np.int64)
            ebins[r] += np.bincount(ec, weights=q, minlength=ne).astype(np.int64)
    big_e = Dyadic()
    evals = np.arange(emin, emin + ne, dtype=np.int64)
    for r, k in enumerate(ks):
        big_e.add_int(sum(int(c) * int(v) for c, v in zip(ebins[r].tolist(), evals.tolist()) if c), k - 53)
    err = n * pow2(ks[-1] - 53)
    return [(bins[r], ks[r] - 53) for r in range(len(ks))], big_e.value(), err


def _reduce_all(y: np.ndarray, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """:func:`reduce_exact` chunk by chunk (temporaries stay in cache); with weights, also the
    float estimate ``sum w (e log 2 - log r_j + t)`` of the sum (it only sizes the tolerance)."""
    n = y.size
    e, j, t = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n)
    lr = _float_logs()
    est = 0.0
    for s in range(0, n, CHUNK):
        ec, jc, tc = reduce_exact(y[s:s + CHUNK])
        e[s:s + CHUNK], j[s:s + CHUNK], t[s:s + CHUNK] = ec, jc, tc
        if w is not None:
            v = ec * 0.6931471805599453
            v -= lr[jc]
            v += tc
            v *= w[s:s + CHUNK]
            est += float(v.sum())
    return e, j, t, est


def kernel_log_sum(y: np.ndarray, w: np.ndarray | None, rel_bits: int) -> Enclosure | None:
    """Enclose ``sum w_i log y_i`` for positive normal doubles ``y`` and weights ``w`` (None: all 1)
    in ``[2**-900, 2**900]``; None if the bound cannot reach ``2**-rel_bits * max(1, |S|)``.
    """
    acc = _Acc()
    n = y.size
    if n == 0:
        return Enclosure.exact(0)
    e, j, t, est = _reduce_all(y, w)
    nbins = 2**INDEX_BITS
    lr = _float_logs()
    big_e: int | Fraction  # sum e_i (unit weights) or the exact sum w_i e_i
    folded: int | Fraction
    if w is None:
        big_e = int(e.sum())
        counts = np.bincount(j, minlength=nbins)
        est = big_e * 0.6931471805599453 - float((counts * lr).sum()) + float(t.sum())  # no BLAS: its threads stall on a busy machine
    est = abs(est)
    tol = pow2(-rel_bits - 3) * Fraction(max(1.0, est))
    if w is None:
        try:
            folded = _table_part_counts(counts, acc)
        except ArithmeticError:
            return None
        _log2_times(Fraction(big_e - folded), Fraction(0), acc)
    else:
        e_span = max(abs(int(e.min())), abs(int(e.max())))
        if n <= _SPARSE_N:
            folded, big_e, w_err = _weighted_table_sparse(e, j, w, tol / (8 * (e_span + 1)), acc)
        else:
            rounds, big_e, w_err = _weighted_bins(e, j, w, tol / (8 * (e_span + 1)))
            folded = _table_part(rounds, w_err * Fraction(7, 10), acc)
        _log2_times(Fraction(big_e - folded), w_err * (e_span + 1), acc)
    sink = _SeriesSink()
    try:
        step = CHUNK if w is None else CHUNK // 2
        work = Workspace(min(step, n))
        for s in range(0, n, step):
            tc = t[s:s + step]
            wc = None if w is None else w[s:s + step]
            part_tol = tol * Fraction(tc.size, n)
            if wc is None and _series_unit_fast(tc, part_tol, sink, work):
                continue
            if wc is not None and _series_weighted_fast(tc, wc, part_tol, sink, work):
                continue
            wsum = Fraction(tc.size) if wc is None else sum_upper(np.abs(wc))
            _series(tc, wc, wsum, part_tol, sink)
    except ArithmeticError:
        return None
    sink.into(acc)
    lo, hi = acc.value - acc.err, acc.value + acc.err
    magnitude = max(Fraction(1), min(abs(lo), abs(hi)) if lo * hi > 0 else Fraction(1))
    if hi - lo > pow2(-rel_bits) * magnitude:
        return None
    return Enclosure(lo, hi)
