"""symxent.dask on the threaded scheduler and on a real LocalCluster (2 worker processes): the
certified result equals the single-machine one exactly, survives a killed worker, and bad
shards stop it with one error naming the shard and row."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

from symxent import dask as sd  # noqa: E402
from symxent.errors import DomainError, ShapeError  # noqa: E402
from symxent.kernels import partial as P  # noqa: E402

RNG = np.random.default_rng(2026)
N = 8_000
Q = RNG.random(N)
Y = (RNG.random(N) < Q).astype(np.int64)
K = 5
LABELS = RNG.integers(0, K, N)
PROBS = RNG.dirichlet(np.ones(K), size=N)
LOGITS = RNG.normal(scale=3.0, size=(N, K))
PP, QQ = RNG.dirichlet(np.ones(N)), RNG.dirichlet(np.ones(N))
QK = PP * (1 + 2.0**-30 * RNG.standard_normal(N))  # near-equal: the log ratio's close elements
QK[:50] = RNG.random(50) * 1e-3  # and some far ones

CASES = {
    "mean_bce": ((Y, Q), sd.mean_bce, P.partial_mean_bce),
    "categorical_ce": ((LABELS, PROBS), sd.categorical_ce, P.partial_categorical_ce),
    "categorical_ce_logits": ((LABELS, LOGITS), sd.categorical_ce_logits, P.partial_categorical_ce_logits),
    "kl_divergence": ((PP, QQ), sd.kl_divergence, P.partial_kl_divergence),
    "entropy": ((PP,), sd.entropy, P.partial_entropy),
    "kl_log_ratio": ((PP, QK), sd.kl_log_ratio, P.partial_kl_log_ratio),
}


@pytest.fixture(scope="module")
def client():
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def _single(kind):
    args, _, part = CASES[kind]
    return P.finish(part(*args))


def _dask_args(kind, chunks):
    return [da.from_array(a, chunks=(chunks,) + a.shape[1:]) for a in CASES[kind][0]]


def _same(a, b):
    assert (a.enclosure, a.float64, a.digits) == (b.enclosure, b.float64, b.digits)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_threaded_scheduler_equals_single_machine_for_any_chunking(kind):
    ref = _single(kind)
    for chunks in (N, 3001, 1024):
        _same(CASES[kind][1](*_dask_args(kind, chunks), scheduler="threads"), ref)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_local_cluster_equals_single_machine(client, kind):
    _same(CASES[kind][1](*_dask_args(kind, 2500)), _single(kind))


def test_warm_up_reports_one_engine_per_worker(client):
    engines = sd.warm_up(client)
    assert len(engines) == 2 and set(engines.values()) <= {"numba", "numpy"}
    assert sd.warm_up() == engines  # the active client by default


def test_dataframe_columns(client):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    frame = dd.from_pandas(pd.DataFrame({"y": Y, "q": Q, "p": PP, "r": QQ}), npartitions=4)
    _same(sd.mean_bce(frame["y"], frame["q"]), _single("mean_bce"))
    _same(sd.kl_divergence(frame["p"], frame["r"], scheduler="threads"), _single("kl_divergence"))
    _same(sd.entropy(frame["p"]), _single("entropy"))
    with pytest.raises(ShapeError, match="mix of dataframe columns and arrays"):
        sd.mean_bce(frame["y"], Q)


def _die_once(block, marker, victim, block_info=None):
    """Kill this worker process the first time block ``victim`` is computed."""
    if block_info[0]["chunk-location"][0] == victim and not os.path.exists(marker):
        with open(marker, "w") as fh:
            fh.write(str(os.getpid()))
        os._exit(1)
    return block


def test_a_killed_worker_is_retried_and_the_result_is_identical(client, tmp_path):
    marker = str(tmp_path / "killed")
    q = da.from_array(Q, chunks=2000).map_blocks(_die_once, marker, 3, dtype=float)
    got = sd.mean_bce(da.from_array(Y, chunks=2000), q)
    assert os.path.exists(marker)  # a worker really died
    _same(got, _single("mean_bce"))


def test_bad_values_name_the_block_and_row(client):
    q = Q.copy()
    q[7777] = np.nan
    with pytest.raises(DomainError, match=r"block 3 \(rows 6000\.\.7999\): row 7777: q=nan"):
        sd.mean_bce(da.from_array(Y, chunks=2000), da.from_array(q, chunks=2000))


def _shard_dir(tmp_path, name, arr, size):
    d = tmp_path / name
    d.mkdir()
    for i in range(0, len(arr), size):
        np.save(d / f"part-{i // size:02d}.npy", arr[i:i + size])
    return d


@pytest.mark.parametrize("field, value, message", [
    ("q", 1.5, r"q/part-02.npy: row 123: q=1.5 is not a probability"),
    ("y", 2, r"part-02.npy: row 123: label=2 is not a class index"),
])
def test_bad_shards_are_named_on_the_cluster(client, tmp_path, field, value, message):
    y, q = Y.copy(), Q.copy()
    {"y": y, "q": q}[field][2 * 3000 + 123] = value
    ys, qs = sd.read_shards(_shard_dir(tmp_path, "y", y, 3000)), sd.read_shards(_shard_dir(tmp_path, "q", q, 3000))
    with pytest.raises(DomainError, match=message):
        sd.mean_bce(ys, qs)


def test_shards_on_the_cluster_equal_single_machine_and_nothing_is_skipped(client, tmp_path):
    ys = sd.read_shards(_shard_dir(tmp_path, "y", Y, 3000))
    qs = sd.read_shards(_shard_dir(tmp_path, "q", Q, 3000))
    merged = sd.partial("mean_bce", ys, qs).compute()
    assert merged == P.partial_mean_bce(Y, Q) and merged.n == N


def test_a_truncated_shard_is_named(tmp_path):
    d = _shard_dir(tmp_path, "q", Q, 1500)
    raw = (d / "part-04.npy").read_bytes()
    (d / "part-04.npy").write_bytes(raw[:len(raw) - 8 * 1000])
    with pytest.raises(DomainError, match=r"part-04.npy'?: truncated at row 500"):
        sd.read_shards(d)
