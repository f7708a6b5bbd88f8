"""A testing kit for library authors: exact assertions, certified gradients, hard inputs.

* :func:`assert_ulp_close` — a float, array or tensor within k ULPs of the exact value;
* :func:`assert_array_ulp_close` — the same per element (``reduction="none"`` outputs,
  gradients with ``grad=``), with a table of the worst elements and the cause on failure;
* :func:`exact_gradient` — certified gradients of BCE, CE from logits, KL and Gaussian NLL;
* :mod:`symxent.testing.strategies` — Hypothesis strategies for the inputs that break float
  losses, each drawing the arrays and their exact values (imported on its own, it needs the
  ``test`` extra: ``pip install 'symxent[test]'``).

The pytest plugin (:mod:`symxent.pytest_plugin`) hands the assertions out as fixtures.

>>> import sympy as sp
>>> assert_ulp_close(0.6931471805599453, sp.log(2), ulps=0.5)
"""

from ..crosscheck.gradients import exact_gradient
from .arrays import assert_array_ulp_close
from .assertions import UlpAssertionError, assert_ulp_close, ulp_distance

UlpAssertionError.__module__ = __name__  # shown as symxent.testing.UlpAssertionError

__all__ = ["assert_ulp_close", "assert_array_ulp_close", "ulp_distance", "UlpAssertionError", "exact_gradient"]
