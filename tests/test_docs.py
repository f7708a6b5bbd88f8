"""The documentation's sources: what the Sphinx build (CI: .ci/run) relies on, checked without Sphinx."""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import symxent

DOCS = Path(__file__).resolve().parent.parent / "docs"


def public_modules() -> list[str]:
    """``PUBLIC_MODULES`` of docs/conf.py, read without running conf.py (it generates pages)."""
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PUBLIC_MODULES" for t in node.targets):
            return [name for name, _title in ast.literal_eval(node.value)]
    raise AssertionError("docs/conf.py defines no PUBLIC_MODULES")


def test_the_reference_starts_from_the_top_level_api():
    assert public_modules()[0] == "symxent"


def test_every_documented_module_imports_and_declares_its_names():
    for name in public_modules():
        module = importlib.import_module(name)
        missing = [n for n in getattr(module, "__all__", []) if not hasattr(module, n)]
        assert not missing, f"{name}.__all__ names {missing}, which the module does not define"


def test_every_subpackage_named_in_the_readme_is_documented():
    listed = set(public_modules())
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    named = {f"symxent.{top}" for top in re.findall(r"`symxent\.([a-z_]+)[.`(]", readme)}
    subpackages = {n for n in named if importlib.util.find_spec(n) is not None
                   and importlib.util.find_spec(n).submodule_search_locations is not None}
    assert subpackages, "the README names symxent's subpackages"
    assert subpackages <= listed, f"not in PUBLIC_MODULES: {sorted(subpackages - listed)}"


def test_examples_in_the_pages_are_executed_blocks():
    """A ``>>>`` example outside a ``{doctest}`` block would never run, and could go stale."""
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts or "_generated" in page.parts:
            continue
        fences = re.findall(r"```(\S*)\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
        stale = [lang for lang, body in fences if ">>>" in body and lang != "{doctest}"]
        assert not stale, f"{page.relative_to(DOCS)}: a '>>>' example in a ```{stale[0]} block, use ```{{doctest}}"
