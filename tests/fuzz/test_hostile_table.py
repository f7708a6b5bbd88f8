"""The inputs of issue 12's table, one by one: each ends in a clear verdict or one line, exit 2."""

from __future__ import annotations

import contextlib
import io
import os
import stat

import numpy as np
import pytest

import symxent
from symxent import SymxentError
from symxent.cli import main
from symxent.exact.rounding import _floor_log10, format_decimal
from fractions import Fraction


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    np.save(tmp_path / "scalar.npy", np.float64(0.5))
    np.save(tmp_path / "int.npy", np.array([0, 1, 1], dtype=np.int64))
    np.save(tmp_path / "struct.npy", np.zeros(3, dtype=[("a", "f8"), ("b", "i4")]))
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY\x01\x00\x20\x00{'descr': '<f8', 'fortran_order': Fal\n")
    return tmp_path


BIG = "9" * 5000
REFUSED = [
    ["eval", "entropy", "--p", f"0.5,0.5,1/{BIG}"],
    ["eval", "log-loss", "--y", "1e99999", "--q", "0.5"],
    ["eval", "entropy", "--p", "0.5,0.5", "--base", "1e100000"],
    ["eval", "entropy", "--p", "1e999999999999999999999999999999"],
    ["eval", "entropy", "--p", "0." + "1" * 1001],
    ["verify", "p", "p", "--seconds", "inf"],
    ["verify", "p", "p", "--seconds", "nan"],
    ["verify", "p", "p", "--seconds", "-1"],
    ["verify", "p", "p", "--seconds", "0"],
    ["check", "bce", "--y", "{d}/bad.npy", "--q", "0.5"],
    ["check", "bce", "--y", "{d}/empty.csv", "--q", "0.5"],
    ["check", "bce", "--y", "{d}/struct.npy", "--q", "{d}/empty.csv"],
    ["check", "bce", "--y", "{d}/struct.npy", "--q", "0.5"],
    ["derive", "example_1", "-o", "{d}/" + "a" * 300 + ".md"],
    ["derive", "--all", "-o", "{d}/scalar.npy"],
]


@pytest.mark.parametrize("argv", REFUSED, ids=lambda a: " ".join(a)[:50])
def test_refused_in_one_line(argv, files):
    code, _, err = _run([a.replace("{d}", str(files)) for a in argv])
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("symxent: error:"), err


def test_limits_are_named():
    code, _, err = _run(["eval", "entropy", "--p", f"0.5,0.5,1/{BIG}"])
    assert "1000 digits" in err and "p[2]=" in err


@pytest.mark.parametrize("lhs, rhs", [("exp(exp(exp(1000)))", "1"), ("(p+q)**1000", "exp(-1000000)")])
def test_verify_huge_numbers_decide_or_stay_undecided(lhs, rhs):
    code, out, err = _run(["verify", lhs, rhs, "--seconds", "5"])
    assert code == 1 and not err


def test_check_reads_int_and_scalar_files(files):
    assert _run(["check", "bce", "--y", "1,0,1", "--q", f"{files}/int.npy", "--libs", "numpy"])[0] == 0
    code, _, err = _run(["check", "gaussian_nll", "--y", "0.5", "--q", "0.5", "--var", f"{files}/scalar.npy",
                         "--libs", "numpy"])
    assert code == 0, err


def test_huge_rationals_round_without_str():
    assert _floor_log10(Fraction(1, 10**6000)) == -6000
    assert _floor_log10(Fraction(10**6000 - 1)) == 5999
    assert _run(["check", "kl", "--p", "1.0000000001", "--q", "1", "--libs", "numpy", "--json"])[0] == 0
    assert len(format_decimal(10**9999, -9999, 10000)) == 10001  # '1.000...' with 10000 digits


def test_derive_respects_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        assert _run(["derive", "example_1", "-o", str(tmp_path / "x.md")])[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.md").stat().st_mode) == 0o640


def test_api_bad_arguments():
    assert symxent.verify("log(x)", "x - 1", ["x in (0, oo)"], "<=").status == "proved"
    with pytest.raises(SymxentError, match="where"):
        symxent.verify("p", "p", [3])
    with pytest.raises(SymxentError, match="labels"):
        symxent.log_loss(1, [0.5])
    assert symxent.entropy([np.float64(0.5), np.float64(0.5)], floats="shortest") == symxent.entropy(["0.5", "0.5"])
    with pytest.raises(SymxentError, match="seconds"):
        symxent.verify("p", "p", seconds=float("inf"))


def test_kernels_take_a_total_mass_near_the_smallest_subnormal():
    """The certified campaign's find: scaling the weights by 2**1073 overflowed a float power."""
    from symxent.kernels import losses

    for p in ([5e-324], [5e-324, 5e-324]):
        h = losses.entropy(np.array(p))
        kl = losses.kl_divergence(np.array(p), np.array([0.5] * len(p)))
        assert h.enclosure.lo <= h.enclosure.hi and 0 < h.float64 < 1e-320
        assert kl.enclosure.lo <= kl.enclosure.hi and -1e-320 < kl.float64 < 0
