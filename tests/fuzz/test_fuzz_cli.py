"""Fuzzing ``symxent.cli.main(argv)``: hostile argument vectors never end in a traceback.

Every call must return 0, 1 or 2; on 2 print exactly one line on stderr; never let an exception
escape ``main``, never print "Traceback", and never write a file outside the test's folder.
CI runs a few hundred derandomized cases; ``pytest tests/fuzz --fuzz-long`` runs 250 times more.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symxent.cli import main

from .strategies import DOMAINS, EXPRESSIONS, LISTS, NUMBERS, SECONDS, hostile_files
from .tally import record

REPO = Path(__file__).resolve().parents[2]


def _snapshot() -> set:
    return {p.name for p in REPO.iterdir()} | {p.name for p in (REPO / "derivations").iterdir()}


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    """``run(argv)``: call main, check the contract, return (code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    before = _snapshot()

    def run(argv: list[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)  # an exception escaping main fails the test, with its example
        o, e = out.getvalue(), err.getvalue()
        assert code in (0, 1, 2), (argv, code, e)
        assert "Traceback" not in o + e, (argv, e)
        if code == 2:
            lines = e.strip("\n").split("\n")
            assert len(lines) == 1 and lines[0].startswith("symxent"), (argv, e)
        record(f"cli {argv[0]}", f"exit {code}")
        return code, o, e

    yield run
    assert _snapshot() == before, "a file was written outside the test's folder"


def _settings(n: int, scale: int):
    return settings(max_examples=n * scale, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def test_eval(run_cli, fuzz_scale):
    @_settings(60, fuzz_scale)
    @given(measure=st.sampled_from(["entropy", "cross-entropy", "kl", "log-loss", "bogus"]),
           p=LISTS, q=LISTS, base=st.one_of(NUMBERS, st.sampled_from(["2", "e", "bits", "1", "-2"])),
           digits=st.sampled_from(["1", "15", "40", "0", "-3", "10001", "abc", "9" * 30]),
           json=st.booleans())
    def case(measure, p, q, base, digits, json):
        argv = ["eval", measure, "--p", p, "--q", q, "--y", p, "--base", base, "--digits", digits]
        run_cli(argv + (["--json"] if json else []))

    case()


def test_check(run_cli, fuzz_scale, tmp_path):
    files = hostile_files(tmp_path / "in")
    sources = st.one_of(LISTS, st.sampled_from(sorted(str(f) for f in files.values())))

    @_settings(40, fuzz_scale)
    @given(measure=st.sampled_from(["bce", "cce", "kl", "entropy", "gaussian_nll", "poisson_nll", "bogus"]),
           y=sources, q=sources, var=st.none() | sources, logits=st.booleans(),
           digits=st.sampled_from(["5", "30", "0", "100000"]))
    def case(measure, y, q, var, logits, digits):
        argv = ["check", measure, "--y", y, "--q", q, "--libs", "numpy", "--digits", digits, "--json"]
        argv += (["--var", var] if var else []) + (["--logits"] if logits else [])
        run_cli(argv)

    case()


def test_derive(run_cli, fuzz_scale, tmp_path):
    (tmp_path / "hand.md").write_text("edited by hand\n")
    outputs = st.sampled_from([None, "out.md", "out.tex", "sub/", "hand.md", "x" * 300 + ".md", "in/ok.npy",
                               str(tmp_path), "out.txt", ""])

    @_settings(30, fuzz_scale)
    @given(name=st.sampled_from(["example", "example_1", "example_2", "nonexistent", "--all", "--list"]),
           measure=st.sampled_from(["entropy", "cross-entropy", "kl", "log-loss"]),
           p=LISTS, q=LISTS, base=st.one_of(NUMBERS, st.just("2")), output=outputs,
           digits=st.sampled_from(["3", "10", "0", "10000", "x"]))
    def case(name, measure, p, q, base, output, digits):
        argv = ["derive", name, "--measure", measure, "--p", p, "--q", q, "--y", p, "--base", base,
                "--digits", digits]
        run_cli(argv + (["-o", output] if output is not None else []))

    case()


def test_verify(run_cli, fuzz_scale):
    @_settings(30, fuzz_scale)
    @given(lhs=EXPRESSIONS, rhs=EXPRESSIONS, where=st.lists(DOMAINS, max_size=2),
           relation=st.sampled_from(["=", "<=", ">=", "<", ">"]), seconds=SECONDS)
    def case(lhs, rhs, where, relation, seconds):
        argv = ["verify", "--relation", relation, "--seconds", seconds, "--json"]
        for w in where:
            argv += ["--where", w]
        run_cli(argv + ["--", lhs, rhs])

    case()


def test_prove(run_cli, fuzz_scale):
    @_settings(10, fuzz_scale)
    @given(names=st.lists(st.sampled_from(["gibbs", "nonexistent", "", "--list", "--json", "\x00"]) | st.text(
        max_size=6), max_size=2))
    def case(names):
        run_cli(["prove", *names])

    case()
