"""``symxent derive``, called through ``main(argv)``."""

import pytest

from symxent.cli import main
from symxent.render.files import is_pristine
from symxent.worked import example_1


def run(capsys, *argv):
    code = main(["derive", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_own_numbers_read_exactly_cross_entropy_in_bits(capsys):
    code, out, _ = run(capsys, "example", "--p", "0.1,0.4,0.5", "--q", "0.8,0.15,0.05",
                       "--measure", "cross-entropy", "--base", "2")
    assert code == 0
    assert "Given: P = (1/10, 2/5, 1/2)" in out
    assert "= 8/5 - (2/5)*log2(3) + log2(5)      (collect terms)" in out
    assert "~ 3.287943095 bits" in out
    assert "Status: Proved" in out


@pytest.mark.parametrize("argv, expected", [
    (["--measure", "entropy", "--p", "1/2,1/4,1/4", "--base", "2", "--digits", "3"], "~ 1.50 bits"),
    (["--measure", "kl", "--p", "1,0", "--q", "1/2,1/2"], "~ 0.6931471806 nats"),
    (["--measure", "log-loss", "--y", "1,0", "--q", "0.9,0.2", "--base", "10"], "hartleys"),
    (["--measure", "cross-entropy", "--p", "1/2,1/2", "--q", "1,0"], "= infinity"),
])
def test_own_numbers_for_every_measure(capsys, argv, expected):
    code, out, _ = run(capsys, "example", *argv)
    assert code == 0 and expected in out


@pytest.mark.parametrize("fmt, marker", [("latex", r"\begin{align*}"), ("markdown", "$$\n\\begin{aligned}"),
                                         ("text", "Derivation:")])
def test_formats(capsys, fmt, marker):
    code, out, _ = run(capsys, "example_1", "--format", fmt)
    assert code == 0 and marker in out


def test_standalone_latex_is_the_document(capsys):
    code, out, _ = run(capsys, "example_1", "--format", "latex", "--standalone")
    assert code == 0 and out == example_1().to_latex(standalone=True)


@pytest.mark.parametrize("argv, quoted", [
    (["example", "--p", "0.1,x", "--q", "0.5,0.5"], "p[1]='x'"),
    (["example", "--measure", "kl", "--p", "0.5,0.5"], "needs --p and --q"),
    (["example", "--measure", "log-loss", "--q", "0.5"], "needs --y and --q"),
    (["example", "--p", "0.5,0.5", "--q", "0.5,0.5", "--base", "1"], "base='1'"),
    (["example", "--p", "0.5,0.5", "--q", "0.5,0.5", "--digits", "many"], "--digits='many'"),
    (["no_such_identity"], "NAME='no_such_identity'"),
    ([], "exactly one of NAME or --all"),
    (["example_1", "--all"], "exactly one of NAME or --all"),
    (["example_1", "--format", "html"], "invalid choice"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, quoted):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert quoted in err and err.count("\n") == 1 and "Traceback" not in err


def test_list_names_the_examples(capsys):
    code, out, _ = run(capsys, "--list")
    assert code == 0 and {"example_1", "example_2", "example"} <= set(out.split())


def test_writing_is_stamped_atomic_and_keeps_hand_edits(capsys, tmp_path):
    target = tmp_path / "e1.md"
    assert run(capsys, "example_1", "--format", "markdown", "-o", str(target))[0] == 0
    text = target.read_text()
    assert is_pristine(text) and "# Worked example 1" in text
    assert run(capsys, "example_1", "--format", "markdown", "-o", str(target))[0] == 0  # unchanged: fine
    target.write_text(text + "\nmy own remark\n")
    code, _, err = run(capsys, "example_1", "--format", "markdown", "-o", str(target))
    assert code == 2 and "edited by hand" in err and "--force" in err
    assert target.read_text().endswith("my own remark\n")
    assert run(capsys, "example_1", "--format", "markdown", "-o", str(target), "--force")[0] == 0
    assert target.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1.md"]  # no temporary file left behind


def test_a_file_not_written_by_symxent_is_not_overwritten(capsys, tmp_path):
    target = tmp_path / "notes.tex"
    target.write_text("\\documentclass{article} my notes\n")
    assert run(capsys, "example_2", "--format", "latex", "-o", str(target))[0] == 2
    assert target.read_text() == "\\documentclass{article} my notes\n"


def test_all_to_a_folder_writes_tex_md_and_index_and_prunes_stale_files(capsys, tmp_path):
    stale = tmp_path / "old_identity.md"
    from symxent.render.files import stamp

    stale.write_text(stamp("old\n", ".md"))
    mine = tmp_path / "mine.md"
    mine.write_text("my notes\n")
    assert run(capsys, "--all", "-o", str(tmp_path))[0] == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"README.md", "example_1.tex", "example_1.md", "example_2.tex", "example_2.md", "mine.md"} <= names
    assert "old_identity.md" not in names
    index = (tmp_path / "README.md").read_text()
    assert "[example_1.tex](example_1.tex)" in index and "[example_2.md](example_2.md)" in index


def test_all_to_stdout_renders_everything(capsys):
    code, out, _ = run(capsys, "--all", "--format", "text")
    assert code == 0 and "Worked example 1" in out and "Worked example 2" in out


@pytest.mark.parametrize("name, heading", [("e1.tex", r"\documentclass"), ("e1.md", "# Worked example 1"),
                                           ("e1.txt", "Worked example 1")])
def test_the_format_follows_the_suffix_of_the_output(capsys, tmp_path, name, heading):
    target = tmp_path / name
    assert run(capsys, "example_1", "--standalone", "-o", str(target))[0] == 0
    assert target.read_text().splitlines()[1].startswith(heading)


def test_output_to_a_folder_names_the_file_after_the_derivation(capsys, tmp_path):
    assert run(capsys, "example_2", "--format", "markdown", "-o", str(tmp_path))[0] == 0
    heading = (tmp_path / "example_2.md").read_text().splitlines()[1]
    assert heading == "# Worked example 2: log loss of a binary classifier, in nats"
    code, _, err = run(capsys, "example_2", "-o", str(tmp_path / "missing") + "/")
    assert code == 2 and "not an existing folder" in err


ISSUE_11 = ["example", "--p", "1/3,2/3", "--q", "1/2,1/2", "--measure", "cross-entropy", "--base", "10"]


def test_check_roundtrip_passes_and_prints_the_derivation(capsys):
    pytest.importorskip("antlr4")
    code, out, err = run(capsys, *ISSUE_11, "--check-roundtrip", "--format", "latex")
    assert code == 0 and err == ""
    assert r"\tfrac{1}{3} \left(-\log_{10} 2\right)" in out


def test_check_roundtrip_exits_1_naming_the_step_a_printer_gets_wrong(capsys, monkeypatch):
    """A printer that drops the brackets of a negative factor (the bug of issue 11) is caught."""
    pytest.importorskip("antlr4")
    from symxent.render.latex import SymxentLatexPrinter

    def unbracketed(self, factors):
        return " ".join(self._print(f) for f in factors)

    monkeypatch.setattr(SymxentLatexPrinter, "_print_factors", unbracketed)
    code, out, err = run(capsys, *ISSUE_11, "--check-roundtrip")
    assert code == 1 and out == ""
    assert err.startswith("derive example: round trip failed at step 2 (after): ")
    assert "which differs from" in err and "BaseLog(2, 10)" in err  # the step's own expression, not what was printed
