"""The example sheet of ``derivations/sheets/``: questions and solutions, LaTeX and Markdown.

:func:`example_documents` builds the four files in memory, stamped as ``symxent sheet -o``
stamps them, so that the command :data:`REGENERATE` and the test that checks the folder is up
to date produce the very same bytes.
"""

from __future__ import annotations

from typing import Any

from ..render.files import stamp

__all__ = ["NOTE", "EXAMPLE", "EXAMPLE_ARGV", "REGENERATE", "stamped", "example_documents"]

NOTE = "written by symxent sheet; edit a copy"
EXAMPLE: dict[str, Any] = {"n": 10, "seed": 1, "level": "fractions", "base": 2, "digits": 6}
EXAMPLE_ARGV = ("sheet", "-n", "10", "--seed", "1", "--level", "fractions", "--base", "2", "--digits", "6",
                "--name", "example")
REGENERATE = "symxent " + " ".join(EXAMPLE_ARGV) + " -o derivations/sheets/"


def stamped(documents: dict[str, str]) -> dict[str, str]:
    """Each document with the first line ``symxent sheet`` writes: its generator and hash."""
    return {name: stamp(text, name[name.rindex("."):], NOTE) for name, text in documents.items()}


def example_documents() -> dict[str, str]:
    """``example-questions.tex``, ``example-questions.md``, ``example-solutions.tex``, ``.md``.

    >>> sorted(example_documents())[:2]
    ['example-questions.md', 'example-questions.tex']
    """
    from .generate import make_sheet

    return stamped(make_sheet(**EXAMPLE).documents("example"))
