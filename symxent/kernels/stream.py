"""Out-of-core certified losses: ``.npy`` files (memory-mapped), Parquet and Arrow columns, and
directories or globs of shards, streamed in chunks of rows and merged as exact partials
(:mod:`.partial`), so the value is the one a single in-memory call gives.

An input is an array, a path, a directory (every ``.npy``/``.parquet``/``.arrow``/``.feather``
file in it, sorted by name), or a glob; a Parquet/Arrow column is named ``path::column`` (a list
column holds the rows of a 2-D input). The inputs of one loss are matched shard by shard (same
number of shards, same row count per shard) and read ``chunk_rows`` rows at a time.

Memory. The peak of the heap (NumPy's buffers included) does not depend on the number of rows:
for the hard-label BCE it is about ``3.5 * 8 * chunk_rows`` bytes plus 8 MiB (measured by
``benchmarks/bench_memory.py`` at N = 10**8: 16 MiB at 2**18 rows per chunk, 36 MiB at 2**20,
120 MiB at 2**22). The pages of a memory-mapped file that a chunk has used are released after
it (``madvise(MADV_DONTNEED)``), so the resident set does not grow with the file either.

>>> import numpy as np
>>> stream_loss("mean_bce", np.array([1, 0]), np.array([0.5, 0.5]), chunk_rows=1).float64
0.6931471805599453
"""

from __future__ import annotations

import glob as _glob
import mmap
import os
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ..errors import DomainError, ShapeError, UnsupportedError
from . import partial as P
from .losses import CertifiedLoss

__all__ = ["Shard", "shards", "stream_partial", "stream_loss", "is_streamed", "LOSSES", "CHUNK_ROWS"]

CHUNK_ROWS = 1 << 20
SUFFIXES = (".npy", ".parquet", ".arrow", ".feather")
# kind -> (partial function, the names of its inputs)
LOSSES: dict[str, tuple[Callable[..., P.Partial], tuple[str, ...]]] = {
    "mean_bce": (P.partial_mean_bce, ("y", "q")),
    "categorical_ce": (P.partial_categorical_ce, ("labels", "probs")),
    "categorical_ce_logits": (P.partial_categorical_ce_logits, ("labels", "logits")),
    "kl_divergence": (P.partial_kl_divergence, ("p", "q")),
    "kl_log_ratio": (P.partial_kl_log_ratio, ("p", "q")),
    "entropy": (P.partial_entropy, ("p",)),
}


@dataclass(frozen=True)
class Shard:
    """One piece of an input: its ``name`` (for messages), ``rows``, and ``chunks(c)``, an
    iterator of arrays of at most ``c`` rows each, in order."""

    name: str
    rows: int
    chunks: Callable[[int], Iterator[np.ndarray]]


def shards(spec: Any, name: str = "input") -> list[Shard]:
    """The shards of one input (see the module docstring).

    >>> [s.rows for s in shards(np.zeros(5))]
    [5]
    """
    if isinstance(spec, (str, os.PathLike)):
        text = os.fspath(spec)
        path, _, column = text.partition("::")
        return [_file_shard(f, column or None) for f in _files(path, name)]
    arr = np.asarray(spec)
    if arr.ndim == 0:
        raise ShapeError(f"{name} is a scalar, not an array of rows")
    return [Shard(f"{name}[array]", arr.shape[0], lambda c: (arr[s:s + c] for s in range(0, arr.shape[0], c)))]


def _is(test: str, path: str) -> bool:
    """``Path(path).is_dir()`` / ``.is_file()``, False for a name the system refuses (too long)."""
    try:
        return bool(getattr(Path(path), test)())
    except (OSError, ValueError):  # ENAMETOOLONG is not among the errors pathlib swallows
        return False


def _files(path: str, name: str) -> list[str]:
    if any(ch in path for ch in "*?["):
        found = sorted(_glob.glob(path))
    elif _is("is_dir", path):
        found = sorted(str(p) for p in Path(path).iterdir() if p.suffix in SUFFIXES)
    else:
        found = [path]
    if not found:
        raise DomainError(f"{name}={path!r}: no shards found")
    for f in found:
        if not _is("is_file", f):
            raise DomainError(f"{name}={f!r}: no such file")
        if Path(f).suffix not in SUFFIXES:
            raise UnsupportedError(f"{name}={f!r}: not one of {', '.join(SUFFIXES)}")
    return found


