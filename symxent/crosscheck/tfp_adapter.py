"""TensorFlow Probability on its NumPy substrate (no TensorFlow needed): ``Categorical`` and
``Bernoulli`` entropy, KL, cross-entropy and negative log-probabilities, called for real.

Conventions (TFP 0.25, read from its sources): a ``Categorical`` built from ``probs`` takes
``log(probs)`` as its logits; its entropy is ``-sum exp(log p) log p`` (``exp(log p)`` is not
``p`` once the log is rounded) with 0 where ``exp(log p)`` is 0; its KL is
``sum exp(a) (a - b)`` with ``a, b = log_softmax(log P), log_softmax(log Q)``, so P and Q are
renormalised through their rounded logs; ``cross_entropy`` is entropy plus KL. ``Bernoulli``'s
``log_prob`` is ``(1 - y) log1p(-q) + y log q`` with ``0 * -inf = 0`` (from logits, with
softplus). TFP's JAX substrate does not import with JAX 0.10 here, so only NumPy is called.
"""

from __future__ import annotations

import numpy as np

from .arrays import numpy_dtype
from .base import Case, ConventionNaN, importable, read_result
from .oracle import math_divisor, math_terms
from .problem import Problem
from .terms import Terms

__all__ = ["NAME", "available", "version", "cases"]

NAME = "tfp"


def _tfd():
    import tensorflow_probability.substrates.numpy as tfp
    return tfp.distributions


def available() -> bool:
    if not importable("tensorflow_probability"):
        return False
    try:
        _tfd()
    except Exception:  # the package is there but its NumPy substrate does not import
        return False
    return True


def version() -> str:
    import tensorflow_probability as tfp
    return f"{tfp.__version__} (NumPy substrate)"


def _log_softmax(x: np.ndarray) -> np.ndarray:
    from tensorflow_probability.python.internal.backend.numpy.compat import v2 as tf
    return np.asarray(tf.math.log_softmax(x))


def _reduced(p: Problem, f):
    def call():
        with np.errstate(all="ignore"):
            out = f()
        return {"mean": np.mean, "sum": np.sum}.get(p.reduction, lambda v: v)(np.asarray(out))
    return call


def _case(p: Problem, function: str, f, terms_of, note: str = "") -> Case:
    return Case(NAME, function, version(), _reduced(p, f), terms_of, math_divisor(p), note, p.dtype)


def cases(p: Problem) -> list[Case]:
    if p.dtype == "bfloat16" or p.base is not None:
        return []
    make = _CASES.get(p.measure)
    if not make:
        return []
    with np.errstate(all="ignore"):  # log(0) = -inf in the intermediate logs is expected
        return make(p)


def _arrays(p: Problem):
    t = numpy_dtype(p.dtype)
    return p.target.astype(t), p.prediction.astype(t)


def _entropy_of_logs(lp: np.ndarray) -> Terms:
    """``-sum exp(l) l`` over the finite rounded logs (``exp(-inf) = 0`` contributes 0)."""
    lp = lp.ravel()
    keep = np.isfinite(lp)
    return Terms().exp(lp[keep], [-float(v) for v in lp[keep].tolist()]) if keep.any() else Terms()


def _kl_of_logs(la: np.ndarray, lb: np.ndarray) -> Terms:
    """``sum exp(a) (a - b)``, 0 where ``exp(a) = 0``."""
    from fractions import Fraction
    a, b = la.ravel(), lb.ravel()
    keep = a > -np.inf
    if np.any(np.isnan(a) | np.isnan(b)):
        raise ConventionNaN("a row sums to 0: log_softmax of all -inf logits is nan")
    if np.any(b[keep] == -np.inf):
        return Terms().const(float("inf"))
    w = [Fraction(x) - Fraction(y) for x, y in zip(a[keep].tolist(), b[keep].tolist())]
    return Terms().exp(a[keep], w)


