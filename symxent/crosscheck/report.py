"""Compare what libraries return with the two oracles, and say why they differ.

For each case the report gives the library's value, its error against the mathematics in ULPs
of the returned dtype and relatively, the exact value of the library's own convention, the
error against that convention, and a plain-words explanation whose first word is the verdict:

* ``rounding``: the value is within a few ULPs of the exact value of its own convention, and
  the convention agrees with the mathematics (in the returned dtype);
* ``precision``: as rounding, but the library worked in a narrower format than the inputs
  (float32 while float64 was given, or a float32 result returned as a Python float);
* ``semantics``: the convention itself differs from the mathematics (clipping, clamping,
  renormalisation, a dropped constant, a different mean) and the value follows it;
* ``cancellation``: the error is rounding amplified by cancellation (within a few ULPs of the
  terms' size) but so large that the result is meaningless: a wrong sign, or a relative error of
  100 % or more;
* ``unexplained``: the value is far from its own convention too (cancellation in the formula,
  or a step the convention does not model).
"""

from __future__ import annotations

import importlib
import math
import os
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import sympy as sp

from ..errors import DomainError, UnsupportedError
from ..exact.rounding import FORMATS, ulp
from .base import Case, ConventionNaN, read_result
from .oracle import Certified, exact_value, reduce_terms
from .problem import Problem

__all__ = ["LIBRARIES", "Result", "Report", "compare", "LEVELS", "fails", "available_libraries", "ULP_TOLERANCE", "tolerance"]

LIBRARIES = ("numpy", "scipy", "sklearn", "torch", "keras", "keras_tf", "jax", "dit", "tfp")
ULP_TOLERANCE = 16  # within this many ULPs of its own convention, a difference is rounding...


def tolerance(n_elements: int, ulps: float = ULP_TOLERANCE) -> float:
    """...scaled by log2 of the number of elements summed (a sum of n floats may err by more).

    >>> tolerance(1), tolerance(2**20)
    (16, 320)
    """
    return ulps * max(1, math.ceil(math.log2(max(n_elements, 1))))
_RANK = {"bfloat16": 8, "float16": 11, "float32": 24, "float64": 53}


def _adapter(name: str):
    if name not in LIBRARIES:
        raise UnsupportedError(f"library={name!r} is not one of {', '.join(LIBRARIES)}")
    return importlib.import_module(f"{__package__}.{name}_adapter")


def available_libraries(progress: Callable[[str], None] | None = None) -> list[str]:
    """The libraries whose adapters can run here (their packages import); ``progress`` is told
    each library before it is imported (the imports are most of a small check's time)."""
    found = []
    for name in LIBRARIES:
        if progress:
            progress(f"importing {name}")
        if _adapter(name).available():
            found.append(name)
    return found


@dataclass
class Result:
    library: str
    function: str
    version: str
    dtype: str
    value: Any
    abs_error: float
    ulp_error: float
    rel_error: float
    convention_value: Any
    convention_ulp_error: float
    verdict: str
    explanation: str
    error: str | None = None  # the exception text when checking this case failed (verdict 'error')


@dataclass
class Report:
    exact: Certified | list | None  # None: the mathematics is undefined (problem.invalid says why)
    problem: Problem
    results: list = field(default_factory=list)
    oracle_error: str = ""  # why the exact value is missing when the inputs were valid

    @property
    def exact_text(self) -> str | list:
        if self.exact is None:
            if self.problem.invalid is None:
                return f"not computed: {self.oracle_error}"
            return f"undefined: {self.problem.invalid}"
        return [str(c) for c in self.exact] if isinstance(self.exact, list) else str(self.exact)

    @property
    def exact_floats(self) -> dict | list:
        """The exact value correctly rounded to float64, float32 and bfloat16 (as Python floats)."""
        def one(c: Certified) -> dict:
            return {name: (float(v) if v is not None else None) for name, v in c.floats.items()}
        if self.exact is None:
            return {}
        return [one(c) for c in self.exact] if isinstance(self.exact, list) else one(self.exact)

    def to_json(self) -> dict:
        return {"exact": self.exact_text, "exact_rounded": self.exact_floats, "inputs": self.problem.describe(),
                "results": [asdict(r) for r in self.results]}


