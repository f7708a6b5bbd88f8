"""Array-level exact assertions: every element of a ``reduction="none"`` output or of a gradient
within k ULPs of its certified value, and a table of the worst elements when not.

As SciPy's mpmath test helpers do, a failure lists the points that fail (index, inputs, value,
exact value, ULPs), worst first; naming the library call that produced the array
(``call="torch.binary_cross_entropy"``) adds the cause, in the words of ``symxent check``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from ..crosscheck.base import read_result
from ..crosscheck.problem import Problem
from ..errors import UnsupportedError
from ..exact.rounding import FORMATS
from .assertions import UlpAssertionError, _oracle, _point, ulp_distance

__all__ = ["assert_array_ulp_close", "ulp_table"]


def assert_array_ulp_close(value: Any, exact: Any, *, ulps: float = 1, grad: str | None = None,
                           call: str | None = None, dtype: str | None = None, digits: int = 30,
                           show: int = 5) -> None:
    """Assert every element of ``value`` lies within ``ulps`` ULPs of its exact value.

    ``exact`` is a :class:`symxent.crosscheck.Problem` (its ``reduction="none"`` values, or with
    ``grad="prediction"``/``"var"`` the certified gradient of its reduced loss, see
    :func:`symxent.testing.exact_gradient`), a list of certified values, or exact rationals.
    ``call`` names the library function that computed ``value`` (``"torch.binary_cross_entropy"``,
    ``"jax.optax.sigmoid_binary_cross_entropy(x, y)"``): the message then says why it differs.

    >>> from symxent.crosscheck import make_problem
    >>> p = make_problem("bce", [1, 1, 0], [0.5, 2.0**-145, 0.25], reduction="none")
    >>> assert_array_ulp_close([0.6931471805599453, 100.50634118119207, 0.2876820724517809], p, ulps=1)
    >>> assert_array_ulp_close([0.6931471805599453, 100.0, 0.2876820724517809], p, ulps=1)
    Traceback (most recent call last):
    ...
    symxent.testing.UlpAssertionError: 1 of 3 elements are more than 1 ULPs from the exact values (worst: [1], 3.6e+13 ULPs)
      index  inputs                           value  exact                 ULPs
      [1]    y=1.0, q=2.2420775429197073e-44  100.0  100.5063411811920...  -3.6e+13
      oracle  mathematics: bce (none) of exact binary values of float64 inputs
    """
    __tracebackhide__ = True
    got = read_result(value)
    fmt = dtype or (got.dtype if got.dtype in FORMATS else "float64")
    exacts, oracle = _exacts(exact, grad, digits)
    values = got.values.ravel().tolist()
    if len(exacts) == 1 and len(values) > 1:
        exacts = exacts * len(values)
    if len(exacts) != len(values):
        raise UnsupportedError(f"value has {len(values)} entries but the oracle gives {len(exacts)}")
    points = [_point(e) for e in exacts]
    dists = [ulp_distance(v, pt, fmt) for v, (pt, _) in zip(values, points)]
    failing = [i for i, d in enumerate(dists) if math.isnan(d) or abs(d) > ulps]
    if not failing:
        return
    shape = got.values.shape if got.values.ndim else (1,)
    worst = sorted(failing, key=lambda i: -(abs(dists[i]) if not math.isnan(dists[i]) else math.inf))
    head = (f"{len(failing)} of {len(values)} elements are more than {ulps:g} ULPs from the exact values "
            f"(worst: {_where(worst[0], shape)}, {_mag(dists[worst[0]])} ULPs)")
    rows = [(_where(i, shape), _inputs(exact, grad, i), repr(values[i]), _short(points[i][1]), _signed(dists[i]))
            for i in worst[:show]]
    lines = [head, *ulp_table(rows, ("index", "inputs", "value", "exact", "ULPs"))]
    if len(worst) > show:
        lines.append(f"  ... and {len(worst) - show} more")
    lines.append(f"  oracle  {oracle}")
    if call is not None and isinstance(exact, Problem):
        lines.append(f"  cause   {_cause(exact, call, value, grad, digits)}")
    raise UlpAssertionError("\n".join(lines))


def ulp_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    """Rows of text as aligned columns under ``header``, each line indented by two spaces.

    >>> print("\\n".join(ulp_table([("[0]", "1.0", "2")], ("index", "value", "ULPs"))))
      index  value  ULPs
      [0]    1.0    2
    """
    cols = list(zip(header, *rows))
    widths = [max(len(str(c)) for c in col) for col in cols]
    out = []
    for row in (header, *rows):
        out.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    return out


def _exacts(exact: Any, grad: str | None, digits: int) -> tuple[list, str]:
    if grad is None:
        return _oracle(exact, digits)
    if not isinstance(exact, Problem):
        raise UnsupportedError(f"grad={grad!r} needs a Problem as exact, not {type(exact).__name__}")
    from ..crosscheck.gradients import exact_gradient, gradient_wrt
    wrt = gradient_wrt(exact.measure, grad)
    what = f"the certified gradient of {exact.measure} ({exact.reduction}) with respect to {wrt}, {exact.reading}"
    return exact_gradient(exact, wrt, digits=digits), what


def _where(flat: int, shape: tuple) -> str:
    if len(shape) <= 1:
        return f"[{flat}]"
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"


def _inputs(exact: Any, grad: str | None, flat: int) -> str:
    """The inputs behind one element, read from the problem (``''`` for other oracles)."""
    if not isinstance(exact, Problem):
        return ""
    p = exact
    elementwise = grad is not None or p.measure in ("bce", "gaussian_nll", "poisson_nll", "mse")
    name = "x" if p.logits else ("mu" if p.measure == "gaussian_nll" else "q")
    if elementwise and p.prediction.ndim == 1:
        parts = [f"y={float(p.target[flat])!r}", f"{name}={float(p.prediction[flat])!r}"]
        if p.var is not None:
            parts.append(f"var={float(p.var[flat])!r}")
        return ", ".join(parts)
    if elementwise:  # one entry of a row
        i, j = divmod(flat, p.prediction.shape[1])
        label = (f"y={int(p.target[i])}" if p.integer_labels else f"p={float(p.target[i, j])!r}")
        return f"{label}, {name}={float(p.prediction[i, j])!r}"
    row = p.prediction[flat]
    label = f"y={int(p.target[flat])}" if p.integer_labels else f"p={_row(p.target[flat])}"
    return f"{label}, {name}={_row(row)}"


def _row(a: np.ndarray) -> str:
    shown = ", ".join(repr(float(v)) for v in a[:3])
    return f"[{shown}{', ...' if a.size > 3 else ''}]"


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:17] + "..."


def _mag(d: float) -> str:
    return "nan" if math.isnan(d) else f"{abs(d):.2g}"


def _signed(d: float) -> str:
    return "nan" if math.isnan(d) else f"{d:.2g}"


def _cause(p: Problem, call: str, value: Any, grad: str | None, digits: int) -> str:
    """``symxent check``'s verdict and explanation for the named call, on the user's values."""
    library, _, function = call.partition(".")
    function = function.removeprefix("nn.functional.").removeprefix("optax.")
    try:
        if grad is not None:
            return _grad_cause(p, library, function, value, grad, digits)
        from ..crosscheck import report
        cases = report._adapter(library).cases(p)
        case = _match(cases, function, call)
        row = report._isolated(p, replace(case, call=lambda: value), _oracle(p, digits)[0], digits)
        return row.explanation
    except Exception as err:  # the cause is a courtesy: never hide the table behind it
        return f"not known ({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})"


def _grad_cause(p: Problem, library: str, function: str, value: Any, grad: str, digits: int) -> str:
    from ..crosscheck import autograd
    cases = autograd.gradient_cases(p, grad, [library])
    case = _match(cases, function, f"{library}.{function}")
    exact = autograd.exact_gradient(p, autograd.gradient_wrt(p.measure, grad), digits=digits)
    return autograd._judge(p, replace(case, call=lambda: value), exact, 16).explanation


def _match(cases: list, function: str, call: str):
    for case in cases:
        name = case.function.split(" [")[0]  # less the tag of JAX's other mode
        if name.startswith("grad(") and name.endswith(")"):
            name = name[5:-1]
        name = name.removeprefix("optax.")
        if name == function or name.split("(")[0] == function.split("(")[0]:
            return case
    known = ", ".join(f"{c.library}.{c.function}" for c in cases) or "none for these inputs"
    raise UnsupportedError(f"call={call!r} is not a call symxent knows for this problem (known: {known})")
