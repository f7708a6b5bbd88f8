"""Certified losses over Dask arrays and dataframe columns (optional: ``pip install 'symxent[dask]'``).

Each block (array chunk, or dataframe partition) becomes one task whose result is a
:class:`~symxent.kernels.partial.Partial` (a few hundred bytes); a tree of merge tasks
(``split_every`` partials per merge) combines them, and :func:`~symxent.kernels.partial.finish`
runs on the client. Merging is exact, so the certified value and its float64 are the same on the
threaded scheduler, on a ``dask.distributed`` cluster, for any chunking and any worker count, and
when a worker dies and Dask reruns its tasks.

A bad row stops the computation with one :class:`~symxent.errors.SymxentError` naming the block
(``block 3 (rows 3000..3999)``, ``partition 2``, or the shard file) and the row.

>>> import dask.array as da, numpy as np
>>> y = da.from_array(np.array([1, 0, 1, 0]), chunks=2)
>>> q = da.from_array(np.array([0.5, 0.5, 0.25, 0.75]), chunks=2)
>>> r = mean_bce(y, q, scheduler="sync")
>>> r.float64, r.path
(1.0397207708399179, 'partial')
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .errors import ShapeError, UnsupportedError
from .kernels import partial as P
from .kernels.losses import CertifiedLoss
from .kernels.stream import LOSSES, shards

__all__ = ["partial", "mean_bce", "categorical_ce", "categorical_ce_logits", "kl_divergence", "kl_log_ratio",
           "entropy", "read_shards", "warm_up", "SPLIT_EVERY"]

SPLIT_EVERY = 8
_SHARD_NAMES: dict[str, list[str]] = {}  # dask array name -> its blocks' shard files (read_shards)


def _dask():
    try:
        import dask
        import dask.array as da
    except ImportError:
        raise UnsupportedError("symxent.dask needs dask: pip install 'symxent[dask]'") from None
    return dask, da


def _is_frame_column(x: Any) -> bool:
    return hasattr(x, "to_delayed") and hasattr(x, "npartitions") and not hasattr(x, "chunks")


def _block(kind: str, where: str, offset: int, *arrays: Any) -> P.Partial:
    """The chunk step: one block's partial (pandas columns become NumPy arrays, list columns 2-D)."""
    func = LOSSES[kind][0]
    return func(*(_numpy(a) for a in arrays), where=where, offset=offset)


def _numpy(a: Any) -> np.ndarray:
    values = getattr(a, "to_numpy", None)
    arr = np.asarray(values() if values is not None else a)
    if arr.dtype == object and arr.ndim == 1:  # a pandas column of lists: the rows of a 2-D input
        arr = np.stack([np.asarray(v) for v in arr]) if arr.size else np.zeros((0, 0))
    return arr


def _merge(*parts: P.Partial) -> P.Partial:
    """The combine step (exact, associative, commutative)."""
    return P.merge(*parts)


def _array_blocks(kind: str, arrays: list[Any]) -> list[Any]:
    dask, da = _dask()
    names = LOSSES[kind][1]
    arrs = [a if isinstance(a, da.Array) else da.from_array(np.asarray(a), chunks=max(1, len(a)))
            for a in arrays]
    first = arrs[0]
    out = []
    for a, nm in zip(arrs, names):
        if a.ndim not in (1, 2):
            raise ShapeError(f"{nm} must be 1-D or 2-D, got shape={a.shape}")
        if a.shape[0] != first.shape[0]:
            raise ShapeError(f"{nm} has {a.shape[0]} rows but {names[0]} has {first.shape[0]}")
        out.append(a.rechunk({0: first.chunks[0], **({1: -1} if a.ndim == 2 else {})}))
    starts = np.cumsum((0,) + first.chunks[0]).tolist()
    files = [_SHARD_NAMES.get(a.name) for a in out]
    delayed = [a.to_delayed().ravel() for a in out]
    tasks = []
    for i, blocks in enumerate(zip(*delayed)):
        named = [f[i] for f in files if f is not None]
        where, offset = (" & ".join(dict.fromkeys(named)), 0) if named else \
            (f"block {i} (rows {starts[i]}..{starts[i + 1] - 1})", starts[i])
        tasks.append(dask.delayed(_block, pure=True)(kind, where, offset, *blocks))
    return tasks


def _frame_blocks(kind: str, columns: list[Any]) -> list[Any]:
    dask, _ = _dask()
    nparts = {c.npartitions for c in columns}
    if len(nparts) != 1:
        raise ShapeError(f"the columns have {sorted(nparts)} partitions: take them from one dataframe")
    parts = [c.to_delayed() for c in columns]
    return [dask.delayed(_block, pure=True)(kind, f"partition {i}", 0, *blocks)
            for i, blocks in enumerate(zip(*parts))]


