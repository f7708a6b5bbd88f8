"""Gradients that libraries compute (``torch.autograd``, ``jax.grad``), compared per element with
the certified gradient of :mod:`symxent.crosscheck.gradients`.

Each library differentiates the same call ``symxent check`` makes for the loss (reduced as the
problem asks; ``none`` is summed first, as ``loss.sum().backward()`` does), with respect to the
prediction or the variance. A known convention of a backward pass is said in the row: torch's
``binary_cross_entropy`` backward divides ``q - y`` by ``max(q (1 - q), 1e-12)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable

import numpy as np

from ..errors import UnsupportedError
from .base import importable, read_result
from .gradients import exact_gradient, gradient_wrt
from .oracle import Certified
from .problem import Problem
from .report import tolerance, ulps

__all__ = ["GRAD_LIBRARIES", "GradCase", "GradResult", "GradReport", "gradient_cases", "compare_gradients"]

GRAD_LIBRARIES = ("torch", "jax")

_BCE_EPS = float(np.float32(1e-12))  # torch keeps EPSILON = 1e-12 as a float32 constant
_NOTES = {("torch", "bce", False): "torch's backward divides q - y by max(q (1 - q), 1e-12): the gradient's "
                                   "magnitude never exceeds about 1e12 per element"}


@dataclass(frozen=True)
class GradCase:
    """One library's gradient of one loss call: ``call()`` returns the gradient array."""

    library: str
    function: str
    version: str
    call: Callable[[], Any]
    note: str = ""
    convention: Callable[[], list] | None = None  # the backward's own convention, exactly, per element


@dataclass
class GradResult:
    library: str
    function: str
    version: str
    dtype: str
    values: list
    ulp_errors: list
    worst_index: int | None
    verdict: str
    explanation: str

    @property
    def ulp_error(self) -> float:
        """The worst element's error in ULPs (what ``--fail-on`` reads)."""
        return self.ulp_errors[self.worst_index] if self.worst_index is not None else math.nan


@dataclass
class GradReport:
    exact: list
    problem: Problem
    wrt: str
    results: list = field(default_factory=list)

    def to_json(self) -> dict:
        from dataclasses import asdict
        return {"wrt": self.wrt, "exact": [str(c) for c in self.exact],
                "exact_rounded": [float(c) for c in self.exact], "inputs": self.problem.describe(),
                "results": [asdict(r) for r in self.results]}


def _torch_cases(p: Problem, wrt: str) -> list[GradCase]:
    import torch
    F = torch.nn.functional
    dt = getattr(torch, p.dtype)

    def leaf(a):
        return torch.tensor(a, dtype=torch.float64).to(dt).requires_grad_(True)

    def const(a):
        return torch.tensor(a, dtype=torch.float64).to(dt)

    def grad_of(loss_of: Callable, x) -> Callable[[], Any]:
        def call():
            x.grad = None
            out = loss_of()
            (out.sum() if p.reduction == "none" else out).backward()
            return x.grad
        return call

    red = p.reduction
    if p.measure == "bce":
        x, y = leaf(p.prediction), const(p.target)
        if p.logits:
            return [GradCase("torch", "binary_cross_entropy_with_logits", torch.__version__,
                             grad_of(lambda: F.binary_cross_entropy_with_logits(x, y, reduction=red), x))]
        return [GradCase("torch", "binary_cross_entropy", torch.__version__,
                         grad_of(lambda: F.binary_cross_entropy(x, y, reduction=red), x), _NOTES["torch", "bce", False],
                         lambda: _torch_bce_convention(p))]
    if p.measure == "cce":
        x = leaf(p.prediction)
        target = torch.tensor(p.target.astype(np.int64)) if p.integer_labels else const(p.target)
        kw: dict[str, Any] = {"reduction": red}
        if p.weight is not None:
            kw["weight"] = const(p.weight)
        if p.ignore_index is not None:
            kw["ignore_index"] = int(p.ignore_index)
        if p.logits:
            return [GradCase("torch", "cross_entropy", torch.__version__,
                             grad_of(lambda: F.cross_entropy(x, target, label_smoothing=p.label_smoothing, **kw), x))]
        if p.integer_labels and not p.label_smoothing:
            return [GradCase("torch", "nll_loss(torch.log(q))", torch.__version__,
                             grad_of(lambda: F.nll_loss(torch.log(x), target, **kw), x))]
        return []
    if p.measure == "kl":
        Q, P = leaf(p.prediction), const(p.target)
        mode = "batchmean" if red == "mean" else ("sum" if red == "sum" else "none")
        return [GradCase("torch", f"kl_div(torch.log(Q), P, reduction={mode!r})", torch.__version__,
                         grad_of(lambda: F.kl_div(torch.log(Q), P, reduction=mode), Q))]
    if p.measure == "gaussian_nll":
        mu, var, y = leaf(p.prediction), leaf(p.var), const(p.target)
        x = mu if wrt == "prediction" else var
        return [GradCase("torch", "gaussian_nll_loss(full=True)", torch.__version__,
                         grad_of(lambda: F.gaussian_nll_loss(mu, y, var, full=True, reduction=red), x),
                         "torch clamps var at eps=1e-6 (no gradient flows through a clamped var)")]
    return []


