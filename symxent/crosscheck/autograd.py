"""Gradients that libraries compute (``torch.autograd``, ``jax.grad``), compared per element with
the certified gradient of :mod:`symxent.crosscheck.gradients`.

Each library differentiates the same call ``symxent check`` makes for the loss (reduced as the
problem asks; ``none`` is summed first, as ``loss.sum().backward()`` does), with respect to the
prediction or the variance. The known conventions of the backward passes are modelled exactly,
so that a deviation is named (verdict ``semantics``) rather than left ``unexplained``:

* torch ``binary_cross_entropy`` divides ``q - y`` by ``max(q (1 - q), 1e-12)``;
* torch ``binary_cross_entropy_with_logits`` forms ``sigmoid(x) - y`` in the dtype: where the
  gradient is far below 1 (a confident, right prediction) the subtraction cancels, and the
  error is some ULPs of 1, not of the gradient;
* Keras (``keras.losses.binary_crossentropy``, on its in-process backend) clips q to
  ``[1e-7, 1 - 1e-7]`` first: outside the clip the gradient is 0 (a clip passes none), inside it
  is its backend's (on torch, torch's above); from logits it is its backend's from logits;
* optax ``sigmoid_binary_cross_entropy`` differentiates ``log_sigmoid(x)`` and
  ``log_sigmoid(-x)``: ``-y sigmoid(-x) + (1 - y) sigmoid(x)``, each sigmoid rounded (no
  cancellation for hard labels);
* JAX without ``jax_enable_x64`` casts float64 inputs to float32: the gradient is that of the
  rounded inputs (a second row repeats the call in the other mode, as ``symxent check`` does);
* scikit-learn, SciPy and NumPy have no autograd: named with ``libs``, they get a note
  (:data:`NOT_DIFFERENTIABLE`), not a row.
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

__all__ = ["GRAD_LIBRARIES", "NOT_DIFFERENTIABLE", "GradCase", "GradResult", "GradReport", "gradient_cases", "compare_gradients"]

GRAD_LIBRARIES = ("torch", "jax", "keras")
NOT_DIFFERENTIABLE = {
    "sklearn": "scikit-learn's log_loss is NumPy code with no autograd: it has no gradient to check (were it "
               "differentiated, its clip to [eps, 1 - eps] would make the gradient 0 outside)",
    "scipy": "SciPy's functions have no autograd: no gradient to check",
    "numpy": "NumPy has no autograd: no gradient to check",
}
"""Why the libraries ``symxent check`` compares but whose gradient cannot be taken have no row."""

_BCE_EPS = float(np.float32(1e-12))  # torch keeps EPSILON = 1e-12 as a float32 constant
_NOTES = {("torch", "bce", False): "torch's backward divides q - y by max(q (1 - q), 1e-12): the gradient's "
                                   "magnitude never exceeds about 1e12 per element",
          ("torch", "bce", True): "torch's backward forms sigmoid(x) - y in the dtype: for a gradient far below 1 "
                                  "the subtraction cancels (an error of some ULPs of 1, not of the gradient)",
          ("jax", "bce", True): "optax differentiates log_sigmoid(x) and log_sigmoid(-x): -y sigmoid(-x) + "
                                "(1 - y) sigmoid(x), each sigmoid exp(x - logaddexp(x, 0)) in the dtype (an error of some ULPs "
                                "of |x| in its exponent)",
          ("keras", "bce", False): "Keras clips q to [1e-7, 1 - 1e-7] (in the dtype) before the loss: outside the "
                                   "clip the gradient is 0, inside it is its backend's",
          "softmax": "the backward forms softmax - target in the dtype: where the label's probability is near 1 "
                     "the subtraction cancels (an error of some ULPs of the target, not of the gradient)",
          "ftz": "XLA on CPU flushes subnormal results to 0",
          "cast": "JAX's default mode (jax_enable_x64 off) casts the float64 inputs to float32: the gradient is "
                  "that of the rounded inputs"}


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
    notes: list = field(default_factory=list)  # libraries named that have no gradient, and why

    def to_json(self) -> dict:
        from dataclasses import asdict
        return {"wrt": self.wrt, "exact": [str(c) for c in self.exact],
                "exact_rounded": [float(c) for c in self.exact], "inputs": self.problem.describe(),
                "results": [asdict(r) for r in self.results], "notes": list(self.notes)}


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
                             grad_of(lambda: F.binary_cross_entropy_with_logits(x, y, reduction=red), x),
                             _NOTES["torch", "bce", True], lambda: _sigmoid_minus_convention(p, p.dtype))]
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
                             grad_of(lambda: F.cross_entropy(x, target, label_smoothing=p.label_smoothing, **kw), x),
                             _NOTES["softmax"], lambda: _softmax_minus_convention(p))]
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


def _scale(p: Problem) -> Fraction:
    from .oracle import math_divisor
    return 1 / math_divisor(p) if p.reduction == "mean" else Fraction(1)


def _torch_bce_convention(p: Problem, clip: tuple[float, float] | None = None) -> list:
    """``scale (q - y) / max(q (1 - q), 1e-12)`` exactly (torch's backward formula); with ``clip``
    (Keras), that of the clipped q inside the clip and 0 outside."""
    scale, eps = _scale(p), Fraction(_BCE_EPS)
    out = []
    for y, q in zip(p.target.tolist(), p.prediction.tolist()):
        if clip is not None and not clip[0] <= q <= clip[1]:
            out.append(Fraction(0))
            continue
        out.append(scale * (Fraction(q) - Fraction(y)) / max(Fraction(q) * (1 - Fraction(q)), eps))
    return out


def _sigmoid(x: float, fmt: str, ftz: bool = False) -> Fraction:
    """``sigmoid(x)`` correctly rounded to ``fmt`` (what a library's sigmoid returns, at best);
    ``ftz``: a subnormal result flushed to 0 (XLA on CPU)."""
    from ..exact.rounding import FORMATS, round_binary
    from .gradients import _sigmoid_minus
    c = _sigmoid_minus(Fraction(0), x, Fraction(1), 30)
    v = c.floats.get(fmt)
    out = Fraction(v) if v is not None else Fraction(round_binary(Fraction(c.value), FORMATS[fmt]))
    return Fraction(0) if ftz and out < Fraction(2) ** FORMATS[fmt].emin else out


def _sigmoid_minus_convention(p: Problem, fmt: str) -> list:
    """``scale (fl(sigmoid(x)) - y)``: torch's backward of BCE with logits, the sigmoid rounded.

    Each value comes with the magnitude its error is measured against: a library's sigmoid is
    good to some ULPs of itself, and the subtraction keeps that absolute error (``(value,
    magnitude)`` pairs, see :func:`_follows`)."""
    scale = _scale(p)
    out = []
    for y, x in zip(p.target.tolist(), p.prediction.tolist()):
        s = _sigmoid(x, fmt)
        out.append((scale * (s - Fraction(y)), scale * max(s, Fraction(y))))
    return out


def _optax_bce_convention(p: Problem, fmt: str) -> list:
    """``scale (-y fl(sigmoid(-x)) + (1 - y) fl(sigmoid(x)))``: optax's, each sigmoid rounded.

    JAX's derivative of ``log_sigmoid`` forms each sigmoid as ``exp(x - logaddexp(x, 0))``: the
    rounded ``logaddexp`` (about ``|x|`` for a large logit) puts an error of some ULPs of ``|x|`` in
    the exponent, so each value's magnitude is the larger term times ``max(|x|, 1)`` (and a soft
    label makes the two terms cancel)."""
    scale = _scale(p)
    out = []
    for y, x in zip(p.target.tolist(), p.prediction.tolist()):
        a, b = Fraction(y) * _sigmoid(-x, fmt, True), (1 - Fraction(y)) * _sigmoid(x, fmt, True)
        out.append((scale * (b - a), scale * max(a, b) * max(abs(Fraction(x)), Fraction(1))))
    return out


def _softmax_minus_convention(p: Problem, q: Problem | None = None) -> list:
    """``scale (A softmax_j - a_j)`` with the magnitude of its larger term: what a backward that
    forms ``softmax - target`` in floats gets (it cancels where the label's probability is near
    1: some ULPs of the target, not of the gradient). ``q``: the inputs as the library holds them."""
    from .gradients import exact_gradient, row_targets
    q = q or p
    g = exact_gradient(q, "prediction", digits=30)
    scale = _scale(q)
    n, k = q.prediction.shape
    out = []
    for i in range(n):
        ignored = q.integer_labels and q.ignore_index is not None and q.target[i] == q.ignore_index
        a = [Fraction(0)] * k if ignored else row_targets(q, i)
        for j in range(k):
            v = g[i * k + j].value
            out.append((v, max(abs(v + scale * a[j]), scale * a[j])))
    return out


def _cast(p: Problem, dtype: str) -> Problem:
    """The problem as a library holds it after casting its inputs to ``dtype``."""
    from dataclasses import replace

    from .arrays import cast_exactly

    def c(a):
        return None if a is None else cast_exactly(a, dtype).values
    return replace(p, dtype=dtype, prediction=c(p.prediction), var=c(p.var), weight=c(p.weight),
                   target=p.target if p.integer_labels else c(p.target))


def _keras_cases(p: Problem, wrt: str) -> list[GradCase]:
    """``keras.losses.binary_crossentropy`` (the functional form, which keeps the dtype) on the
    torch backend, differentiated by ``torch.autograd``."""
    from . import keras_adapter
    keras = keras_adapter._keras()
    if keras.backend.backend() != "torch" or p.measure != "bce":
        return []  # other backends are differentiated by their own machinery, not modelled here
    import torch
    dt = getattr(torch, p.dtype)
    x = torch.tensor(p.prediction.reshape(-1, 1), dtype=torch.float64).to(dt).requires_grad_(True)
    y = torch.tensor(p.target.reshape(-1, 1), dtype=torch.float64).to(dt)
    reduce = {"mean": keras.ops.mean, "sum": keras.ops.sum}.get(p.reduction, keras.ops.sum)

    def call():
        x.grad = None
        out = reduce(keras.losses.binary_crossentropy(y, x, from_logits=p.logits))
        out.backward()
        return x.grad.reshape(-1)

    name = f"grad(losses.binary_crossentropy(from_logits={p.logits}))"
    version = keras_adapter.version()
    if p.logits:
        return [GradCase("keras", name, version, call, "on the torch backend: " + _NOTES["torch", "bce", True],
                         lambda: _sigmoid_minus_convention(p, p.dtype))]
    lo, hi = keras_adapter._eps(p.dtype)
    return [GradCase("keras", name, version, call, _NOTES["keras", "bce", False].replace("its backend's", "torch's"),
                     lambda: _torch_bce_convention(p, (lo, hi)))]


def _jax_cases(p: Problem, wrt: str) -> list[GradCase]:
    """The calls in the process's JAX mode and, for float64 inputs, again in the other mode (as
    :mod:`.jax_adapter` does for the values)."""
    from dataclasses import replace

    from .jax_adapter import _mode, x64_enabled
    default = x64_enabled()
    out = []
    for on in [default] + ([not default] if p.dtype == "float64" else []):
        with _mode(on):
            built = _jax_calls(p, wrt)
        for c in built:
            tag = "" if on == default else f" [jax_enable_x64={on}, not this process's default]"
            held = p.dtype if p.dtype != "float64" or on else "float32"
            conv = _flushed(c.convention or _exact_of(p, wrt, held), held)
            note = "; ".join(n for n in (c.note, _NOTES["ftz"]) if n)
            out.append(replace(c, function=c.function + tag, call=_in_mode(on, c.call), convention=conv, note=note))
    return out


def _exact_of(p: Problem, wrt: str, held: str) -> Callable[[], list]:
    def run() -> list:
        from .gradients import exact_gradient
        q = _cast(p, held) if held != p.dtype else p
        return [c.value for c in exact_gradient(q, wrt, digits=30)]
    return run


def _in_mode(on: bool, call: Callable[[], Any]) -> Callable[[], Any]:
    def run():
        from .jax_adapter import _mode
        with _mode(on):
            return np.asarray(call())  # read while the mode holds: a float64 array stays float64
    return run


def _jax_calls(p: Problem, wrt: str) -> list[GradCase]:
    import jax
    import jax.numpy as jnp
    import optax

    from .jax_adapter import _jnp, x64_enabled
    version = f"jax {jax.__version__}, optax {optax.__version__}"
    held = p.dtype if p.dtype != "float64" or x64_enabled() else "float32"  # what jnp.asarray makes of it
    q = _cast(p, held) if held != p.dtype else p  # the inputs as JAX holds them
    cast_note = _NOTES["cast"] if q is not p else ""

    def arr(a):
        return _jnp(np.asarray(a), p.dtype)

    def reduce(v):
        return jnp.mean(v) if p.reduction == "mean" else jnp.sum(v)

    def exact_of_cast() -> list:
        from .gradients import exact_gradient
        return [c.value for c in exact_gradient(q, wrt, digits=30)]

    def joined(*notes: str) -> str:
        return "; ".join(n for n in notes if n)

    if p.measure == "bce" and p.logits:
        y = arr(p.target)
        return [GradCase("jax", "grad(optax.sigmoid_binary_cross_entropy)", version,
                         lambda: jax.grad(lambda x: reduce(optax.sigmoid_binary_cross_entropy(x, y)))(arr(p.prediction)),
                         joined(cast_note, _NOTES["jax", "bce", True]), lambda: _optax_bce_convention(q, held))]
    convention = exact_of_cast if cast_note else None
    if p.measure == "cce" and p.logits and p.weight is None and p.ignore_index is None:
        k = p.prediction.shape[1]
        labels = (np.eye(k)[p.target.astype(np.int64)] if p.integer_labels else p.target)
        t = arr(labels)
        if p.label_smoothing:
            t = optax.smooth_labels(t, p.label_smoothing)
        return [GradCase("jax", "grad(optax.softmax_cross_entropy)", version,
                         lambda: jax.grad(lambda x: reduce(optax.softmax_cross_entropy(x, t)))(arr(p.prediction)),
                         joined(cast_note, _NOTES["softmax"]), lambda: _softmax_minus_convention(p, q))]
    if p.measure == "kl":
        P = arr(p.target)
        return [GradCase("jax", "grad(optax.kl_divergence(jnp.log(Q), P))", version,
                         lambda: jax.grad(lambda Q: reduce(optax.kl_divergence(jnp.log(Q), P)))(arr(p.prediction)),
                         cast_note, convention)]
    if p.measure == "gaussian_nll":
        y = arr(p.target)

        def nll(mu, var):
            return reduce(0.5 * jnp.log(2 * jnp.pi * var) + (y - mu) ** 2 / (2 * var))
        argnum = 0 if wrt == "prediction" else 1
        return [GradCase("jax", "grad(0.5 log(2 pi var) + (y - mu)^2 / (2 var))", version,
                         lambda: jax.grad(nll, argnums=argnum)(arr(p.prediction), arr(p.var)), cast_note, convention)]
    return []


def gradient_cases(p: Problem, wrt: str = "prediction", libs: Iterable[str] | None = None) -> list[GradCase]:
    """The gradient calls of the installed (or named) libraries for this problem."""
    wrt = gradient_wrt(p.measure, wrt)
    names = list(libs) if libs is not None else [n for n in GRAD_LIBRARIES if _available(n)]
    out = []
    for name in names:
        if name not in GRAD_LIBRARIES:
            continue  # NumPy, SciPy, scikit-learn have no autograd (NOT_DIFFERENTIABLE says so)
        if not _available(name):
            raise UnsupportedError(f"library={name!r} is not installed (pip install 'symxent[{name}]')")
        make = {"torch": _torch_cases, "jax": _jax_cases, "keras": _keras_cases}[name]
        out.extend(make(p, wrt))
    return out


def _available(name: str) -> bool:
    if name == "keras":
        from . import keras_adapter
        return importable("torch") and keras_adapter.available()
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
    named = list(libs) if libs is not None else []
    report.notes = [f"{n}: {NOT_DIFFERENTIABLE[n]}" for n in named if n in NOT_DIFFERENTIABLE]
    for case in gradient_cases(p, wrt, named if libs is not None else None):
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
        verdict = "semantics" if _follows(case, values, fmt, tol, errs) else "unexplained"
        text = (f"{verdict}: element {_index(p, worst)} is {abs_max[worst]:.3g} ULPs ({fmt}) from the exact "
                f"gradient {exact[worst]} (value {values[worst]!r})"
                + (f"; {case.note}" if case.note and verdict == "semantics" else "")
                + (f"; not accounted for by its known convention ({case.note})"
                   if case.note and verdict != "semantics" else ""))
    return GradResult(case.library, case.function, case.version, fmt, values, errs, worst, verdict, text)


def _follows(case: GradCase, values: list, fmt: str, tol: float, errs: list) -> bool:
    """Is every element within tolerance of the exact gradient or of the backward's own convention?"""
    if case.convention is None:
        return False
    try:
        conv = case.convention()
    except Exception:
        return False
    return all(abs(e) <= tol or abs(_off(v, c, fmt)) <= tol for v, c, e in zip(values, conv, errs))


