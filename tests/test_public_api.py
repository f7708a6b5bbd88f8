"""The public surface is declared once, in symxent.__all__."""

import symxent


def test_all_names_exist_and_are_unique():
    assert len(symxent.__all__) == len(set(symxent.__all__))
    for name in symxent.__all__:
        assert hasattr(symxent, name), name


def test_no_undeclared_public_names():
    import types

    public = {n for n, v in vars(symxent).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public <= set(symxent.__all__), public - set(symxent.__all__)


def test_errors_are_builtin_errors_too():
    for name in ["InvalidNumberError", "DomainError", "NormalizationError", "ShapeError", "BaseError",
                 "PrecisionError", "ParseError"]:
        assert issubclass(getattr(symxent, name), ValueError)
    assert issubclass(symxent.UnsupportedError, TypeError)
    assert issubclass(symxent.MissingExtraError, ImportError)  # symxent.plot without matplotlib


def test_subpackages_are_not_shadowed():
    import importlib

    for name in ["exact", "derivation", "identities", "render", "crosscheck", "kernels", "distributions", "plot",
                 "testing"]:
        module = importlib.import_module(f"symxent.{name}")
        assert getattr(symxent, name) is module, name
    import symxent.exact.sums as sums  # the form that failed while a function was called "exact"

    assert callable(sums.log_sum)


def test_package_is_typed_and_versioned():
    from importlib import resources
    from pathlib import Path

    from symxent.cli import main

    assert resources.files("symxent").joinpath("py.typed").is_file()  # PEP 561 marker ships
    changelog = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {symxent.__version__}" in changelog
    assert main(["--version"]) == 0
