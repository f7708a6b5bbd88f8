"""Sphinx configuration for the symxent documentation.

Build: ``pip install -e ".[docs]" && sphinx-build -W --keep-going -b html docs docs/_build/html``;
the examples run with ``sphinx-build -W -b doctest docs docs/_build/doctest``.

Three parts of the site are generated from the code each time the docs build, into
``docs/_generated/`` (not committed):

* the API reference: one page per module in ``PUBLIC_MODULES``, each documenting the names of
  that module's ``__all__`` (so a new public name appears by itself). **To document a new public
  subpackage, add one line to** ``PUBLIC_MODULES`` **below** (and its optional dependency to the
  ``docs`` extra in ``pyproject.toml`` if importing it needs one);
* the command-line reference: one page per subcommand of ``symxent.cli.build_parser()``;
* the derivations gallery: one page per ``derivations/*.md``.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
import types
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import symxent  # noqa: E402  (after the path is set)
from symxent.cli import build_parser  # noqa: E402

project = "symxent"
author = "the symxent developers"
copyright = "the symxent developers"
release = symxent.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinxarg.ext",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"

html_theme = "furo"
html_title = f"symxent {release}"

# MyST: $...$ and $$...$$ maths (the derivations use aligned environments), tables, colon fences.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# NumPy-style docstrings (STYLE.md).
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"show-inheritance": True}

# Every ``>>>`` example is executed by `sphinx-build -b doctest`: the guide pages' {doctest}
# blocks and the examples in the docstrings that the API reference shows.
doctest_default_flags = (__import__("doctest").ELLIPSIS | __import__("doctest").NORMALIZE_WHITESPACE
                         | __import__("doctest").DONT_ACCEPT_TRUE_FOR_1)
doctest_global_setup = "import symxent"

# The public surface: symxent itself (its __all__) and the public subpackages and modules.
# One line per module; each page lists that module's __all__.
PUBLIC_MODULES = [
    ("symxent", "The top-level API (``symxent.__all__``)"),
    ("symxent.measures", "Measures as SymPy expressions"),
    ("symxent.inputs", "Exact inputs"),
    ("symxent.distributions", "Distributions"),
    ("symxent.exact", "Certified evaluation"),
    ("symxent.exact.sums", "Certified sums of logarithms"),
    ("symxent.derivation", "The proof engine"),
    ("symxent.identities", "The catalogue of identities"),
    ("symxent.render", "Renderers: LaTeX, Markdown, text"),
    ("symxent.worked", "Worked examples"),
    ("symxent.crosscheck", "The oracle for ML libraries"),
    ("symxent.testing", "Assertions for library tests"),
    ("symxent.pytest_plugin", "The pytest plugin"),
    ("symxent.kernels", "Certified kernels"),
    ("symxent.kernels.losses", "Certified losses at float speed"),
    ("symxent.parsing", "The allow-list expression parser"),
    ("symxent.errors", "Errors"),
    ("symxent.cli", "The command line as a function"),
    ("symxent.families", "Parametric families: entropy and KL, derived"),
    ("symxent.kernels.partial", "Mergeable certified partial sums"),
    ("symxent.kernels.stream", "Out-of-core streaming"),
    ("symxent.dask", "Certified losses on Dask"),
    ("symxent.plot", "Pictures for coursework"),
    ("symxent.sheet", "Problem sheets"),
    ("symxent.testing.strategies", "Hypothesis strategies for hard loss inputs"),
    ("symxent.timebound", "Time bounds on any thread"),
]

GENERATED = DOCS / "_generated"


def _write(path: Path, text: str) -> None:
    """Write only when changed, so Sphinx's incremental build keeps unchanged pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _title(text: str) -> str:
    return f"{text}\n{'=' * len(text)}\n"


def _public_names(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names if n != "__version__"]


def _directive(module, name: str) -> str:
    obj = getattr(module, name)
    full = f"{module.__name__}.{name}"
    if isinstance(obj, type):
        return f".. autoclass:: {full}\n   :members:\n"
    if callable(obj):
        return f".. autofunction:: {full}\n"
    # A constant: its value, not the docstring of its type (a dict's would be dict's own).
    value = repr(obj)
    value = value if len(value) <= 70 else value[:60] + " ..."
    return f".. py:data:: {full}\n   :type: {type(obj).__name__}\n   :value: {value}\n"


def _namespace_setup(module, homes: set[str]) -> str:
    """A docstring's examples run in its module's globals (as under pytest --doctest-modules)."""
    mods = ", ".join(repr(m) for m in sorted(homes) if m.startswith("symxent"))
    return (".. testsetup:: *\n\n   import importlib\n"
            f"   for _m in [{mods}]:\n"
            "       globals().update({k: v for k, v in vars(importlib.import_module(_m)).items()"
            " if not k.startswith('__')})\n")


