"""The CLI as a new user with hostile inputs meets it: one line on stderr and exit 2, never a
traceback, never code run (inputs found by hand beside the fuzzing campaign of tests/fuzz)."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from symxent.cli import main

INJECT = "__import__('os').system('touch PWNED')"
CASES = [
    ["verify", "\udcff\udcfe", "p"],  # bytes of argv that are not UTF-8 (Python's surrogateescape)
    ["verify", "p", "\udc80"],
    ["eval", "entropy", "--p", "0.5,\udcc0\udc80"],
    ["eval", "entropy", "--p", "9" * 100000],
    ["eval", "entropy", "--p", "0.5,0.5", "--digits", "9" * 5000],
    ["eval", "entropy", "--p", "1e-99999999999"],
    ["eval", "entropy", "--p", "0.5,0.5", "--base", INJECT],
    ["eval", "entropy", "--p", "(" * 5000 + "1" + ")" * 5000],
    ["verify", "(" * 5000 + "p" + ")" * 5000, "p"],
    ["verify", "p" + "**p" * 3000, "p"],
    ["verify", INJECT, "0"],
    ["verify", "p.__class__.__mro__", "0"],
    ["verify", "p\u202e", "p"],
    ["verify", "H(P)", "0", "--where", "p in (0, 1e99999999999999999999)"],
    ["check", "bce", "--y", "{d}/bad.csv", "--q", "0.5"],
    ["check", "bce", "--y", "{d}/hdr.npy", "--q", "0.5"],
    ["check", "bce", "--y", "{d}/obj.npy", "--q", "0.5"],
    ["check", "bce", "--y", "{d}/str.npy", "--q", "0.5,0.5"],
    ["check", "bce", "--y", "{d}", "--q", "0.5"],
    ["check", "bce", "--y", "1,0", "--q", "0.5,0.5", "--libs", "os.system"],
    ["check", "bce", "--y", "1,0", "--q", "0.5,0.5", "--ulps", "1e999"],
    ["check", "cce", "--y", "0,1", "--q", "0.5,0.5;0.5,0.5", "--ignore-index", "9" * 5000],
    ["check", "cce", "--y", "0,1", "--q", "0.5,0.5;0.5,0.5", "--weight", "1e400,1"],
    ["check", "bce", "--y", "0." + "9" * 300, "--q", ""],  # a name too long for the system (found at x60)
    ["prove", "gibbs" * 10000],
    ["sheet", "9" * 5000],
]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00garbage\n1,2,\n")
    (tmp_path / "hdr.npy").write_bytes(b"\x93NUMPY\x01\x00\xff\xff" + b"{" * 70000)
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp_path / "str.npy", np.array(["0.5", "0.5"]))
    return tmp_path


@pytest.mark.parametrize("argv", CASES, ids=lambda a: ascii(" ".join(a))[:40])
def test_one_line_exit_2_no_code_run(argv, folder):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([a.replace("{d}", str(folder)) for a in argv])
    lines = err.getvalue().strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("symxent"), err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    assert not (folder / "PWNED").exists()
