"""Generated files: stamps, atomic writes, hand edits kept."""

import pytest

from symxent.errors import OverwriteError, SymxentError
from symxent.render.files import is_generated, is_pristine, stamp, write_generated


@pytest.mark.parametrize("suffix, opening", [(".tex", "% symxent-generated"), (".md", "<!-- symxent-generated"),
                                             (".txt", "# symxent-generated")])
def test_stamp_is_a_comment_of_the_format(suffix, opening):
    text = stamp("body\n", suffix)
    assert text.startswith(opening) and text.endswith("\nbody\n")
    assert is_generated(text) and is_pristine(text)


def test_an_edit_anywhere_breaks_the_stamp():
    text = stamp("line 1\nline 2\n", ".md")
    assert not is_pristine(text.replace("line 2", "line two"))
    assert is_generated(text.replace("line 2", "line two"))
    assert not is_pristine("no stamp at all\n") and not is_generated("no stamp at all\n")


def test_write_creates_replaces_and_refuses(tmp_path):
    target = tmp_path / "sub" / "a.tex"
    assert write_generated(target, stamp("v1\n", ".tex"))
    assert not write_generated(target, stamp("v1\n", ".tex"))  # same content: nothing to do
    assert write_generated(target, stamp("v2\n", ".tex"))
    target.write_text(target.read_text() + "% mine\n")
    with pytest.raises(OverwriteError, match="a.tex") as info:
        write_generated(target, stamp("v3\n", ".tex"))
    assert isinstance(info.value, SymxentError)
    assert target.read_text().endswith("% mine\n")
    assert write_generated(target, stamp("v3\n", ".tex"), force=True)
    assert target.read_text() == stamp("v3\n", ".tex")
    assert [p.name for p in target.parent.iterdir()] == ["a.tex"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    import os

    target = tmp_path / "a.md"
    write_generated(target, stamp("old\n", ".md"))

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_generated(target, stamp("new\n", ".md"))
    assert target.read_text() == stamp("old\n", ".md")
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]
