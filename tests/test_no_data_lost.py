"""No data lost: a write killed half-way leaves the old file whole, and reading inputs never
changes them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from symxent.cli import main
from symxent.render.files import stamp, write_generated

_SLOW_WRITER = """
import os, sys, time
from symxent.render import files
def slow_fsync(fd):
    print("writing", flush=True)   # the new text is in the temporary file, not yet in place
    time.sleep(60)
os.fsync = slow_fsync
files.write_generated(sys.argv[1], files.stamp("NEW " * 200_000, ".md"))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_write_killed_mid_way_leaves_the_old_file(tmp_path):
    target = tmp_path / "derivation.md"
    write_generated(target, stamp("OLD derivation\n", ".md"))
    before = target.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert target.read_bytes() == before  # the old file, whole
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert all(p.name.startswith(".derivation.md.") and p.suffix == ".tmp" for p in leftovers)
    write_generated(target, stamp("NEW derivation\n", ".md"))  # the next write still works and replaces it
    assert "NEW derivation" in target.read_text(encoding="utf-8")


def _fingerprint(path: Path) -> tuple:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_mode


def test_checking_files_never_modifies_them(tmp_path, capsys):
    y, q = tmp_path / "y.npy", tmp_path / "q.csv"
    np.save(y, np.array([1.0, 0.0, 1.0]))
    q.write_text("0.8\n0.4\n0.9\n", encoding="utf-8")
    os.chmod(q, 0o444)  # read-only input: reading must not need write access
    before = {p: _fingerprint(p) for p in (y, q)}
    assert main(["check", "bce", "--y", str(y), "--q", str(q), "--libs", "numpy"]) == 0
    capsys.readouterr()
    assert {p: _fingerprint(p) for p in (y, q)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.csv", "y.npy"]  # nothing written beside them
