"""pytest plugin (entry point ``pytest11``): fixtures that compare floats with exact values.

``ulp_close(value, exact, ulps=k)`` is :func:`symxent.testing.assert_ulp_close`;
``exact_problem(measure, target, prediction, **options)`` is
:func:`symxent.crosscheck.make_problem`, whose result ``ulp_close`` accepts as its oracle.
Everything is imported when a fixture is first used, so the plugin costs nothing otherwise.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def ulp_close():
    """Assert a value lies within k ULPs of the exact one (see symxent.testing.assert_ulp_close)."""
    from symxent.testing import assert_ulp_close
    return assert_ulp_close


@pytest.fixture
def exact_problem():
    """Build a loss problem whose certified mathematical value is the oracle."""
    from symxent.crosscheck import make_problem
    return make_problem