def _flushed(conv: Callable[[], list], fmt: str) -> Callable[[], list]:
    """A convention as XLA on CPU computes it: a subnormal result is flushed to 0."""
    from ..exact.rounding import FORMATS
    smallest = Fraction(2) ** FORMATS[fmt].emin

    def run() -> list:
        out = []
        for c in conv():
            v, m = c if isinstance(c, tuple) else (c, c)
            out.append((Fraction(0), Fraction(0)) if v and abs(v) < smallest and abs(m) < smallest else
                       ((Fraction(0), m) if v and abs(v) < smallest else c))
        return out
    return run


def _off(v: float, c: Any, fmt: str) -> float:
    """ULPs of ``v`` from a convention's value ``c``; for a ``(value, magnitude)`` pair, in ULPs of
    the magnitude (the size of what the library rounded on the way)."""
    if not isinstance(c, tuple):
        return ulps(v, c, fmt)
    value, magnitude = c
    if math.isnan(v) or math.isinf(v):
        return math.inf
    from ..exact.rounding import FORMATS, ulp
    return float((Fraction(v) - value) / ulp(max(abs(magnitude), abs(value)), FORMATS[fmt])) if magnitude or value \
        else (0.0 if v == 0 else math.inf)


def _index(p: Problem, flat: int) -> str:
    shape = p.prediction.shape
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]"

