"""Out-of-core inputs: .npy shards (memory-mapped), Parquet/Arrow columns, directories and
globs, streamed in chunks; the same partial as one in-memory call; bad shards named."""

from __future__ import annotations

import numpy as np
import pytest

from symxent.errors import DomainError, ShapeError, UnsupportedError
from symxent.kernels import partial as P
from symxent.kernels.stream import is_streamed, shards, stream_loss, stream_partial

RNG = np.random.default_rng(7)
N = 5000
Q = RNG.random(N)
Y = (RNG.random(N) < Q).astype(np.int64)
PROBS = RNG.dirichlet(np.ones(3), size=N)
LABELS = RNG.integers(0, 3, N)


def _npy_shards(tmp_path, name, arr, cuts):
    d = tmp_path / name
    d.mkdir()
    for i, (a, b) in enumerate(zip([0, *cuts], [*cuts, len(arr)])):
        np.save(d / f"part-{i:03d}.npy", arr[a:b])
    return d


def test_one_npy_file_streams_to_the_in_memory_partial(tmp_path):
    np.save(tmp_path / "y.npy", Y)
    np.save(tmp_path / "q.npy", Q)
    got = stream_partial("mean_bce", tmp_path / "y.npy", str(tmp_path / "q.npy"), chunk_rows=777)
    assert got == P.partial_mean_bce(Y, Q)


def test_a_directory_and_a_glob_of_shards(tmp_path):
    ydir = _npy_shards(tmp_path, "y", Y, [1000, 3100])
    qdir = _npy_shards(tmp_path, "q", Q, [1000, 3100])
    a = stream_loss("mean_bce", ydir, f"{qdir}/part-*.npy", chunk_rows=512, progress=False)
    b = P.finish(P.partial_mean_bce(Y, Q))
    assert (a.enclosure, a.float64) == (b.enclosure, b.float64)


def test_2d_npy_shards(tmp_path):
    ldir = _npy_shards(tmp_path, "lab", LABELS, [2500])
    pdir = _npy_shards(tmp_path, "p", PROBS, [2500])
    assert stream_partial("categorical_ce", ldir, pdir, chunk_rows=999) == P.partial_categorical_ce(LABELS, PROBS)


def test_parquet_and_arrow_columns(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    for i, (a, b) in enumerate([(0, 2000), (2000, N)]):
        t = pa.table({"y": Y[a:b], "q": Q[a:b], "probs": pa.array(list(PROBS[a:b]), pa.list_(pa.float64())),
                      "labels": LABELS[a:b]})
        pq.write_table(t, tmp_path / f"s{i}.parquet", row_group_size=700)
    glob = str(tmp_path / "s*.parquet")
    assert stream_partial("mean_bce", glob + "::y", glob + "::q", chunk_rows=1000) == P.partial_mean_bce(Y, Q)
    got = stream_partial("categorical_ce", glob + "::labels", glob + "::probs", chunk_rows=333)
    assert got == P.partial_categorical_ce(LABELS, PROBS)
    with pa.OSFile(str(tmp_path / "q.arrow"), "wb") as sink:
        with pa.ipc.new_file(sink, pa.schema([("q", pa.float64())])) as w:
            for a in range(0, N, 1500):
                w.write_table(pa.table({"q": Q[a:a + 1500]}))
    assert stream_partial("mean_bce", Y, str(tmp_path / "q.arrow"), chunk_rows=4096) == P.partial_mean_bce(Y, Q)


def test_a_bad_shard_is_named_with_its_row(tmp_path):
    q = Q.copy()
    q[3500] = np.nan
    ydir, qdir = _npy_shards(tmp_path, "y", Y, [3000]), _npy_shards(tmp_path, "q", q, [3000])
    with pytest.raises(DomainError, match=r"q/part-001.npy: row 500: q=nan"):
        stream_partial("mean_bce", ydir, qdir, chunk_rows=256)


def test_a_truncated_npy_is_refused_before_anything_is_read(tmp_path):
    np.save(tmp_path / "q.npy", Q)
    raw = (tmp_path / "q.npy").read_bytes()
    (tmp_path / "q.npy").write_bytes(raw[:-8 * 10 - 3])
    with pytest.raises(DomainError, match=r"q.npy'?: truncated at row 4989"):
        stream_partial("mean_bce", Y, tmp_path / "q.npy")


@pytest.mark.parametrize("make, error, message", [
    (lambda d: (np.arange(3), np.arange(4.0) / 4), ShapeError, "rows"),
    (lambda d: (str(d / "nothing-*.npy"), Q), DomainError, "no shards"),
    (lambda d: (np.arange(3), str(d / "x.txt")), DomainError, "no such file"),
])
def test_mismatched_or_missing_inputs(tmp_path, make, error, message):
    with pytest.raises(error, match=message):
        stream_partial("mean_bce", *make(tmp_path))


def test_is_streamed_and_shards(tmp_path):
    assert is_streamed("data/*.npy") and is_streamed("x.parquet::q") and not is_streamed("q.npy")
    assert [s.rows for s in shards(np.zeros((4, 2)))] == [4]
    with pytest.raises(UnsupportedError):
        stream_partial("median", Q)


def test_cli_check_streams_shards_and_names_a_bad_row(tmp_path, capsys):
    from symxent.cli import main
    ydir, qdir = _npy_shards(tmp_path, "y", Y, [2000]), _npy_shards(tmp_path, "q", Q, [2000])
    assert main(["check", "bce", "--y", str(ydir), "--q", f"{qdir}/*.npy", "--chunk-rows", "700"]) == 0
    out = capsys.readouterr().out
    assert f"float64 {P.finish(P.partial_mean_bce(Y, Q)).float64!r}" in out
    q = Q[2000:].copy()
    q[17] = 1.5
    np.save(qdir / "part-001.npy", q)
    assert main(["check", "bce", "--y", str(ydir), "--q", str(qdir), "--stream"]) == 2
    err = capsys.readouterr().err
    assert "part-001.npy: row 17: q=1.5 is not a probability" in err and len(err.strip().splitlines()) == 1


def test_progress_bar_on_request_and_silent_otherwise(capsys):
    pytest.importorskip("tqdm")
    stream_partial("entropy", np.full(4096, 1 / 4096), chunk_rows=1024, progress=True)
    err = capsys.readouterr().err
    assert "/4.10k" in err and "rows/s" in err  # total rows and the rate, on stderr
    stream_partial("entropy", np.full(4096, 1 / 4096), chunk_rows=1024)  # stderr is no terminal here
    assert capsys.readouterr().err == ""


def test_is_streamed_never_fails_on_text():
    assert not is_streamed("0." + "9" * 5000) and not is_streamed("a\0b") and not is_streamed("0.5,0.25")
