"""``derivations/`` is what ``symxent derive --all -o derivations/`` writes, and every .tex compiles."""

import shutil
import subprocess
from pathlib import Path

import pytest

from symxent.identities import catalogue
from symxent.render.files import REGENERATE, is_pristine
from symxent.render.folder import documents

FOLDER = Path(__file__).resolve().parent.parent / "derivations"


@pytest.fixture(scope="module")
def expected():
    """The documents as ``symxent derive --all`` writes them: built in a fresh process, as the
    command does (SymPy's caches, warmed by the tests that ran before, cannot shift a bounded step),
    and with every moment integral taken from the recorded run (none integrated live, under a clock)."""
    import json
    import sys
    code = ("import json, sys; from symxent.render.folder import documents; docs = documents(); "
            "from symxent.families.rules import LIVE; json.dump({'docs': docs, 'live': [str(i) for i in LIVE]}, sys.stdout)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    built, live = got["docs"], got["live"]
    assert not live, (f"moment integrals without a record (their verdict would depend on the clock): {live}; "
                      "run: python scripts/record_moments.py")
    assert set(built) == set(documents()), "the fresh process and this one build different file sets"
    return built


def test_the_folder_is_up_to_date(expected):
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in FOLDER.glob("*") if p.suffix in (".tex", ".md")}
    missing = sorted(set(expected) - set(on_disk))
    stale = sorted(set(on_disk) - set(expected))
    changed = sorted(name for name in set(expected) & set(on_disk) if expected[name] != on_disk[name])
    assert not (missing or stale or changed), (
        f"derivations/ is out of date (missing {missing}, extra {stale}, changed {changed}); run: {REGENERATE}")


def test_every_identity_and_worked_example_has_tex_md_and_an_index_line(expected):
    stems = [i.name for i in catalogue()] + ["example_1", "example_2"]
    index = expected["README.md"]
    for stem in stems:
        assert f"{stem}.tex" in expected and f"{stem}.md" in expected
        assert f"[{stem}.tex]({stem}.tex)" in index and f"[{stem}.md]({stem}.md)" in index
    assert all(is_pristine(text) for text in expected.values())


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("tex", sorted(FOLDER.glob("*.tex")), ids=lambda p: p.name)
def test_every_tex_compiles(tex, tmp_path):
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-output-directory",
                             str(tmp_path), str(tex)], capture_output=True, text=True, timeout=120)
    log = (tmp_path / f"{tex.stem}.log").read_text(errors="replace") if (tmp_path / f"{tex.stem}.log").exists() else ""
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert result.returncode == 0 and not errors, (errors or result.stdout[-2000:])
    assert (tmp_path / f"{tex.stem}.pdf").exists()


def test_the_index_is_a_well_formed_markdown_table(expected):
    rows = [line for line in expected["README.md"].splitlines() if line.startswith("| ")]
    cells = {len(line.replace("\\|", "").split("|")) for line in rows}
    assert len(cells) == 1, "a bar in a summary broke the table"
