"""The log table is kept on disk between processes (a new process pays about 0.05 s instead of
0.3 s): what is read back must match its checksum and the spot-checks, else it is rebuilt."""

from __future__ import annotations

import hashlib

from symxent.kernels import table


def test_cached_bytes_builds_once_and_rebuilds_a_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMXENT_CACHE_DIR", str(tmp_path))
    calls = []

    def build() -> bytes:
        calls.append(1)
        return b"payload"

    assert table.cached_bytes("t", build) == b"payload"
    assert table.cached_bytes("t", build) == b"payload"
    assert len(calls) == 1  # the second one read the file
    f = tmp_path / "t.bin"
    f.write_bytes(f.read_bytes()[:-1] + b"X")  # torn or corrupted: the checksum no longer matches
    assert table.cached_bytes("t", build) == b"payload"
    assert len(calls) == 2


def test_no_cache_when_disabled_or_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMXENT_CACHE_DIR", "0")
    assert table.cache_dir() is None
    assert table.cached_bytes("t", lambda: b"x") == b"x"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SYMXENT_CACHE_DIR", str(blocker / "sub"))
    assert table.cached_bytes("t", lambda: b"y") == b"y"  # the write fails quietly


def test_a_wrong_entry_with_a_valid_checksum_is_caught_by_the_spot_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMXENT_CACHE_DIR", str(tmp_path))
    ks = table._choose_and_check(2**table.INDEX_BITS)
    want = table._logs_by_chain(ks)
    assert table._cached_logs(ks) == want  # built and written
    f = tmp_path / f"{table._TABLE_NAME}.bin"
    payload = bytearray(f.read_bytes()[32:])
    payload[table._LOG_BYTES * 0 + 20] ^= 1  # entry 0 (spot-checked), checksum recomputed
    f.write_bytes(hashlib.sha256(bytes(payload)).digest() + bytes(payload))
    assert table._cached_logs(ks) == want
