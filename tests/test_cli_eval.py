"""The command line, called through main([...]): output, JSON, and every error path."""

import json
import subprocess
import sys

import pytest

from symxent.cli import main

EX1 = ["--p", "0.1,0.4,0.5", "--q", "0.8,0.15,0.05", "--base", "2"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_human_output_names_the_unit_and_shows_latex(capsys):
    code, out, err = run(capsys, "eval", "cross-entropy", *EX1)
    assert code == 0 and err == ""
    assert "3.28794309459890 bits" in out
    assert "8/5" in out and "\\log" in out


@pytest.mark.parametrize("measure, extra, value, unit", [
    ("entropy", ["--p", "0.1,0.4,0.5", "--base", "2"], "1.360964047443681173935159714744695087932", "bits"),
    ("cross-entropy", EX1, "3.287943094598899875288823851910263572361", "bits"),
    ("kl", EX1, "1.926979047155218701353664137165568484428", "bits"),
    ("log-loss", ["--y", "1,1,1,1,1,0,0,0,0,0", "--q", "0.8,0.9,0.9,0.6,0.8,0.1,0.4,0.2,0.1,0.3"],
     "0.2469198908044648217532556098135263051069", "nats"),
])
def test_json_schema(capsys, measure, extra, value, unit):
    code, out, _ = run(capsys, "eval", measure, *extra, "--digits", "40", "--json")
    record = json.loads(out)
    assert code == 0
    assert {"measure", "exact", "latex", "value", "unit", "base", "digits"} <= set(record)
    assert record["value"] == value and record["unit"] == unit and record["digits"] == 40
    assert record["measure"] == measure


def test_bases_and_units(capsys):
    for base, unit in [("e", "nats"), ("10", "hartleys"), ("3", "base 3"), ("2", "bits")]:
        _, out, _ = run(capsys, "eval", "entropy", "--p", "0.5,0.5", "--base", base, "--json")
        assert json.loads(out)["unit"] == unit


def test_infinity_is_an_answer_not_a_crash(capsys):
    code, out, _ = run(capsys, "eval", "kl", "--p", "1,0", "--q", "0,1", "--json")
    assert code == 0 and json.loads(out)["value"] == "inf"


def test_k_class_log_loss_rows(capsys):
    code, out, _ = run(capsys, "eval", "log-loss", "--y", "2,0", "--q", "0.2,0.3,0.5;0.5,0.25,0.25",
                       "--base", "2", "--json")
    assert code == 0 and json.loads(out)["value"] == "1.00000000000000"  # 15 significant digits


BAD = [
    (["eval", "entropy", "--p", "0.1,0.4,0.6"], "sums to"),
    (["eval", "entropy", "--p", "-0.1,1.1"], "outside"),
    (["eval", "entropy", "--p", "1.5,-0.5"], "outside"),
    (["eval", "entropy", "--p", "nan,1"], "not a number"),
    (["eval", "entropy", "--p", "a,b"], "not a number"),
    (["eval", "entropy", "--p", "__import__('os').system('echo pwned'),1"], "not a number"),
    (["eval", "cross-entropy", "--p", "0.5,0.5", "--q", "1"], "entries"),
    (["eval", "entropy", "--p", "1", "--base", "1"], "base"),
    (["eval", "entropy", "--p", "1", "--base", "-2"], "base"),
    (["eval", "entropy", "--p", "1", "--base", "pi"], "base"),
    (["eval", "entropy", "--p", "1", "--digits", "0"], "digits"),
    (["eval", "entropy", "--p", "1", "--digits", "many"], "digits"),
    (["eval", "entropy", "--p", "1", "--digits", "100001"], "digits"),
    (["eval", "perplexity", "--p", "1"], "invalid choice"),
    (["eval", "log-loss", "--y", "2,0", "--q", "0.5,0.5"], "binary label"),
    (["eval", "log-loss", "--y", "0.5", "--q", "0.5"], "binary label"),
    (["eval", "cross-entropy", "--p", "1"], "needs --q"),
    (["eval", "entropy", "--p", ""], "empty"),
    (["eval"], "measure"),
    ([], "COMMAND"),
    (["frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("argv, message", BAD)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("symxent: error:")
    assert message.lower() in err.lower()
    assert "Traceback" not in err and "pwned" not in out


def test_python_dash_m_is_the_same_program():
    done = subprocess.run([sys.executable, "-m", "symxent", "eval", "entropy", "--p", "0.5,0.5", "--base", "2",
                           "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["value"] == "1.00000000000000"
    bad = subprocess.run([sys.executable, "-m", "symxent", "eval", "entropy", "--p", "x"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert main(["eval", "--help"]) == 0
    assert "--digits" in capsys.readouterr().out


def test_tour_reproduces_every_figure(capsys):
    code, out, _ = run(capsys, "tour")
    assert code == 0
    for figure in ["3.287943094598899875288823851910263572361", "2.905831690142994230476803458014920667072",
                   "1.360964047443681173935159714744695087932", "0.8841837197791889206522585878972176995509",
                   "1.926979047155218701353664137165568484428", "2.021647970363805309824544870117702967521",
                   "0.2469198908044648217532556098135263051069", "0.2469198908044648141535146674389433758578",
                   "0.22314355131420975577", "0.51082562376599068321", "0.35667494393873237891"]:
        assert figure in out
    for three_dp in ["3.288", "2.906", "1.361", "0.884", "1.927", "2.022", "0.223", "0.105", "0.511", "0.357",
                     "0.247"]:
        assert three_dp in out
    assert "reduces to 0" in out and "significant digit 17" in out


def test_core_commands_work_without_the_optional_numpy():
    """numpy is an extra: without it, the tour and eval still run, and check says what is missing."""
    block = "import sys; sys.modules['numpy'] = None; from symxent.cli import main; "
    tour = subprocess.run([sys.executable, "-c", block + "raise SystemExit(main(['tour']))"],
                          capture_output=True, text=True, check=False)
    assert tour.returncode == 0 and "3.287943094598899875288823851910263572361" in tour.stdout
    check = subprocess.run([sys.executable, "-c", block + "raise SystemExit(main(['check', 'bce', '--y', '1', '--q', '0.5']))"],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 2 and "numpy" in check.stderr and "Traceback" not in check.stderr
