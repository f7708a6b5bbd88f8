"""JAX and optax: ``optax.losses`` and ``jax.scipy.special`` called for real, reduced with
``jnp.mean``/``jnp.sum``.

JAX computes in float32 unless 64-bit mode is on, and a user's code runs in the mode the process
is configured with (off by default): every call is made in that mode, so float64 inputs show
JAX's silent cast to float32; for float64 inputs a second row repeats the call with
``jax_enable_x64`` switched (restored afterwards). Conventions (optax 0.2.8):
``softmax_cross_entropy`` is ``-sum labels * log_softmax(logits)`` (NaN for a -inf logit under a
zero label; ``safe_softmax_cross_entropy`` gives 0 there); ``smooth_labels`` is
``(1 - a) y + a/K``; ``kl_divergence(log_predictions, targets)`` takes ``log Q`` first and is
``sum p (log p - log q)`` with 0 for p = 0 (NaN when log q = -inf there too);
``kl_divergence_with_log_targets`` is ``sum exp(log p) (log p - log q)`` (NaN for p = 0);
``jax.scipy.special.kl_div`` adds ``q - p`` to each term, as SciPy's does.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from .base import Case, ConventionNaN, importable, log_target_kl_terms, read_result
from .oracle import math_divisor, math_terms
from .problem import Problem
from .terms import Terms, exact_sum

__all__ = ["NAME", "available", "version", "cases"]

NAME = "jax"


def available() -> bool:
    return importable("jax", "optax")


def version() -> str:
    import jax
    import optax
    return f"jax {jax.__version__}, optax {optax.__version__}"


def _jnp(a: np.ndarray, dtype: str):
    """The array as a user's ``jnp.asarray`` gives it in the current mode (float64 becomes float32
    when 64-bit mode is off)."""
    import warnings

    import jax.numpy as jnp
    if a.dtype == np.int64:
        return jnp.asarray(a.astype(np.int32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Explicitly requested dtype float64 ... will be truncated"
        return jnp.asarray(a.astype(np.float64)).astype(dtype)


def x64_enabled() -> bool:
    import jax
    # jax's Config declares its flags at run time, so its type has no such attribute; getattr
    # reads the same flag (a "type: ignore" would be unused where jax is not installed).
    return bool(getattr(jax.config, "jax_enable_x64"))


class _mode:
    """Run with ``jax_enable_x64`` set to ``on``, restoring the previous mode afterwards."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __enter__(self):
        import jax
        self.before = x64_enabled()
        jax.config.update("jax_enable_x64", self.on)

    def __exit__(self, *exc) -> None:
        import jax
        jax.config.update("jax_enable_x64", self.before)


def _reduced(p: Problem, f):
    import jax.numpy as jnp
    return lambda: {"mean": jnp.mean, "sum": jnp.sum}.get(p.reduction, lambda v: v)(f())


def _case(p: Problem, function: str, f, terms_of, note: str = "") -> Case:
    prefix = {"mean": "jnp.mean", "sum": "jnp.sum"}.get(p.reduction)
    name = f"{prefix}({function})" if prefix else function
    return Case(NAME, name, version(), _reduced(p, f), terms_of, math_divisor(p), note, p.dtype)


def cases(p: Problem) -> list[Case]:
    """The calls in the process's current mode and, for float64 inputs, again in the other mode."""
    make = _CASES.get(p.measure)
    if not make:
        return []
    default = x64_enabled()
    modes = [default] + ([not default] if p.dtype == "float64" else [])
    out = []
    for on in modes:
        with _mode(on):
            built = make(p)
        for c in built:
            tag = "" if on == default else f" [jax_enable_x64={on}, not this process's default]"
            out.append(replace(c, function=c.function + tag, call=_in_mode(on, c.call)))
    return out


def _in_mode(on: bool, call):
    def run():
        with _mode(on):
            return call()
    return run


def _bce(p: Problem) -> list[Case]:
    if not p.logits:
        return []
    import optax
    x, y = _jnp(p.prediction, p.dtype), _jnp(p.target, p.dtype)
    return [_case(p, "optax.sigmoid_binary_cross_entropy(x, y)", lambda: optax.sigmoid_binary_cross_entropy(x, y),
                  lambda rows: math_terms(p, rows))]