def compare(problem: Problem, libs: Iterable[str] | None = None, *, digits: int = 30,
            progress: Callable[[str], None] | None = None, ulps: float = ULP_TOLERANCE) -> Report:
    """Run every case of every library on ``problem`` and compare it with both oracles.

    ``ulps`` is the rounding threshold: within that many ULPs of its own convention (times log2
    of the number of elements summed), a difference is rounding.

    >>> from symxent.crosscheck.problem import make_problem
    >>> r = compare(make_problem("kl", [0.5, 0.5], [0.25, 0.75]), libs=["numpy"], digits=20)
    >>> r.exact_text, r.results[0].function, r.results[0].verdict
    ('0.14384103622589046372', 'sum(p*log(p/q), axis=-1)', 'rounding')
    """
    if problem.invalid is not None:
        return _unvalidated(problem, libs, progress)
    try:
        exact = exact_value(problem, digits)
    except Exception as err:  # the oracle failing must not lose what the libraries answer
        return _unvalidated(problem, libs, progress, oracle_error=err)
    report = Report(exact, problem)
    in_other_base: dict = {}

    def exact_in(base):
        if base not in in_other_base:
            in_other_base[base] = exact_value(replace(problem, base=base), digits)
        return in_other_base[base]
    names = list(libs) if libs is not None else available_libraries(progress)
    for name in names:
        adapter = _adapter(name)
        if not adapter.available():
            raise UnsupportedError(f"library={name!r} is not installed (pip install 'symxent[{name}]')")
        try:
            cases = adapter.cases(problem)
        except Exception as err:  # one adapter failing to pose its calls must not take down the report
            report.results.append(error_result(name, "(setting up its calls)", _version(adapter), "", None, err))
            continue
        for case in cases:
            if progress:
                progress(f"{name}.{case.function}")
            base = problem.base if problem.base is None or case.base_applied else None
            if case.result_base is not None:
                base = sp.Integer(case.result_base)
            if base == problem.base:
                report.results.append(_isolated(problem, case, exact, digits, ulps))
                continue
            other = exact_in(base)
            row = _isolated(replace(problem, base=base), case, other, digits, ulps)
            shown = _fmt(other if isinstance(other, list) else [other])
            if case.result_base is not None:
                row.explanation += (f"; {case.library} answers in base {base} whatever the base asked, so it is "
                                    f"compared with the exact value in base {base}, {shown}")
            else:
                row.explanation += (f"; this call has no base parameter: its result is in nats, compared with the "
                                    f"exact value in nats, {shown}")
            report.results.append(row)
    return report


# The order of verdicts for ``--fail-on``: a library refusing an input is a semantic difference;
# an error while checking, or a result nothing explains, is the worst.
LEVELS = {"rounding": 0, "precision": 1, "semantics": 2, "refused": 2, "no validation": 2, "cancellation": 3, "unexplained": 3,
          "error": 3}


def fails(result: Result, level: str) -> bool:
    """Does ``result`` reach ``level`` (``rounding``, ``precision``, ``semantics``, ``any``)?

    ``any`` is any deviation from the exact value; ``rounding`` a value that is not the exact
    value correctly rounded to its dtype (more than half an ULP away), or any worse verdict.

    >>> r = Result("x", "f", "1", "float64", 1.0, 0.0, 0.75, 0.0, 1.0, 0.75, "rounding", "")
    >>> fails(r, "any"), fails(r, "rounding"), fails(r, "precision")
    (True, True, False)
    """
    rank = LEVELS.get(result.verdict, 3)
    if level == "any":
        return rank > 0 or not result.ulp_error == 0
    if level == "rounding":
        return rank > 0 or not abs(result.ulp_error) <= 0.5
    return rank >= LEVELS[level]


