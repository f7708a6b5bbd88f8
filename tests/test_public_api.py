"""The public surface is declared once, in symxent.__all__."""

import symxent


def test_all_names_exist_and_are_unique():
    assert len(symxent.__all__) == len(set(symxent.__all__))
    for name in symxent.__all__:
        assert hasattr(symxent, name), name


def test_no_undeclared_public_names():
    modules = {"cli", "distributions", "errors", "exact", "inputs", "logbase", "measures", "examples", "tour",
               "derivation", "identities", "parsing", "render", "worked"}
    public = {n for n in vars(symxent) if not n.startswith("_")} - modules
    assert public <= set(symxent.__all__), public - set(symxent.__all__)


def test_errors_are_builtin_errors_too():
    for name in ["InvalidNumberError", "DomainError", "NormalizationError", "ShapeError", "BaseError",
                 "PrecisionError", "ParseError"]:
        assert issubclass(getattr(symxent, name), ValueError)
    assert issubclass(symxent.UnsupportedError, TypeError)