def _torch_bce_convention(p: Problem) -> list:
    """``scale (q - y) / max(q (1 - q), 1e-12)`` exactly (torch's backward formula)."""
    from .oracle import math_divisor
    scale = 1 / math_divisor(p) if p.reduction == "mean" else Fraction(1)
    eps = Fraction(_BCE_EPS)
    return [scale * (Fraction(q) - Fraction(y)) / max(Fraction(q) * (1 - Fraction(q)), eps)
            for y, q in zip(p.target.tolist(), p.prediction.tolist())]


def _jax_cases(p: Problem, wrt: str) -> list[GradCase]:
    import jax
    import jax.numpy as jnp
    import optax
    version = f"jax {jax.__version__}, optax {optax.__version__}"
    dt = p.dtype

    def arr(a):
        return jnp.asarray(np.asarray(a, dtype=np.float64)).astype(dt)

    def reduce(v):
        return jnp.mean(v) if p.reduction == "mean" else jnp.sum(v)

    if p.measure == "bce" and p.logits:
        y = arr(p.target)
        return [GradCase("jax", "grad(optax.sigmoid_binary_cross_entropy)", version,
                         lambda: jax.grad(lambda x: reduce(optax.sigmoid_binary_cross_entropy(x, y)))(arr(p.prediction)))]
    if p.measure == "cce" and p.logits and p.weight is None and p.ignore_index is None:
        k = p.prediction.shape[1]
        labels = (np.eye(k)[p.target.astype(np.int64)] if p.integer_labels else p.target)
        if p.label_smoothing:
            labels = optax.smooth_labels(arr(labels), p.label_smoothing)
        t = arr(labels)
        return [GradCase("jax", "grad(optax.softmax_cross_entropy)", version,
                         lambda: jax.grad(lambda x: reduce(optax.softmax_cross_entropy(x, t)))(arr(p.prediction)))]
    if p.measure == "kl":
        P = arr(p.target)
        return [GradCase("jax", "grad(optax.kl_divergence(jnp.log(Q), P))", version,
                         lambda: jax.grad(lambda q: reduce(optax.kl_divergence(jnp.log(q), P)))(arr(p.prediction)))]
    if p.measure == "gaussian_nll":
        y = arr(p.target)

        def nll(mu, var):
            return reduce(0.5 * jnp.log(2 * jnp.pi * var) + (y - mu) ** 2 / (2 * var))
        argnum = 0 if wrt == "prediction" else 1
        return [GradCase("jax", "grad(0.5 log(2 pi var) + (y - mu)^2 / (2 var))", version,
                         lambda: jax.grad(nll, argnums=argnum)(arr(p.prediction), arr(p.var)))]
    return []


