"""Shared test set-up: hypothesis profiles, and precision that no test can leak."""

from __future__ import annotations

import mpmath
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture(autouse=True)
def _reset_precision():
    """Every test starts and ends at mpmath's default precision."""
    mp_prec, iv_prec = mpmath.mp.prec, mpmath.iv.prec
    yield
    mpmath.mp.prec, mpmath.iv.prec = mp_prec, iv_prec


@pytest.fixture(params=["numpy", "numba"])
def both_engines(request, monkeypatch):
    """Run a test with the NumPy kernels, and again with the compiled ones when Numba is installed
    and passes its probe (the compiled kernels answer first there). Use it module-wide with
    ``pytestmark = pytest.mark.usefixtures("both_engines")``."""
    from symxent.kernels import jit

    if request.param == "numpy":
        monkeypatch.setenv("SYMXENT_JIT", "0")
    elif not jit.available():
        pytest.skip("the compiled kernels are not available (install the 'fast' extra)")
    assert jit.engine() == request.param
    return request.param


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="run the fuzzing suite (tests/fuzz) at 250 times its CI example counts (over 10^5 cases)")


@pytest.fixture
def fuzz_scale(request) -> int:
    """How many times the CI example counts the fuzzing suite runs (250 with --fuzz-long; the
    environment variable SYMXENT_FUZZ_SCALE sets another factor, for a campaign of a stated size)."""
    import os

    scale = os.environ.get("SYMXENT_FUZZ_SCALE")
    if scale:
        return max(1, int(scale))
    return 250 if request.config.getoption("--fuzz-long") else 1
