"""Problem sheets: reproducible, every solution proved, answers right, distinct, short, never degenerate."""

import random
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

import symxent
from symxent import measures
from symxent.cli import main
from symxent.derivation import Derivation, Step
from symxent.exact import closed_form, evaluate
from symxent.render.notation import to_sympy
from symxent.sheet import KINDS, LEVELS, Exercise, Part, Settings, SheetError, UnprovedSolution, register_family
from symxent.sheet.families import FAMILIES
from symxent.sheet.folder import EXAMPLE_ARGV, REGENERATE, example_documents
from symxent.sheet.quality import MAX_ANSWER_LENGTH, answer_key, answer_length

FOLDER = Path(__file__).resolve().parent.parent / "derivations" / "sheets"


# -- the example sheet of derivations/sheets ---------------------------------------------------

@pytest.fixture(scope="module")
def expected():
    return example_documents()


def test_the_example_folder_is_up_to_date(expected):
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in FOLDER.glob("*") if p.suffix in (".tex", ".md")}
    changed = sorted(n for n in set(expected) | set(on_disk) if expected.get(n) != on_disk.get(n))
    assert not changed, f"derivations/sheets/ is out of date ({changed}); run: {REGENERATE}"


def test_the_regenerate_command_writes_the_example(expected, tmp_path):
    assert main([*EXAMPLE_ARGV, "-o", f"{tmp_path}/"]) == 0
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == expected
    assert REGENERATE.startswith("symxent sheet ") and REGENERATE.endswith(" -o derivations/sheets/")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("tex", sorted(FOLDER.glob("*.tex")), ids=lambda p: p.name)
def test_every_sheet_compiles(tex, tmp_path):
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-output-directory",
                             str(tmp_path), str(tex)], capture_output=True, text=True, timeout=120)
    log = tmp_path / f"{tex.stem}.log"
    errors = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("!")] \
        if log.exists() else []
    overfull = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("Overfull \\hbox")
                and float(line.split("(")[1].split("pt")[0]) > 20] if log.exists() else []
    assert result.returncode == 0 and not errors, (errors or result.stdout[-2000:])
    assert not overfull, overfull  # a formula running into the margin
    assert (tmp_path / f"{tex.stem}.pdf").exists()


# -- reproducibility ---------------------------------------------------------------------------

def test_same_seed_same_bytes_and_another_seed_another_sheet():
    a, b = symxent.sheet(5, seed=11), symxent.sheet(5, seed=11)
    assert a.documents() == b.documents()
    assert symxent.sheet(5, seed=12).questions() != a.questions()


def test_the_subpackage_is_callable_and_not_shadowed():
    import importlib

    assert symxent.sheet is importlib.import_module("symxent.sheet")
    assert callable(symxent.sheet) and isinstance(symxent.sheet(1, kinds="kl"), symxent.sheet.Sheet)


# -- quality over many seeds -------------------------------------------------------------------

def _independent_value(ex: Exercise, base) -> sp.Expr | None:
    """The answer recomputed by symxent.measures from the numbers the solution starts from."""
    given = {str(g.symbol): list(g.values) for part in ex.parts for g in part.given}
    if ex.kind == "entropy":
        return measures.entropy(given["P"], base=base)
    if ex.kind in ("cross-entropy", "decomposition"):
        return measures.cross_entropy(given["P"], given["Q"], base=base)
    if ex.kind == "kl":
        return measures.kl_divergence(given["P"], given["Q"], base=base)
    if ex.kind == "log-loss":
        return measures.log_loss(given["y"], given["yhat"], base=base)
    if ex.kind == "family-kl":
        a, b = given["a"][0], given["b"][0]
        return measures.kl_divergence([a, 1 - a], [b, 1 - b], base=base)
    return None


def _check_sheet(s) -> None:
    keys = [answer_key(ex.answer) for ex in s.exercises]
    assert len(set(keys)) == len(keys), "two exercises share an answer"
    for ex in s.exercises:
        assert all(part.derivation.proved for part in ex.parts)
        assert all(0 < x < 1 for x in ex.numbers), (ex.kind, ex.numbers)  # no 0 log 0, no infinite KL
        assert answer_length(ex.answer) <= MAX_ANSWER_LENGTH, (ex.kind, ex.answer)
        value = to_sympy(ex.answer)
        assert value.is_finite and value != 0
        assert evaluate(value, s.settings.digits).decimal == ex.value  # the printed decimal is the answer's
        independent = _independent_value(ex, s.settings.base)
        if independent is not None:
            assert closed_form(independent - value) == 0, (ex.kind, ex.answer, independent)