def _unvalidated(problem: Problem, libs, progress, oracle_error: BaseException | None = None) -> Report:
    """The mathematics is undefined (or its exact value could not be computed, ``oracle_error``):
    call each library anyway and report what it does with it."""
    report = Report(None, problem, oracle_error="" if oracle_error is None else _error_text(oracle_error))
    for name in (list(libs) if libs is not None else available_libraries(progress)):
        adapter = _adapter(name)
        if not adapter.available():
            raise UnsupportedError(f"library={name!r} is not installed (pip install 'symxent[{name}]')")
        try:
            cases = adapter.cases(problem)
        except Exception as err:
            report.results.append(error_result(name, "(setting up its calls)", _version(adapter), "", None, err))
            continue
        for case in cases:
            if progress:
                progress(f"{name}.{case.function}")
            try:
                got = read_result(case.call())
            except Exception as err:  # the library validates: it refuses the input
                report.results.append(Result(case.library, case.function, case.version, case.compute_dtype, None,
                                             math.nan, math.nan, math.nan, None, math.nan, "refused",
                                             f"refused: {_error_text(err)}"))
                continue
            values = got.values.ravel().tolist()
            value = values[0] if len(values) == 1 else values
            if oracle_error is not None:
                report.results.append(Result(
                    case.library, case.function, case.version, got.dtype, value, math.nan, math.nan, math.nan, None,
                    math.nan, "error", f"error: the exact value could not be computed ({_error_text(oracle_error)}), "
                    f"so {case.library}'s answer {_short_value(value)} is not checked", error=_error_text(oracle_error)))
                continue
            report.results.append(Result(
                case.library, case.function, case.version, got.dtype, value, math.nan, math.nan, math.nan, None,
                math.nan, "no validation", f"no validation: {problem.invalid}, where the mathematics is undefined, "
                f"yet {case.library} accepted it and returned {_short_value(value)}"))
    return report


def _version(adapter) -> str:
    try:
        return adapter.version()
    except Exception:
        return "?"


def _error_text(err: BaseException) -> str:
    lines = str(err).splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def error_result(library: str, function: str, version: str, dtype: str, value: Any, err: BaseException) -> Result:
    """The row of a case whose check raised: the library's value if it had one, and the error.

    >>> error_result("scipy", "f", "1.0", "float64", 0.5, ValueError("boom")).explanation
    'error: checking this call failed (ValueError: boom); the library returned 0.5'
    """
    text = _error_text(err)
    got = "" if value is None else f"; the library returned {_short_value(value)}"
    return Result(library, function, version, dtype, value, math.nan, math.nan, math.nan, None, math.nan,
                  "error", f"error: checking this call failed ({text}){got}", error=text)


def _short_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value[:4]) + (", ...]" if len(value) > 4 else "]")
    return repr(value)


def _isolated(problem: Problem, case: Case, exact, digits: int, ulps: float = ULP_TOLERANCE) -> Result:
    """:func:`_result`, with any exception of the oracles on this case made into its row."""
    try:
        return _result(problem, case, exact, digits, ulps)
    except _CheckFailed as failed:
        return error_result(case.library, case.function, case.version, failed.dtype, failed.value, failed.err)
    except Exception as err:
        return error_result(case.library, case.function, case.version, case.compute_dtype, None, err)


class _CheckFailed(Exception):
    """Checking failed after the library answered: carries its value so the row can show it."""

    def __init__(self, dtype: str, value: Any, err: BaseException) -> None:
        super().__init__(str(err))
        self.dtype, self.value, self.err = dtype, value, err


def _convention(problem: Problem, case: Case, digits: int):
    try:
        return reduce_terms(problem, case.terms_of, case.divisor, digits, strict=False, base=problem.base)
    except ConventionNaN as nan:
        return nan
    except DomainError as zero:  # a mean over nothing: the library's 0/0
        return ConventionNaN(str(zero))


def _result(problem: Problem, case: Case, exact, digits: int, ulps: float = ULP_TOLERANCE) -> Result:
    try:
        got = read_result(case.call())
    except Exception as err:  # the library refused the input: that is its answer
        return Result(case.library, case.function, case.version, case.compute_dtype, None, math.nan, math.nan,
                      math.nan, None, math.nan, "refused", f"refused: {type(err).__name__}: {str(err).splitlines()[0]}")
    values = got.values.ravel().tolist()
    try:
        return _judged(problem, case, exact, digits, got, values, ulps)
    except Exception as err:
        shown = values[0] if len(values) == 1 else values
        raise _CheckFailed(got.dtype, shown, err) from err