def _file_shard(path: str, column: str | None) -> Shard:
    suffix = Path(path).suffix
    if suffix == ".npy":
        if column is not None:
            raise UnsupportedError(f"{path!r}: a .npy file has no columns (got column={column!r})")
        return _npy_shard(path)
    return _arrow_shard(path, column)


def _npy_header(path: str) -> tuple[tuple[int, ...], np.dtype, int]:
    try:
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
            if version not in read:
                raise ValueError(f"unsupported .npy version {version}")
            shape, fortran, dtype = read[version](fh)
            offset = fh.tell()
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise DomainError(f"shard {path!r}: not a readable .npy file ({str(exc)[:100]})") from None
    if fortran or dtype.names is not None or dtype.kind not in "biuf" or dtype.hasobject or not shape:
        raise DomainError(f"shard {path!r}: holds dtype={str(dtype)!r} shape={shape} (fortran order: {fortran}), "
                          f"not C-ordered plain numbers")
    return shape, dtype, offset


def _npy_shard(path: str) -> Shard:
    shape, dtype, offset = _npy_header(path)
    row_bytes = dtype.itemsize * int(np.prod(shape[1:], dtype=np.int64))
    size = os.path.getsize(path)
    if size - offset < shape[0] * row_bytes:
        present = (size - offset) // row_bytes if row_bytes else 0
        raise DomainError(f"shard {path!r}: truncated at row {present} (the header promises {shape[0]} rows)")

    def chunks(c: int) -> Iterator[np.ndarray]:
        if shape[0] == 0:
            return
        mm = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)
        raw = mm._mmap  # type: ignore[attr-defined]  # numpy private, not in its stubs; the mmap.mmap object: release the pages a chunk has used
        try:
            for s in range(0, shape[0], c):
                yield np.array(mm[s:s + c])
                if raw is not None and hasattr(raw, "madvise"):
                    lo = (offset + s * row_bytes) // mmap.PAGESIZE * mmap.PAGESIZE
                    hi = min(len(raw), offset + (s + c) * row_bytes)
                    if hi > lo:
                        raw.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
        finally:
            del mm

    return Shard(path, shape[0], chunks)


def _arrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UnsupportedError("Parquet/Arrow inputs need pyarrow: pip install 'symxent[arrow]'") from None
    return pa, pq


def _arrow_shard(path: str, column: str | None) -> Shard:
    pa, pq = _arrow()
    try:
        if Path(path).suffix == ".parquet":
            meta = pq.ParquetFile(path)
            names, rows = meta.schema_arrow.names, meta.metadata.num_rows
        else:
            reader = pa.ipc.open_file(pa.memory_map(path, "r"))
            names, rows = reader.schema.names, sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
    except (OSError, pa.ArrowException) as exc:
        raise DomainError(f"shard {path!r}: not a readable Parquet/Arrow file ({str(exc)[:100]})") from None
    if column is None:
        if len(names) != 1:
            raise ShapeError(f"shard {path!r} has columns {names!r}: name one as {path}::COLUMN")
        column = names[0]
    if column not in names:
        raise ShapeError(f"shard {path!r} has no column {column!r} (columns: {names!r})")

    def batches(c: int) -> Iterator[Any]:
        if Path(path).suffix == ".parquet":
            yield from pq.ParquetFile(path).iter_batches(batch_size=c, columns=[column])
        else:
            rd = pa.ipc.open_file(pa.memory_map(path, "r"))
            for i in range(rd.num_record_batches):
                yield rd.get_batch(i).select([column])

    def chunks(c: int) -> Iterator[np.ndarray]:
        for b in batches(c):
            yield _to_numpy(b.column(0), path, column)

    return Shard(f"{path}::{column}", rows, chunks)