def gradient_cases(p: Problem, wrt: str = "prediction", libs: Iterable[str] | None = None) -> list[GradCase]:
    """The gradient calls of the installed (or named) libraries for this problem."""
    wrt = gradient_wrt(p.measure, wrt)
    names = list(libs) if libs is not None else [n for n in GRAD_LIBRARIES if _available(n)]
    out = []
    for name in names:
        if name not in GRAD_LIBRARIES:
            continue  # NumPy, SciPy, scikit-learn and Keras (as called here) have no autograd
        if not _available(name):
            raise UnsupportedError(f"library={name!r} is not installed (pip install 'symxent[{name}]')")
        out.extend(_torch_cases(p, wrt) if name == "torch" else _jax_cases(p, wrt))
    return out


def _available(name: str) -> bool:
    return importable("torch") if name == "torch" else importable("jax", "optax")


def compare_gradients(p: Problem, wrt: str = "prediction", libs: Iterable[str] | None = None, *,
                      digits: int = 30, ulps_allowed: float = 16) -> GradReport:
    """Each library's gradient against the certified one, in ULPs of its dtype, per element.

    >>> from symxent.crosscheck import make_problem
    >>> r = compare_gradients(make_problem("bce", [1, 0], [0.5, 0.25]), libs=[], digits=10)
    >>> [str(c) for c in r.exact]
    ['-1.000000000', '0.6666666667']
    """
    wrt = gradient_wrt(p.measure, wrt)
    exact = exact_gradient(p, wrt, digits=digits)
    report = GradReport(exact, p, wrt)
    for case in gradient_cases(p, wrt, libs):
        report.results.append(_judge(p, case, exact, ulps_allowed))
    return report


def _judge(p: Problem, case: GradCase, exact: list[Certified], ulps_allowed: float) -> GradResult:
    try:
        got = read_result(case.call())
    except Exception as err:
        text = str(err).splitlines()[0] if str(err) else ""
        return GradResult(case.library, case.function, case.version, "", [], [], None, "error",
                          f"error: the backward pass raised {type(err).__name__}: {text}")
    fmt = got.dtype if got.dtype in ("float64", "float32", "bfloat16", "float16") else "float64"
    values = got.values.ravel().tolist()
    errs = [ulps(v, e.value, fmt) for v, e in zip(values, exact)]
    size = abs_max = [(abs(d) if not math.isnan(d) else math.inf) for d in errs]
    worst = int(np.argmax(abs_max)) if size else None
    tol = tolerance(p.prediction.shape[-1] if p.prediction.ndim == 2 else 1, ulps_allowed)
    bad = worst is not None and abs_max[worst] > tol
    if not bad:
        verdict, text = "rounding", f"rounding: every element is within {max(abs_max, default=0):.3g} ULPs ({fmt})"
    else:
        assert worst is not None  # bad implies an element
        verdict = "semantics" if _follows(case, values, fmt, tol) else "unexplained"
        text = (f"{verdict}: element {_index(p, worst)} is {abs_max[worst]:.3g} ULPs ({fmt}) from the exact "
                f"gradient {exact[worst]} (value {values[worst]!r})"
                + (f"; {case.note}" if case.note else ""))
    return GradResult(case.library, case.function, case.version, fmt, values, errs, worst, verdict, text)


def _follows(case: GradCase, values: list, fmt: str, tol: float) -> bool:
    """Is every element within tolerance of the backward's own convention?"""
    if case.convention is None:
        return False
    try:
        conv = case.convention()
    except Exception:
        return False
    return all(abs(ulps(v, c, fmt)) <= tol for v, c in zip(values, conv))


def _index(p: Problem, flat: int) -> str:
    shape = p.prediction.shape
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"

