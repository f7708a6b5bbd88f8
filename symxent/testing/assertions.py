"""Assertions for library developers: is a float within k ULPs of the exact value?

``assert_ulp_close(value, exact, ulps=k)`` reads the value at its exact binary value in its own
dtype (a float, a NumPy scalar or array, a torch tensor, a JAX array), certifies the exact
value, and on failure says the exact value, the value, the distance in ULPs and which oracle
gave the exact value. The pytest plugin (:mod:`symxent.pytest_plugin`) hands it out as the
``ulp_close`` fixture.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy as sp

from ..crosscheck.base import read_result
from ..crosscheck.oracle import Certified, exact_value
from ..crosscheck.problem import Problem
from ..errors import UnsupportedError
from ..exact import evaluate
from ..exact.enclosure import Enclosure
from ..exact.rounding import FORMATS, ulp

__all__ = ["assert_ulp_close", "ulp_distance", "UlpAssertionError"]


class UlpAssertionError(AssertionError):
    """A value is farther from the exact one than allowed."""


def ulp_distance(value: float, exact: Fraction | float, dtype: str = "float64") -> float:
    """``(value - exact) / ulp(exact)`` in ``dtype``; 0 for equal infinities, inf otherwise.

    >>> ulp_distance(0.1, Fraction(1, 10))
    0.4
    """
    if math.isnan(value):
        return math.nan
    if isinstance(exact, float) or math.isinf(value):
        return 0.0 if value == exact else math.inf
    return float((Fraction(value) - exact) / ulp(exact, FORMATS[dtype]))


def _oracle(exact: Any, digits: int) -> tuple[list, str]:
    """The certified exact value(s) and a description of where they come from."""
    if isinstance(exact, Problem):
        got = exact_value(exact, digits)
        what = f"mathematics: {exact.measure} ({exact.reduction}) of {exact.reading}"
        return (got if isinstance(got, list) else [got]), what
    if isinstance(exact, Certified):
        return [exact], "a certified value"
    if isinstance(exact, list) and all(isinstance(c, Certified) for c in exact):
        return exact, "certified values"
    if isinstance(exact, Enclosure):
        return [exact], "an enclosure"
    if isinstance(exact, (int, Fraction)) and not isinstance(exact, bool):
        return [Fraction(exact)], "an exact rational"
    if isinstance(exact, (str, sp.Basic)):
        value = evaluate(exact, digits)
        return [value], f"symxent.evaluate({exact})"
    raise UnsupportedError(f"exact={exact!r} is not a Problem, a SymPy expression, a certified value or a rational")


def _point(e: Any) -> tuple[Fraction | float, str]:
    if isinstance(e, Certified):
        return e.value, str(e)
    if isinstance(e, Enclosure):
        mid = e.lo if e.lo == e.hi or not e.is_finite else (e.lo + e.hi) / 2
        return mid, e.decimal(30) or f"[{float(e.lo)!r}, {float(e.hi)!r}]"
    if hasattr(e, "lower") and hasattr(e, "decimal"):  # symxent.exact.CertifiedValue
        mid = e.lower if e.lower == e.upper else (e.lower + e.upper) / 2
        return mid, e.decimal
    return Fraction(e), str(e)


def assert_ulp_close(value: Any, exact: Any, *, ulps: float = 1, dtype: str | None = None,
                     digits: int = 30, call: str | None = None) -> None:
    """Assert ``value`` lies within ``ulps`` ULPs (of its dtype, or ``dtype``) of the exact value.

    ``exact`` is a :class:`symxent.crosscheck.Problem` (its mathematical value), a SymPy
    expression or exact decimal string (evaluated by :func:`symxent.evaluate`), a certified value
    or an exact rational. ``call`` names the library function that computed ``value``
    (``"torch.binary_cross_entropy"``): with a Problem as ``exact``, a failure adds the cause
    that ``symxent check`` names for that call (a clamp, a clip, an eps, a float32 cast).

    >>> import sympy as sp
    >>> assert_ulp_close(0.6931471805599453, sp.log(2), ulps=0.5)
    >>> assert_ulp_close(0.69314, sp.log(2), ulps=4)
    Traceback (most recent call last):
    ...
    symxent.testing.UlpAssertionError: 0.69314 (float64) is 6.5e+10 ULPs from the exact value (allowed 4)
      exact        0.693147180559945309417232121458
      value        0.69314
      ULP distance 6.5e+10 (float64 ULPs)
      oracle       symxent.evaluate(log(2))
    """
    __tracebackhide__ = True  # pytest shows the caller's assertion line, not this helper's frame
    got = read_result(value)
    fmt = dtype or (got.dtype if got.dtype in FORMATS else "float64")
    exacts, oracle = _oracle(exact, digits)
    values = got.values.ravel().tolist()
    if len(exacts) == 1 and len(values) > 1:
        exacts = exacts * len(values)
    if len(exacts) != len(values):
        raise UnsupportedError(f"value has {len(values)} entries but the oracle gives {len(exacts)}")
    for i, (v, e) in enumerate(zip(values, exacts)):
        point, text = _point(e)
        d = ulp_distance(v, point, fmt)
        if math.isnan(d) or abs(d) > ulps:
            where = f"[{i}] " if len(values) > 1 else ""
            raise UlpAssertionError(
                f"{where}{v!r} ({fmt}) is {abs(d):.2g} ULPs from the exact value (allowed {ulps:g})\n"
                f"  exact        {text}\n"
                f"  value        {v!r}\n"
                f"  ULP distance {abs(d):.2g} ({fmt} ULPs)\n"
                f"  oracle       {oracle}" + _cause_line(exact, call, value, digits))


def _cause_line(exact: Any, call: str | None, value: Any, digits: int) -> str:
    """``"\\n  cause ..."`` for a known library call on a Problem, else ``""``."""
    from ..crosscheck.problem import Problem
    if call is None or not isinstance(exact, Problem):
        return ""
    from .arrays import _cause
    return f"\n  cause        {_cause(exact, call, value, None, digits)}"
