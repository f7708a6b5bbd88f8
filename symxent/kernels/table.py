"""The argument-reduction table of the log kernel, and high-precision constants.

A positive normal double is ``x = 2**e * m`` with ``m`` in ``[1/2, 1)``. The top ``INDEX_BITS``
bits of the fraction of ``m`` pick a bucket ``j`` of width ``2**-(B + 2)``; its reducer is
``r_j = k_j / 2**B`` (``B = 14``, ``k_j`` an integer of at most ``B + 1`` bits, so ``r_j`` is an exact
double). The table is built so that every ``m`` of bucket ``j`` has ``|m * r_j - 1| < 2**-B``;
this is checked exactly (in integers) when the table is built, and again on the data.

``log 2`` is computed with mpmath at ``WORK_PREC`` bits and floored onto the grid
``2**-FRAC_BITS``; ``L_j = log(r_j)`` comes from an integer chain of ``atanh`` series (see
:func:`_logs_by_chain`). Each is then only trusted to ``2**-TRUST_BITS`` absolute: a margin of
more than 2**36 units, so the bound does not rest on mpmath rounding its logarithm correctly.

>>> t = reduction_table()
>>> int(t.r[0]), int(t.r[-1])          # m near 1/2 uses r = 2, m near 1 uses r = 1
(2, 1)
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import mpmath
import numpy as np

__all__ = ["B", "INDEX_BITS", "FRAC_BITS", "TRUST_BITS", "ReductionTable", "reduction_table", "log2_fixed"]

B = 14  # |t| < 2**-B after reduction
INDEX_BITS = B + 1
WORK_PREC = 360
FRAC_BITS = 340
TRUST_BITS = 300


@dataclass(frozen=True)
class ReductionTable:
    k: np.ndarray  # int64 numerators, r_j = k_j / 2**B
    r: np.ndarray  # float64 reducers (exact)
    log_r: tuple[int, ...]  # floor(log(r_j) * 2**FRAC_BITS), trusted to 2**-TRUST_BITS


def _choose_and_check(size: int) -> list[int]:
    """The numerators ``k_j``, with the reduction bound checked exactly for both ends of every
    bucket, in integers: bucket ``j`` holds ``m`` in ``[(2**I + j) / 2**(I+1), (2**I + j + 1) /
    2**(I+1))`` (``I = INDEX_BITS``), and ``|m k / 2**B - 1| < 2**-B`` at an end ``a / 2**(I+1)``
    is ``|a k - 2**(I+1+B)| < 2**(I+1)`` (``<=`` at the open upper end).
    """
    j = np.arange(size, dtype=np.int64)
    den = 2 ** (INDEX_BITS + 1) + 2 * j + 1  # the bucket centre is den / 2**(I+2)
    num = np.int64(2 ** (B + INDEX_BITS + 2))
    k = (2 * num + den) // (2 * den)  # round(2**B / centre)
    lo_end = np.abs((2**INDEX_BITS + j) * k - 2 ** (INDEX_BITS + 1 + B))
    hi_end = np.abs((2**INDEX_BITS + j + 1) * k - 2 ** (INDEX_BITS + 1 + B))
    bad = (lo_end >= 2 ** (INDEX_BITS + 1)) | (hi_end > 2 ** (INDEX_BITS + 1))
    if bad.any():
        raise AssertionError(f"reduction table bucket j={int(np.argmax(bad))} does not reduce below 2**-{B}")
    return k.tolist()


def log_fixed(num: int, den_bits: int) -> int:
    """``floor(log(num / 2**den_bits) * 2**FRAC_BITS)`` computed at ``WORK_PREC`` bits."""
    with mpmath.workprec(WORK_PREC):
        v = mpmath.log(mpmath.mpf(num) / mpmath.mpf(2) ** den_bits)
        return int(mpmath.floor(mpmath.ldexp(v, FRAC_BITS)))


@lru_cache(maxsize=1)
def log2_fixed() -> int:
    """``floor(log(2) * 2**FRAC_BITS)``, trusted to ``2**-TRUST_BITS``.

    >>> abs(log2_fixed() / 2**FRAC_BITS - 0.6931471805599453) < 1e-16
    True
    """
    return log_fixed(2, 0)


_GUARD = 16


def _log1p_recip(m: int, bits: int) -> int:
    """``log(1 + 1/m) * 2**bits`` from below, within 32 units: ``2 atanh(1/(2m+1))`` summed in
    integers, each of the (at most 16 for ``m >= 2**B``) floored terms off by less than one unit."""
    q = 2 * m + 1
    q2, term, total, i = q * q, (1 << bits) // q, 0, 0
    while term:
        total += term // (2 * i + 1)
        term //= q2
        i += 1
    return 2 * total


def _logs_by_chain(ks: list[int]) -> tuple[int, ...]:
    """``log(k / 2**B)`` on the grid ``2**-FRAC_BITS`` for every k in ``[2**B, 2**(B+1)]``, by the
    chain ``log(k/2**B) = log((k-1)/2**B) + log(1 + 1/(k-1))`` in integers with ``_GUARD``
    extra bits: at most ``2**B`` steps of at most 32 units of ``2**-(FRAC_BITS + _GUARD)`` each,
    so every entry is within ``2**(B + 5 - FRAC_BITS - _GUARD) = 2**-337`` of the true value,
    far inside the trusted ``2**-TRUST_BITS``. Pure integer arithmetic, no mpmath.
    """
    bits = FRAC_BITS + _GUARD
    chain = {2**B: 0}
    acc = 0
    for k in range(2**B + 1, max(ks) + 1):
        acc += _log1p_recip(k - 1, bits)
        chain[k] = acc
    return tuple(chain[k] >> _GUARD for k in ks)


def cache_dir() -> Path | None:
    """Where built tables are kept between processes: ``SYMXENT_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/symxent`` or ``~/.cache/symxent``; None when ``SYMXENT_CACHE_DIR`` is
    empty or ``0`` (no cache: every process builds the tables, about 0.3 s)."""
    env = os.environ.get("SYMXENT_CACHE_DIR")
    if env is not None:
        return None if env.strip() in ("", "0") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "symxent"


def cached_bytes(name: str, build: Callable[[], bytes]) -> bytes:
    """``build()``, kept in :func:`cache_dir` under ``name`` with its SHA-256: a file that does not
    match its checksum (torn, corrupted) is rebuilt; a cache that cannot be written is skipped.
    The caller checks what it reads back as well (:func:`reduction_table` spot-checks entries).
    """
    where = cache_dir()
    path = None if where is None else where / f"{name}.bin"
    if path is not None:
        try:
            raw = path.read_bytes()
            if len(raw) >= 32 and hashlib.sha256(raw[32:]).digest() == raw[:32]:
                return raw[32:]
        except OSError:
            pass
    payload = build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
        except OSError:
            pass
    return payload


_LOG_BYTES = 44  # every floor(log r_j 2**FRAC_BITS) is in [0, 2**341): 44 bytes, little-endian
_TABLE_NAME = f"log-table-B{B}-I{INDEX_BITS}-F{FRAC_BITS}-G{_GUARD}-v1"


def _cached_logs(ks: list[int]) -> tuple[int, ...]:
    """:func:`_logs_by_chain` through :func:`cached_bytes`; what is read back is spot-checked
    against :func:`log_fixed` (mpmath, independent of the chain) at the ends and at 14 entries
    spread over the table, within the chain's error, and rebuilt on any mismatch."""

    def build() -> bytes:
        return b"".join(v.to_bytes(_LOG_BYTES, "little") for v in _logs_by_chain(ks))

    def parse(raw: bytes) -> tuple[int, ...] | None:
        if len(raw) != _LOG_BYTES * len(ks):
            return None
        logs = tuple(int.from_bytes(raw[i:i + _LOG_BYTES], "little") for i in range(0, len(raw), _LOG_BYTES))
        for j in {0, len(ks) - 1, *range(0, len(ks), len(ks) // 14 + 1)}:
            if abs(logs[j] - log_fixed(ks[j], B)) > 16:  # the chain is within 8 units, log_fixed 1
                return None
        return logs

    got = parse(cached_bytes(_TABLE_NAME, build))
    return got if got is not None else _logs_by_chain(ks)


@lru_cache(maxsize=1)
def reduction_table() -> ReductionTable:
    """Build (once per process; the logarithms are kept on disk between processes, see
    :func:`cached_bytes`) the table described in the module docstring, checking every bucket."""
    ks = _choose_and_check(2**INDEX_BITS)
    logs = _cached_logs(ks)
    k_arr = np.array(ks, dtype=np.int64)
    return ReductionTable(k=k_arr, r=k_arr.astype(np.float64) / 2**B, log_r=logs)
