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