@pytest.mark.parametrize("level", LEVELS)
def test_quality_over_many_seeds(level):
    for seed in range(8):
        s = symxent.sheet(len(KINDS), seed=seed, level=level)
        assert [ex.kind for ex in s.exercises] == list(KINDS)
        _check_sheet(s)


def test_quality_of_a_long_sheet_in_another_base():
    s = symxent.sheet(60, kinds="entropy,cross-entropy,kl,log-loss,family-kl,bce-logit", seed=4, base="e",
                      level="decimals")
    _check_sheet(s)
    assert {ex.unit for ex in s.exercises} == {"nats"}


def test_the_dyadic_level_gives_rational_bits():
    s = symxent.sheet(12, kinds="entropy,cross-entropy,kl,decomposition,family-kl,log-loss", seed=2, level="dyadic")
    for ex in s.exercises:
        assert to_sympy(ex.answer).is_Rational, (ex.kind, ex.answer)


def test_the_claim_is_disproved_at_its_counterexample():
    for seed in range(3):
        ex = symxent.sheet(1, kinds="claim", seed=seed).exercises[0]
        assert ex.verdict.startswith("The claim is false") and "Counterexample" in ex.verdict
        difference = ex.parts[-1]
        assert difference.derivation.proved and to_sympy(ex.answer) != 0


# -- a wrong solution cannot be built, so it cannot be printed ---------------------------------

def test_an_unproved_solution_is_refused():
    x = sp.Symbol("x")
    bad = Derivation("t", "t", x, "=", x + 1, (Step(x, x + 1, "=", "typed", status="failed"),))
    with pytest.raises(UnprovedSolution):
        Exercise("entropy", "t", "prompt", (Part(bad),), sp.Integer(1), "1", "bits")
    with pytest.raises(UnprovedSolution):
        Exercise("entropy", "t", "prompt", (), sp.Integer(1), "1", "bits")


def test_questions_do_not_give_the_answers_away():
    s = symxent.sheet(len(KINDS), seed=3)
    for fmt in ("latex", "markdown"):
        questions, solutions = s.questions(fmt), s.solutions(fmt)
        assert "certified" not in questions and "Answer:" in questions
        for ex in s.exercises:
            assert ex.value not in questions and ex.value in solutions


# -- the family hook -------------------------------------------------------------------------

def test_a_registered_family_is_drawn(monkeypatch):
    monkeypatch.setattr("symxent.sheet.families.FAMILIES", dict(FAMILIES))
    made = []

    def maker(rng: random.Random, s: Settings) -> Exercise:
        made.append(s.level)
        return FAMILIES["bernoulli"](rng, s)

    register_family("zz-test", maker)
    for seed in range(6):
        symxent.sheet(1, kinds="family-kl", seed=seed)
    assert made, "the registered family was never drawn"


# -- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["sheet", "--kinds", "entropy,nope"], ["sheet", "--kinds", ""], ["sheet", "-n", "0"], ["sheet", "-n", "201"],
    ["sheet", "-n", "many"], ["sheet", "--level", "easy"], ["sheet", "--base", "1"], ["sheet", "--digits", "0"],
    ["sheet", "--digits", "1000"], ["sheet", "--seed", "x"], ["sheet", "-o", "/proc/no/such/dir/s.tex"],
    ["sheet", "-o", "sheet.pdf"], ["sheet", "--name", "../up", "-o", "x/"], ["sheet", "--format", "pdf"],
])
def test_cli_errors_are_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("symxent: error: ") and err.count("\n") == 1, err


def test_too_many_exercises_of_a_small_kind_is_an_error():
    with pytest.raises(SheetError, match="ask for fewer"):
        symxent.sheet(40, kinds="bce-logit", level="dyadic")


