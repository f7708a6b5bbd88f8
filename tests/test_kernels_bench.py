"""``symxent bench``: the table, the JSON shape, and a missing baseline library reported, not fatal."""

from __future__ import annotations

import json

from symxent.cli import main
from symxent.kernels import bench

KEYS = {"name", "n", "k", "certified_digits", "baseline", "ratio", "contains_reference"}


_REAL_RUN = bench.run_bench


def _small(**kwargs):
    return _REAL_RUN(quick=True, only=("bce_prob", "entropy", "kl_float_weights"), sizes=(2000,))


def test_rows_have_the_documented_fields():
    rows = _small()
    assert {r["name"] for r in rows} == {"bce_prob", "entropy", "kl_float_weights"}
    for r in rows:
        assert KEYS <= set(r)
        assert r["contains_reference"] is True
        assert r["certified_digits"] >= 30
        if "not installed" in r["baseline"]:  # sklearn is an optional extra
            assert r["ratio"] is None
        else:
            assert r["ratio"] > 0


def test_missing_baseline_library_is_reported(monkeypatch):
    monkeypatch.setattr(bench, "_optional", lambda name: None)
    rows = bench.run_bench(quick=True, only=("bce_prob", "cce_prob"), sizes=(500,))
    skl = [r for r in rows if "log_loss" in r["baseline"]]
    assert skl and all("not installed" in r["baseline"] and r["ratio"] is None for r in skl)
    assert "n/a" in bench.format_table(rows)


def test_cli_json(monkeypatch, capsys):
    monkeypatch.setattr(bench, "run_bench", _small)
    assert main(["bench", "--quick", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(KEYS <= set(r) for r in rows)
    assert main(["bench", "--quick"]) == 0
    assert "bce_prob" in capsys.readouterr().out


def test_only_runs_the_named_cases(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(bench, "run_bench", lambda quick, only: seen.append(tuple(only)) or _small())
    assert main(["bench", "--only", "entropy", "--only", "kl_close", "--json"]) == 0
    assert seen == [("entropy", "kl_close")]
    rows = json.loads(capsys.readouterr().out)
    assert all(r["engine"] in ("numba", "numpy") for r in rows)


def test_an_unknown_case_is_one_line_and_exit_2(capsys):
    assert main(["bench", "--only", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'nonsense'" in err and "kl_close" in err


def test_the_help_names_every_case(capsys):
    assert main(["bench", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert all(case in text for case in bench.CASES)


def test_bench_without_numpy_says_what_to_install():
    import subprocess
    import sys

    code = "import sys; sys.modules['numpy'] = None; from symxent.cli import main; raise SystemExit(main(['bench', '--quick']))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "numpy" in run.stderr and "Traceback" not in run.stderr


def test_adversarial_cases_sit_beside_their_clean_case():
    import numpy as np

    from symxent.kernels import bench_cliffs

    cases = ("bce_subnormal", "entropy_tiny_w", "losses_0.1pct", "bce_soft")
    rows = bench_cliffs.cliff_rows(cases, quick=True, repeats=1, rng=np.random.default_rng(1))
    names = {r["name"] for r in rows}
    assert {"bce_subnormal", "entropy_tiny_w", "bce_soft", "cliff_mean_bce", "cliff_categorical_ce",
            "cliff_categorical_ce_logits", "cliff_kl_divergence", "cliff_entropy"} == names
    for r in rows:
        assert KEYS <= set(r) and r["vs_clean"] > 0
        assert r["contains_reference"] is True and r["certified_digits"] >= 30
    assert "vs clean" in bench.format_table(rows)


def test_first_call_is_measured_in_a_new_process():
    import numpy as np

    from symxent.kernels import bench_cliffs

    (row,) = bench_cliffs.cliff_rows(("first_call",), quick=True, repeats=1, rng=np.random.default_rng(0))
    assert row["name"] == "first_call" and row["unit"] == "s" and row["contains_reference"] is True
    assert row["ratio"] is not None and "s " in bench.format_table([row]).splitlines()[-1] + " "