def _cce(p: Problem) -> list[Case]:
    if not p.logits or p.weight is not None or p.ignore_index is not None:
        return []
    import optax
    x = _jnp(p.prediction, p.dtype)
    if p.integer_labels:
        if p.label_smoothing:
            return []
        y = _jnp(p.target.astype(np.int64), p.dtype)
        return [_case(p, "optax.softmax_cross_entropy_with_integer_labels(x, y)",
                      lambda: optax.softmax_cross_entropy_with_integer_labels(x, y), lambda rows: math_terms(p, rows))]
    y = _jnp(p.target, p.dtype)
    a = p.label_smoothing
    labels = optax.smooth_labels(y, a) if a else y
    smooth = f"optax.smooth_labels(y, {a!r})" if a else "y"

    def nan_terms(rows):
        t = p.target[rows] * (1 - a) + a / p.prediction.shape[1] if a else p.target[rows]
        if np.any((p.prediction[rows] == -np.inf) & (t == 0)):
            raise ConventionNaN("a -inf logit under a zero label is evaluated as 0 * (-inf) = nan")
        return math_terms(p, rows)

    return [_case(p, f"optax.softmax_cross_entropy(x, {smooth})", lambda: optax.softmax_cross_entropy(x, labels),
                  nan_terms, "the smoothed labels are rounded to the dtype" if a else ""),
            _case(p, f"optax.safe_softmax_cross_entropy(x, {smooth})",
                  lambda: optax.safe_softmax_cross_entropy(x, labels), lambda rows: math_terms(p, rows),
                  "the smoothed labels are rounded to the dtype" if a else "")]


def _kl(p: Problem) -> list[Case]:
    import jax.numpy as jnp
    import jax.scipy.special as jss
    import optax
    P, Q = _jnp(p.target, p.dtype), _jnp(p.prediction, p.dtype)
    logq, logp = jnp.log(Q), jnp.log(P)
    L, LP = read_result(logq).values, read_result(logp).values

    def kl_terms(rows):
        Pr, Lr = p.target[rows].ravel(), L[rows].ravel()
        if np.any((Pr == 0) & (Lr == -np.inf)):
            raise ConventionNaN("p = 0 where log q = -inf: 0 * (0 - (-inf)) = nan")
        pos = Pr > 0
        t = Terms().log(Pr[pos], Pr[pos])
        if np.any(Lr[pos] == -np.inf):
            return t.const(float("inf"))
        return t.const(-sum((Fraction(a) * Fraction(b) for a, b in zip(Pr[pos].tolist(), Lr[pos].tolist())),
                            Fraction(0)))

    return [_case(p, "optax.kl_divergence(jnp.log(q), p)", lambda: optax.kl_divergence(logq, P), kl_terms,
                  "the input is log q as jnp.log rounded it before the call"),
            _case(p, "jax.scipy.special.rel_entr(p, q).sum(-1)", lambda: jss.rel_entr(P, Q).sum(-1),
                  lambda rows: math_terms(p, rows)),
            _case(p, "optax.losses.kl_divergence_with_log_targets(jnp.log(q), jnp.log(p))",
                  lambda: optax.losses.kl_divergence_with_log_targets(logq, logp),
                  lambda rows: log_target_kl_terms(LP[rows], L[rows]),
                  "both inputs are logs rounded by jnp.log before the call; exp(log p) is not p"),
            _case(p, "jax.scipy.special.kl_div(p, q).sum(-1)", lambda: jss.kl_div(P, Q).sum(-1),
                  lambda rows: math_terms(p, rows).const(exact_sum(p.prediction[rows]) - exact_sum(p.target[rows])),
                  "kl_div adds q - p to each term, so its sum is KL + sum q - sum p")]


def _entropy(p: Problem) -> list[Case]:
    import jax.scipy.special as jss
    P = _jnp(p.target, p.dtype)
    return [_case(p, "jax.scipy.special.entr(p).sum(-1)", lambda: jss.entr(P).sum(-1),
                  lambda rows: math_terms(p, rows))]


def _mse(p: Problem) -> list[Case]:
    import optax
    x, y = _jnp(p.prediction, p.dtype), _jnp(p.target, p.dtype)
    return [_case(p, "optax.squared_error(yhat, y)", lambda: optax.squared_error(x, y),
                  lambda rows: math_terms(p, rows))]


_CASES = {"bce": _bce, "cce": _cce, "kl": _kl, "entropy": _entropy, "mse": _mse}