def partial(kind: str, *inputs: Any, split_every: int = SPLIT_EVERY) -> Any:
    """A ``dask.delayed`` object computing the merged partial of loss ``kind`` over the inputs
    (all Dask arrays / NumPy arrays, or all columns of one Dask dataframe).

    >>> import dask.array as da, numpy as np
    >>> p = partial("entropy", da.from_array(np.array([0.5, 0.25, 0.25]), chunks=1))
    >>> p.compute(scheduler="sync") == P.partial_entropy([0.5, 0.25, 0.25])
    True
    """
    dask, _ = _dask()
    if kind not in LOSSES:
        raise UnsupportedError(f"kind={kind!r} is not one of {sorted(LOSSES)!r}")
    if len(inputs) != len(LOSSES[kind][1]):
        raise ShapeError(f"{kind} takes {len(LOSSES[kind][1])} inputs, got {len(inputs)}")
    if isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2:
        raise ShapeError(f"split_every={split_every!r} must be an integer >= 2")
    frames = [_is_frame_column(x) for x in inputs]
    if any(frames) and not all(frames):
        raise ShapeError("mix of dataframe columns and arrays: convert the columns with .to_dask_array(lengths=True)")
    level = _frame_blocks(kind, list(inputs)) if all(frames) else _array_blocks(kind, list(inputs))
    if not level:
        return dask.delayed(P.Partial(kind, 0, Fraction(0), Fraction(0), Fraction(0)))
    while len(level) > 1:
        level = [dask.delayed(_merge, pure=True)(*level[i:i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


def _finished(kind: str, inputs: tuple, digits: int, split_every: int, compute: dict) -> CertifiedLoss:
    return P.finish(partial(kind, *inputs, split_every=split_every).compute(**compute), digits)


def mean_bce(y: Any, q: Any, *, digits: int = 30, split_every: int = SPLIT_EVERY, **compute: Any) -> CertifiedLoss:
    """Certified mean BCE of labels ``y`` (0, 1 or soft) and probabilities ``q`` (``compute`` keywords go to
    ``dask.compute``, e.g. ``scheduler="threads"``; the active distributed client otherwise)."""
    return _finished("mean_bce", (y, q), digits, split_every, compute)


def categorical_ce(labels: Any, probs: Any, *, digits: int = 30, split_every: int = SPLIT_EVERY,
                   **compute: Any) -> CertifiedLoss:
    """Certified mean categorical cross-entropy from probabilities (rows of ``probs``)."""
    return _finished("categorical_ce", (labels, probs), digits, split_every, compute)


def categorical_ce_logits(labels: Any, logits: Any, *, digits: int = 30, split_every: int = SPLIT_EVERY,
                          **compute: Any) -> CertifiedLoss:
    """Certified mean categorical cross-entropy from logits (rows of ``logits``)."""
    return _finished("categorical_ce_logits", (labels, logits), digits, split_every, compute)


def kl_divergence(p: Any, q: Any, *, digits: int = 30, split_every: int = SPLIT_EVERY, **compute: Any) -> CertifiedLoss:
    """Certified ``KL(p || q)``, elementwise over the rows of ``p`` and ``q``."""
    return _finished("kl_divergence", (p, q), digits, split_every, compute)


def kl_log_ratio(p: Any, q: Any, *, digits: int = 30, split_every: int = SPLIT_EVERY, **compute: Any) -> CertifiedLoss:
    """Certified ``KL(p || q)`` through the log ratio (:func:`~symxent.kernels.partial.partial_kl_log_ratio`):
    no cancellation when ``p`` and ``q`` nearly coincide."""
    return _finished("kl_log_ratio", (p, q), digits, split_every, compute)


def warm_up(client: Any = None) -> dict[str, str]:
    """Load (or compile, once: Numba's on-disk cache) and check the compiled chunk step on every
    worker of ``client`` (the active ``dask.distributed`` client by default), so that no task pays
    for it; returns each worker's engine (``"numba"`` or ``"numpy"``; the partials are identical
    either way). Without a distributed client, warms up this process: ``{"local": engine}``."""
    if client is None:
        try:
            from distributed import get_client
            client = get_client()
        except (ImportError, ValueError):
            return {"local": P.warm_up()}
    return dict(client.run(P.warm_up))


def entropy(p: Any, *, digits: int = 30, split_every: int = SPLIT_EVERY, **compute: Any) -> CertifiedLoss:
    """Certified Shannon entropy ``-sum p log p``."""
    return _finished("entropy", (p,), digits, split_every, compute)


def read_shards(spec: Any, name: str = "input") -> Any:
    """A Dask array with one block per shard of ``spec`` (a directory, glob, ``.npy`` file or
    ``path::column``; see :mod:`symxent.kernels.stream`): headers are checked here (a truncated
    file is named at once), each block is read by its task."""
    dask, da = _dask()
    found = shards(spec, name)
    blocks = []
    for s in found:
        first = next(s.chunks(1), None)
        if first is None:
            continue
        shape = (s.rows, *first.shape[1:])
        blocks.append(da.from_delayed(dask.delayed(_read, pure=True)(s), shape=shape, dtype=first.dtype))
    if not blocks:
        raise ShapeError(f"{name}={spec!r}: every shard is empty")
    arr = da.concatenate(blocks, axis=0)
    if len(_SHARD_NAMES) > 1000:
        _SHARD_NAMES.clear()
    _SHARD_NAMES[arr.name] = [s.name for s in found if s.rows]
    return arr


def _read(s: Any) -> np.ndarray:
    chunks = list(s.chunks(max(1, s.rows)))
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