def _judged(problem: Problem, case: Case, exact, digits: int, got, values: list, ulps: float) -> Result:
    conv = _convention(problem, case, digits)
    exacts = exact if isinstance(exact, list) else [exact]
    convs = [conv] * len(exacts) if isinstance(conv, ConventionNaN) else (conv if isinstance(conv, list) else [conv])
    fmt = got.dtype if got.dtype in FORMATS else "float64"
    rows = [_row(v, e, c, fmt) for v, e, c in zip(values, exacts, convs)]
    worst = max(rows, key=lambda r: (abs(r[0]) if not math.isnan(r[0]) else math.inf))
    ulp_err, rel_err, conv_ulp, conv_value, abs_err = worst
    verdict, text = _explain(problem, case, got.dtype, values, exacts, convs, rows, conv, ulps)

    value = values[0] if got.values.ndim == 0 or (len(values) == 1 and problem.reduction != "none") else values
    conv_out = [r[3] for r in rows] if problem.reduction == "none" else rows[0][3]
    return Result(case.library, case.function, case.version, got.dtype, value, abs_err, ulp_err, rel_err,
                  conv_out, conv_ulp, verdict, text)


def _as_float(x) -> float:
    return float(x)


def ulps(value: float, target: Fraction | float, fmt: str) -> float:
    """``(value - target) / ulp(target)`` in ``fmt``; 0 if equal infinities, inf if one is infinite."""
    if math.isnan(value):
        return math.nan
    if isinstance(target, float) or math.isinf(value):
        return 0.0 if value == target else math.inf
    return float((Fraction(value) - target) / ulp(target, FORMATS[fmt]))


def _row(v: float, e: Certified, c, fmt: str) -> tuple:
    ev = e.value
    ulp_err = ulps(v, ev, fmt)
    if math.isnan(v):
        rel = math.nan
    elif isinstance(ev, float) or math.isinf(v):
        rel = 0.0 if v == ev else math.inf
    else:
        rel = float(abs(Fraction(v) - ev) / abs(ev)) if ev != 0 else (0.0 if v == 0 else math.inf)
    if math.isnan(v):
        absolute = math.nan
    elif isinstance(ev, float) or math.isinf(v):
        absolute = 0.0 if v == ev else math.inf
    else:
        absolute = float(abs(Fraction(v) - ev))
    if isinstance(c, ConventionNaN):
        return ulp_err, rel, (0.0 if math.isnan(v) else math.inf), math.nan, absolute
    return ulp_err, rel, ulps(v, c.value, fmt), _as_float(c.floats.get("float64") or c.value), absolute


SEMANTIC_ULPS = 2  # a convention moving the value by more than this many ULPs is a semantic difference


def _differs(c, e: Certified, fmt: str) -> bool:
    """Does the convention change the value visibly in ``fmt`` (more than SEMANTIC_ULPS ULPs)?"""
    if isinstance(c, ConventionNaN):
        return True
    cv, ev = c.value, e.value
    if isinstance(cv, float) or isinstance(ev, float):
        return cv != ev
    return abs(cv - ev) > SEMANTIC_ULPS * ulp(ev, FORMATS[fmt])


def _explain(problem, case, dtype, values, exacts, convs, rows, conv, ulps=ULP_TOLERANCE) -> tuple[str, str]:
    fmt = dtype if dtype in FORMATS else "float64"
    semantic = any(_differs(c, e, fmt) for c, e in zip(convs, exacts))
    worst_conv = max((abs(r[2]) if not math.isnan(r[2]) else math.inf) for r in rows)
    narrow = _RANK.get(fmt, 53) < _RANK.get(problem.dtype, 53)
    tol = tolerance(problem.prediction.size, ulps)
    parts = []
    if isinstance(conv, ConventionNaN):
        parts.append(f"{case.library} returns nan by its convention: {conv}")
    elif semantic:
        what = case.semantics or "the documented convention differs from the mathematics"
        parts.append(f"{what}; this moves the exact value from {_fmt(exacts)} to {_fmt(convs)}")
    explained = worst_conv <= tol
    cancelled_badly = ""
    if isinstance(conv, ConventionNaN) and all(math.isnan(v) for v in values):
        pass
    elif explained:
        parts.append(f"the {dtype} result is within {worst_conv:.3g} ULPs of the convention's exact value")
        if narrow:
            parts.append(f"the library returned {dtype} for {problem.dtype} inputs")
    else:
        # Cancellation first: rounding of the result's own dtype, amplified, is the simpler explanation
        # than a narrower arithmetic whose ULPs the error happens to fit.
        cancelled = _cancellation(problem, case, values, convs, fmt, tol)
        lower = None if cancelled is not None else _narrower_fit(values, convs, fmt, tol)
        if cancelled is not None:
            size, k = cancelled
            explained = True
            cancelled_badly = _meaningless(values, exacts, rows)
            parts.append(f"rounding amplified by cancellation: the formula's terms are of size {size:.3g} and "
                         f"cancel to {_fmt(convs)}; the error is {k:.3g} ULPs of the terms' size ({dtype}), "
                         f"though {worst_conv:.3g} ULPs of the result")
        elif lower is not None:
            narrow, explained = True, True
            parts.append(f"{worst_conv:.3g} ULPs of {dtype} but {_ulps_in(values, convs, lower):.3g} ULPs of "
                         f"{lower}: the error is that of {lower} arithmetic, in a {dtype} result")
        else:
            parts.append(f"the result is {worst_conv:.3g} ULPs ({dtype}) from the convention's exact value: more "
                         "than rounding explains (cancellation in the formula, or a step the convention does not "
                         "model)")
    if not explained:
        verdict = "unexplained"
    elif cancelled_badly:
        verdict = "cancellation"
        parts.append("the result is meaningless: " + cancelled_badly)
    else:
        verdict = "semantics" if semantic else ("precision" if narrow else "rounding")
    return verdict, f"{verdict}: " + "; ".join(parts)