def test_cli_prints_and_writes(tmp_path, capsys):
    assert main(["sheet", "-n", "2", "--kinds", "kl", "--seed", "5", "--format", "latex", "--solutions"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"\documentclass") and "Proved" in out
    target = tmp_path / "s.md"
    assert main(["sheet", "-n", "2", "--kinds", "entropy", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!-- symxent-generated")
    target.write_text("edited by hand\n", encoding="utf-8")
    assert main(["sheet", "-n", "2", "--kinds", "entropy", "-o", str(target)]) == 2  # kept without --force
    assert main(["sheet", "-n", "2", "--kinds", "entropy", "-o", str(target), "--force"]) == 0


def test_the_same_command_gives_the_same_bytes_in_another_process():
    import os
    import sys

    argv = [sys.executable, "-m", "symxent", "sheet", "-n", "9", "--seed", "21", "--solutions", "--format", "latex"]
    outputs = {subprocess.run(argv, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1 and next(iter(outputs)).startswith(r"\documentclass")


def test_figures_come_from_registered_makers_only(monkeypatch):
    from symxent.sheet import Figure, figures

    monkeypatch.setattr(figures, "MAKERS", [])
    monkeypatch.setattr(figures, "_LOADED", [True])  # no symxent.plot in this test
    plain = symxent.sheet(2, kinds="kl", seed=1, figures=True)
    assert plain.solutions("latex") == symxent.sheet(2, kinds="kl", seed=1).solutions("latex")
    symxent.sheet.register_figure(lambda ex: Figure(r"\fbox{%s}" % ex.kind, f"[{ex.kind}]", "a figure"))
    drawn = symxent.sheet(2, kinds="kl", seed=1, figures=True)
    assert r"\fbox{kl}" in drawn.solutions("latex") and "[kl]" in drawn.solutions("markdown")
    assert r"\fbox{kl}" not in drawn.questions("latex")


# -- figures from symxent.plot (the plot extra) -------------------------------------------------

def test_the_sheet_does_not_import_the_plotting_module():
    import sys

    code = "import sys, symxent, symxent.sheet; symxent.sheet(1, kinds='kl', seed=1); print('symxent.plot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300).stdout
    assert out.strip() == "False"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_figures_of_symxent_plot_are_written_and_the_latex_compiles(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from symxent.sheet import figures

    monkeypatch.setattr(figures, "MAKERS", [])
    monkeypatch.setattr(figures, "_LOADED", [])  # let symxent.plot register its hook again
    argv = ["sheet", "-n", "3", "--kinds", "kl,bce-logit,gaussian-kl", "--seed", "2", "--figures", "-o",
            f"{tmp_path}/", "--name", "wk"]
    assert main(argv) == 0
    pdfs, pngs = sorted(tmp_path.glob("fig-*.pdf")), sorted(tmp_path.glob("fig-*.png"))
    assert [p.name.split("-")[1] for p in pdfs] == ["bce", "kl"]  # none for the Gaussian KL
    assert [p.stem for p in pngs] == [p.stem for p in pdfs]
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    tex, md = (tmp_path / "wk-solutions.tex").read_text(), (tmp_path / "wk-solutions.md").read_text()
    assert r"\usepackage{graphicx}" in tex and all(rf"{{{p.name}}}" in tex for p in pdfs)
    assert all(f"]({p.name})" in md for p in pngs)
    assert "graphicx" not in (tmp_path / "wk-questions.tex").read_text()  # questions have no figures
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "wk-solutions.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    # the same sheet again: the same names and bytes (nothing rewritten)
    before = {p.name: p.read_bytes() for p in pdfs + pngs}
    assert main([*argv]) == 0
    assert {p.name: p.read_bytes() for p in sorted(tmp_path.glob("fig-*"))} == before


def test_figures_need_an_output_path_for_the_solutions(capsys):
    assert main(["sheet", "-n", "1", "--kinds", "kl", "--figures", "--solutions"]) == 2
    assert "needs -o" in capsys.readouterr().err


# -- the Gaussian KL kind ------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_gaussian_kl_is_the_family_value_from_the_proved_closed_form(level):
    from symxent.families import Normal, kl_divergence
    from symxent.families.derivations import kl_derivation
    from symxent.sheet.gaussian import closed_form

    form, symbols = closed_form()
    assert kl_derivation(Normal, Normal).proved
    s = symxent.sheet(6, kinds="gaussian-kl", seed=5, level=level)
    _check_sheet(s)
    for ex in s.exercises:
        given = {str(g.symbol): g.values[0] for g in ex.parts[0].given}
        exact = kl_divergence(Normal(given["mu_1"], given["sigma_1"]), Normal(given["mu_2"], given["sigma_2"]))
        assert closed_form_of(exact - to_sympy(ex.answer)) == 0 and ex.unit == "nats"
        steps = ex.parts[0].derivation.steps
        assert steps[0].after == form and all(st.status == "verified" for st in steps)
    if level == "dyadic":  # sigma_2 / sigma_1 a power of 2: the logarithm is a multiple of ln 2
        assert all(sp.expand_log(to_sympy(ex.answer), force=True).atoms(sp.log) <= {sp.log(2)} for ex in s.exercises)


closed_form_of = closed_form