def generate_api() -> list[str]:
    pages = []
    documented: dict[int, str] = {}  # id(object) -> the first full name it was documented under
    for modname, title in PUBLIC_MODULES:
        module = importlib.import_module(modname)
        blocks = [_title(f"``{modname}``: {title}"),
                  f".. automodule:: {modname}\n   :no-members:\n"]
        seen_elsewhere = []
        homes = {modname}
        for name in _public_names(module):
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType):  # a public subpackage has its own page
                continue
            key = id(obj)
            if (isinstance(obj, type) or callable(obj)) and key in documented:
                seen_elsewhere.append(f"``{name}`` (:py:obj:`{documented[key]}`)")
                continue
            documented.setdefault(key, f"{modname}.{name}")
            homes.add(getattr(obj, "__module__", None) or modname)
            blocks.append(_directive(module, name))
        blocks.insert(2, _namespace_setup(module, homes))
        if seen_elsewhere:  # one description per object: Sphinx refuses duplicates
            blocks.insert(2, "Also exported here, documented on another page: "
                          + ", ".join(seen_elsewhere) + ".\n")
        doc = f"api/{modname}"
        _write(GENERATED / f"{doc}.rst", "\n".join(blocks))
        pages.append(doc)
    _write(GENERATED / "api/index.rst", _title("API reference") + """
Every public name of symxent, generated from the docstrings. Each page below is one module and
documents the names of its ``__all__``; a name added there appears here at the next build. The
top-level ``symxent`` page is the API to start from; the subpackages are for when you need more
(the certified kernels, the oracle's adapters, the proof engine's steps). An object exported by
several modules is described once, on the first page, and linked from the others.

To add a new public subpackage to this reference, add one line to ``PUBLIC_MODULES`` in
``docs/conf.py``.

.. toctree::
   :maxdepth: 1

""" + "".join(f"   /_generated/{doc}\n" for doc in pages))
    return pages


def _literal(text: str | None) -> str:
    """The parser's help text is laid out for a terminal: show it as it prints."""
    if not text:
        return ""
    text = text.strip("\n")
    if "\n" not in text:  # one sentence, left for argparse to wrap: wrap it as argparse would
        text = textwrap.fill(text, 88)
    body = "\n".join(f"   {line}".rstrip() for line in text.splitlines())
    return f".. code-block:: text\n\n{body}\n\n"


def _subcommands() -> dict[str, tuple[str, object]]:
    import argparse
    parser = build_parser()
    for action in parser._actions:  # argparse keeps its subparsers here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            return {name: (helps.get(name, ""), sub) for name, sub in action.choices.items()}
    return {}


def generate_cli() -> list[str]:
    pages = []
    for name, (help_text, sub) in _subcommands().items():
        doc = f"cli/{name}"
        text = (_title(f"``symxent {name}``") + f"\n{help_text}\n\n"
                + _literal(getattr(sub, "description", None))
                + f".. argparse::\n   :module: symxent.cli\n   :func: build_parser\n"
                f"   :prog: symxent\n   :path: {name}\n   :nodescription:\n   :noepilog:\n\n"
                + _literal(getattr(sub, "epilog", None)))
        _write(GENERATED / f"{doc}.rst", text)
        pages.append(doc)
    _write(GENERATED / "cli/index.rst", _title("Command-line reference") + """
``symxent COMMAND ...`` (or ``python -m symxent COMMAND ...``). One page per command, generated
from its ``argparse`` parser (``symxent.cli.build_parser()``), so the options here are the ones
the program accepts. ``symxent --version`` prints the version. Bad input exits with code 2 and
one line on stderr.

.. toctree::
   :maxdepth: 1

""" + "".join(f"   /_generated/{doc}\n" for doc in pages))
    return pages


_HEADING = re.compile(r"^# (.+)$", re.MULTILINE)
_STATUS = re.compile(r"^\*\*Status\.\*\* (\w+)", re.MULTILINE)


def generate_gallery() -> list[tuple[str, str, str, bool]]:
    rows = []
    for md in sorted((ROOT / "derivations").glob("*.md")):
        if md.name == "README.md":
            continue
        text = md.read_text(encoding="utf-8")
        heading = _HEADING.search(text)
        status = _STATUS.search(text)
        tex = md.with_suffix(".tex")
        page = (f"```{{include}} ../../../derivations/{md.name}\n```\n")
        if tex.exists():
            page += (f"\nLaTeX source: {{download}}`{tex.name} <../../../derivations/{tex.name}>`; "
                     f"regenerate with `symxent derive {md.stem} --format latex --standalone`.\n")
        _write(GENERATED / f"gallery/{md.stem}.md", page)
        rows.append((md.stem, heading.group(1) if heading else md.stem,
                     status.group(1).lower() if status else "", tex.exists()))
    table = ["| derivation | title | status |", "|---|---|---|"]
    table += [f"| [{stem}]({stem}.md) | {title} | {status} |" for stem, title, status, _ in rows]
    toctree = "```{toctree}\n:hidden:\n\n" + "".join(f"{stem}\n" for stem, *_ in rows) + "```\n"
    _write(GENERATED / "gallery/index.md", "# Derivations gallery\n\n" + GALLERY_INTRO + "\n"
           + "\n".join(table) + "\n\n" + toctree)
    return rows


GALLERY_INTRO = """Every identity of the catalogue and both worked examples, derived step by step and
checked by the machine: each line cites the rule that justifies it, and symxent verified it. These
pages are the Markdown files of the repository's `derivations/` folder (written by
`symxent derive --all -o derivations/`), rendered with MathJax; each links its standalone LaTeX
source. A step the machine did not verify would be labelled `[unverified]`.
"""


_SECTION_RULE = re.compile(r"^-{3,}\s*$")


def _examples_get_their_header(app, what, name, obj, options, lines: list[str]) -> None:
    """A docstring whose examples follow its Parameters/Returns without an ``Examples`` header
    (pytest reads it either way) gets one, so that napoleon does not read them as parameters."""
    section = None
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i].strip() and _SECTION_RULE.match(lines[i + 1]):
            section = lines[i].strip().lower()
            i += 2
            continue
        if lines[i].startswith(">>>") and section not in (None, "examples", "example"):
            lines[i:i] = ["Examples", "--------"] if i and not lines[i - 1].strip() else ["", "Examples", "--------"]
            section = "examples"
        i += 1


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _examples_get_their_header, priority=100)  # before napoleon


generate_api()
generate_cli()
generate_gallery()