def _meaningless(values, exacts, rows) -> str:
    """Why a cancelled result carries no information: its sign is wrong, or its error is >= 100 %."""
    for v, e, r in zip(values, exacts, rows):
        ev = e.value
        if isinstance(ev, float) or not math.isfinite(v):
            continue
        if (v < 0 < ev) or (v > 0 > ev) or (v != 0 and ev == 0):
            return f"its sign is wrong ({v!r} for an exact value of {_fmt([e])})"
        if r[1] >= 1:
            return f"its relative error is {r[1]:.3g} (100 % or more)"
    return ""


def _cancellation(problem, case, values, convs, fmt: str, tol: float) -> tuple[float, float] | None:
    """``(size, ulps)`` when the error is within tolerance of ULPs of the summed terms' size."""
    try:
        size = case.terms_of(np.arange(problem.n_samples)).magnitude()
    except Exception:  # a NaN convention, or terms that cannot be sized: no claim
        return None
    if problem.reduction == "mean" and case.divisor:
        size /= float(case.divisor)
    if problem.logits:
        # log-sum-exp takes the log of a sum of exponentials that is at least 1 (after the max
        # shift), so each term carries absolute rounding of the order of ULPs of 1.
        size = max(size, 1.0)
    if not math.isfinite(size) or size == 0:
        return None
    worst = 0.0
    for v, c in zip(values, convs):
        if isinstance(c, ConventionNaN) or not math.isfinite(v) or isinstance(c.value, float):
            return None
        worst = max(worst, abs(float(Fraction(v) - c.value)))
    k = worst / float(ulp(Fraction(size), FORMATS[fmt]))
    return (size, k) if k <= tol else None


def _narrower_fit(values, convs, fmt: str, tol: float) -> str | None:
    """The widest format narrower than ``fmt`` in whose ULPs the error is within tolerance (and
    not so small a fraction of one that the narrower arithmetic could not have made it)."""
    for lower in ("float32", "bfloat16"):
        if _RANK[lower] < _RANK.get(fmt, 53) and 1e-3 <= _ulps_in(values, convs, lower) <= tol:
            return lower
    return None


def _np_dtype(name: str):
    from .arrays import numpy_dtype
    return numpy_dtype(name)


def _ulps_in(values, convs, fmt: str) -> float:
    fmt = fmt if fmt in FORMATS else "float64"
    out = 0.0
    for v, c in zip(values, convs):
        if isinstance(c, ConventionNaN):
            continue
        out = max(out, abs(ulps(v, c.value, fmt)))
    return out


def _fmt(cs: Sequence) -> str:
    shown = ["nan" if isinstance(c, ConventionNaN) else (c.decimal if c.decimal is not None and len(c.decimal) < 24
                                                          else f"{float(c):.17g}") for c in cs[:3]]
    return ", ".join(shown) + (", ..." if len(cs) > 3 else "")