def _to_numpy(col: Any, path: str, column: str) -> np.ndarray:
    """An Arrow array as NumPy: numbers as 1-D, (fixed-size) lists of equal length as 2-D."""
    pa, _ = _arrow()
    if col.null_count:
        raise DomainError(f"shard {path!r}: column {column!r} holds null values")
    if pa.types.is_list(col.type) or pa.types.is_large_list(col.type) or pa.types.is_fixed_size_list(col.type):
        lengths = col.value_lengths().to_numpy(zero_copy_only=False)
        if lengths.size and (lengths != lengths[0]).any():
            raise ShapeError(f"shard {path!r}: column {column!r} holds rows of different lengths")
        flat = col.flatten().to_numpy(zero_copy_only=False)
        return flat.reshape(len(col), int(lengths[0]) if lengths.size else 0)
    return col.to_numpy(zero_copy_only=False)


class _Take:
    """Re-chunks an iterator of arrays: ``take(k)`` returns exactly the next ``k`` rows."""

    def __init__(self, it: Iterator[np.ndarray], name: str) -> None:
        self.it, self.name = it, name
        self.buf: list[np.ndarray] = []

    def take(self, k: int) -> np.ndarray:
        have = sum(len(b) for b in self.buf)
        while have < k:
            nxt = next(self.it, None)
            if nxt is None:
                raise DomainError(f"shard {self.name!r} ended early")
            self.buf.append(nxt)
            have += len(nxt)
        whole = self.buf[0] if len(self.buf) == 1 else np.concatenate(self.buf)
        self.buf = [whole[k:]] if have > k else []
        return whole[:k]


def _bar(total: int, progress: bool | None):
    """A tqdm bar on stderr (only when stderr is a terminal, unless ``progress`` says)."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr, leave=False)


def stream_partial(kind: str, *inputs: Any, chunk_rows: int = CHUNK_ROWS, progress: bool | None = None) -> P.Partial:
    """The partial of loss ``kind`` over inputs too large for memory (see the module docstring).

    >>> stream_partial("entropy", np.array([0.5, 0.5]), chunk_rows=1) == P.partial_entropy([0.5, 0.5])
    True
    """
    if kind not in LOSSES:
        raise UnsupportedError(f"kind={kind!r} is not one of {sorted(LOSSES)!r}")
    func, names = LOSSES[kind]
    if len(inputs) != len(names):
        raise ShapeError(f"{kind} takes {len(names)} inputs ({', '.join(names)}), got {len(inputs)}")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ShapeError(f"chunk_rows={chunk_rows!r} must be a positive integer")
    cols = [shards(spec, nm) for spec, nm in zip(inputs, names)]
    if len({len(c) for c in cols}) != 1:
        raise ShapeError(f"{kind}: the inputs have {[len(c) for c in cols]} shards: they must match")
    for group in zip(*cols):
        if len({s.rows for s in group}) != 1:
            raise ShapeError(f"{kind}: shards {[s.name for s in group]!r} have {[s.rows for s in group]} rows")
    bar = _bar(sum(g[0].rows for g in zip(*cols)), progress)
    acc = P.Partial(kind, 0, Fraction(0), Fraction(0), Fraction(0))
    try:
        for group in zip(*cols):
            where = " & ".join(dict.fromkeys(s.name for s in group))
            readers = [_Take(s.chunks(chunk_rows), s.name) for s in group]
            rows = group[0].rows
            for s in range(0, rows, chunk_rows):
                k = min(chunk_rows, rows - s)
                acc = P.merge(acc, func(*(r.take(k) for r in readers), where=where, offset=s))
                if bar is not None:
                    bar.update(k)
    finally:
        if bar is not None:
            bar.close()
    return acc


def stream_loss(kind: str, *inputs: Any, digits: int = 30, chunk_rows: int = CHUNK_ROWS,
                progress: bool | None = None) -> CertifiedLoss:
    """:func:`stream_partial`, finished (:func:`.partial.finish`)."""
    return P.finish(stream_partial(kind, *inputs, chunk_rows=chunk_rows, progress=progress), digits)


def is_streamed(text: str) -> bool:
    """Whether a command-line input names something to stream (a glob, a directory, a
    Parquet/Arrow file or column)."""
    path = text.partition("::")[0]
    if "::" in text or any(ch in path for ch in "*?[") or path.endswith((".parquet", ".arrow", ".feather")):
        return True
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):  # a name too long, a NUL byte: not a folder
        return False

