"""``symxent.testing.assert_ulp_close`` and the pytest plugin that hands it out."""

from __future__ import annotations

import tomllib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symxent.crosscheck import make_problem
from symxent.testing import UlpAssertionError, assert_ulp_close, ulp_distance

pytest_plugins = ["pytester"]


def test_passes_within_k_ulps():
    assert_ulp_close(0.6931471805599453, sp.log(2), ulps=0.5)
    assert_ulp_close(np.float32(0.1), Fraction(1, 10), ulps=0.5)
    assert_ulp_close(0.36698458754010023, make_problem("bce", [1, 0], [0.8, 0.4]), ulps=1)


def test_failure_message_shows_exact_value_distance_and_oracle():
    with pytest.raises(UlpAssertionError) as info:
        assert_ulp_close(np.float32(0.36698), make_problem("bce", [1, 0], [0.8, 0.4], dtype="float32"), ulps=2)
    text = str(info.value)
    assert "exact        0.366984585056573434" in text
    assert f"value        {float(np.float32(0.36698))!r}" in text
    assert "ULP distance" in text and "float32 ULPs" in text
    assert "oracle       mathematics: bce (mean) of exact binary values of float32 inputs" in text


def test_arrays_compare_elementwise_and_name_the_index():
    torch = pytest.importorskip("torch")
    p = make_problem("bce", [1, 0], [0.5, 0.5], reduction="none")
    assert_ulp_close(torch.nn.functional.binary_cross_entropy(torch.tensor([0.5, 0.5], dtype=torch.float64),
                                                              torch.tensor([1.0, 0.0], dtype=torch.float64),
                                                              reduction="none"), p, ulps=1)
    with pytest.raises(UlpAssertionError, match=r"^\[1\] 0.7"):
        assert_ulp_close(np.array([0.6931471805599453, 0.7]), p, ulps=1)


def test_ulp_distance_infinities():
    assert ulp_distance(float("inf"), float("inf")) == 0.0
    assert ulp_distance(100.0, float("inf")) == float("inf")


def test_entry_point_is_declared():
    meta = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["pytest11"]["symxent"] == "symxent.pytest_plugin"


def _load_plugin() -> list[str]:
    """``-p symxent.pytest_plugin`` unless pytest already loads it from the installed entry point."""
    import os
    from importlib.metadata import entry_points
    installed = any(ep.value == "symxent.pytest_plugin" for ep in entry_points(group="pytest11"))
    autoload = not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    return [] if installed and autoload else ["-p", "symxent.pytest_plugin"]


def test_plugin_fixtures_with_pytester(pytester):
    pytester.makepyfile(
        """
        import sympy as sp

        def test_ok(ulp_close):
            ulp_close(0.6931471805599453, sp.log(2), ulps=1)

        def test_problem(ulp_close, exact_problem):
            ulp_close(0.36698458754010023, exact_problem("bce", [1, 0], [0.8, 0.4]), ulps=1)

        def test_fails(ulp_close):
            ulp_close(0.7, sp.log(2), ulps=4)
        """
    )
    result = pytester.runpytest_inprocess(*_load_plugin(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*exact        0.693147180559945309417232121458*",
                                 "*oracle       symxent.evaluate(log(2))*"])


def test_the_helper_hides_its_own_frame():
    import sympy as sp

    from symxent.testing import UlpAssertionError, assert_ulp_close
    with pytest.raises(UlpAssertionError) as info:
        assert_ulp_close(0.69314, sp.log(2), ulps=4)
    shown = [entry.name for entry in info.traceback.filter(info)]
    assert "assert_ulp_close" not in shown and "test_the_helper_hides_its_own_frame" in shown


def test_the_failure_names_the_cause_of_a_known_library_call():
    torch = pytest.importorskip("torch")
    from symxent.crosscheck import make_problem
    from symxent.testing import UlpAssertionError, assert_ulp_close

    y = torch.tensor([1.0], dtype=torch.float64)
    q = torch.tensor([1e-300], dtype=torch.float64)
    value = torch.nn.functional.binary_cross_entropy(q, y)
    with pytest.raises(UlpAssertionError) as info:
        assert_ulp_close(value, make_problem("bce", y, q), ulps=2, call="torch.binary_cross_entropy")
    message = str(info.value)
    assert "cause" in message and "-100" in message  # torch clamps each log at -100
    with pytest.raises(UlpAssertionError) as plain:
        assert_ulp_close(value, make_problem("bce", y, q), ulps=2)
    assert "cause" not in str(plain.value)