def _entropy(p: Problem) -> list[Case]:
    tfd = _tfd()
    P, _ = _arrays(p)
    lp = read_result(tfd.Categorical(probs=P).logits_parameter()).values
    return [_case(p, "Categorical(probs=p).entropy()", lambda: tfd.Categorical(probs=P).entropy(),
                  lambda rows: _entropy_of_logs(lp[rows]),
                  "the entropy is -sum exp(log p) log p over the rounded logs: exp(log p) is not p")]


def _kl_logs(p: Problem):
    tfd = _tfd()
    P, Q = _arrays(p)
    la = _log_softmax(read_result(tfd.Categorical(probs=P).logits_parameter()).values.astype(P.dtype))
    lb = _log_softmax(read_result(tfd.Categorical(probs=Q).logits_parameter()).values.astype(Q.dtype))
    return tfd, P, Q, read_result(la).values, read_result(lb).values


def _kl(p: Problem) -> list[Case]:
    tfd, P, Q, la, lb = _kl_logs(p)
    return [_case(p, "kl_divergence(Categorical(probs=p), Categorical(probs=q))",
                  lambda: tfd.kl_divergence(tfd.Categorical(probs=P), tfd.Categorical(probs=Q)),
                  lambda rows: _kl_of_logs(la[rows], lb[rows]),
                  "P and Q are renormalised through log_softmax of their rounded logs")]


def _cce(p: Problem) -> list[Case]:
    if p.weight is not None or p.label_smoothing or p.ignore_index is not None:
        return []
    tfd = _tfd()
    if p.integer_labels:
        _, X = _arrays(p)
        labels = p.target.astype(np.int64)
        if p.logits:
            return [_case(p, "-Categorical(logits=x).log_prob(y)", lambda: -tfd.Categorical(logits=X).log_prob(labels),
                          lambda rows: math_terms(p, rows))]
        lq = read_result(tfd.Categorical(probs=X).logits_parameter()).values
        lsm = read_result(_log_softmax(lq.astype(X.dtype))).values

        def terms_of(rows):
            vals = lsm[rows, labels[rows]]
            if np.any(vals == -np.inf):
                return Terms().const(float("inf"))
            from fractions import Fraction
            return Terms().const(-sum((Fraction(v) for v in vals.tolist()), Fraction(0)))
        return [_case(p, "-Categorical(probs=q).log_prob(y)", lambda: -tfd.Categorical(probs=X).log_prob(labels),
                      terms_of, "log q is log_softmax of the rounded log q: each row of q is renormalised")]
    if p.logits:
        return []
    tfd, P, Q, la, lb = _kl_logs(p)
    lp = read_result(tfd.Categorical(probs=P).logits_parameter()).values

    def ce_terms_of(rows):
        t = _entropy_of_logs(lp[rows])
        t.blocks.extend(_kl_of_logs(la[rows], lb[rows]).blocks)
        return t
    return [_case(p, "Categorical(probs=p).cross_entropy(Categorical(probs=q))",
                  lambda: tfd.Categorical(probs=P).cross_entropy(tfd.Categorical(probs=Q)), ce_terms_of,
                  "formed as entropy plus KL, each from the rounded logs (P and Q renormalised by log_softmax)")]


def _bce(p: Problem) -> list[Case]:
    tfd = _tfd()
    y, x = _arrays(p)
    if p.logits:
        return [_case(p, "-Bernoulli(logits=x).log_prob(y)", lambda: -tfd.Bernoulli(logits=x).log_prob(y),
                      lambda rows: math_terms(p, rows))]
    comp = (1 - y).astype(np.float64)  # 1 - y is formed in the dtype (exact for hard labels)

    def terms_of(rows):
        return Terms().log(p.prediction[rows], p.target[rows], coef=-1).log(
            p.prediction[rows], comp[rows], coef=-1, complement=True)
    return [_case(p, "-Bernoulli(probs=q).log_prob(y)", lambda: -tfd.Bernoulli(probs=x).log_prob(y), terms_of,
                  "1 - y is rounded to the dtype (soft labels); log(1 - q) is log1p(-q)")]


_CASES = {"entropy": _entropy, "kl": _kl, "cce": _cce, "bce": _bce}
