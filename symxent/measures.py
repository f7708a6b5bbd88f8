"""Entropy, cross-entropy, KL divergence and the losses built on them, as exact SymPy expressions.

One definition of each quantity; the others are built from it (binary cross-entropy is the
cross-entropy of two Bernoulli distributions, log loss is its mean over samples). Conventions:
``0 log 0 = 0``, ``0 log(0/q) = 0``, and ``p > 0`` with ``q = 0`` gives ``+oo`` (SymPy ``oo``).
Every function takes ``base=`` (2, e, 10, any positive number other than 1, or a symbol;
default e); :func:`symxent.logbase.unit_of` names the unit.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, Sequence

import sympy as sp

from .distributions import Categorical, SymbolicDistribution, as_distribution, bernoulli
from .distributions.finite import check_probability
from .errors import DomainError, ShapeError, UnsupportedError, shown
from .inputs import FloatReading, exact, exact_list
from .logbase import as_base, log_in

__all__ = [
    "entropy", "cross_entropy", "kl_divergence", "js_divergence", "binary_cross_entropy",
    "categorical_cross_entropy", "log_loss", "gaussian_nll", "mse",
]


def _xlog(w: sp.Expr, a: sp.Expr, base: sp.Expr) -> sp.Expr:
    """``w * log_base(a)`` with ``0 log(anything) = 0`` and ``w > 0, a = 0`` giving ``-oo``."""
    if w.is_zero:
        return sp.Integer(0)
    if a.is_zero:
        if w.is_positive:
            return -sp.oo
        return sp.Piecewise((0, sp.Eq(w, 0)), (-sp.oo, True))
    return w * log_in(a, base)


def _pair(p: Any, q: Any, floats: FloatReading) -> tuple[Any, Any]:
    """Both finite (validated, equal lengths) or both symbolic over the same n and index."""
    if isinstance(p, SymbolicDistribution) or isinstance(q, SymbolicDistribution):
        if not (isinstance(p, SymbolicDistribution) and isinstance(q, SymbolicDistribution)):
            raise UnsupportedError("P and Q must both be symbolic distributions, or both finite")
        if (p.n, p.index) != (q.n, q.index):
            raise ShapeError(f"P and Q must share n and index: got ({p.n}, {p.index}) and ({q.n}, {q.index})")
        return p, q
    P, Q = as_distribution(p, "P", floats=floats), as_distribution(q, "Q", floats=floats)
    if len(P) != len(Q):
        raise ShapeError(f"P has {len(P)} entries but Q has {len(Q)}")
    return P, Q


_USED: dict = {}  # the logarithms of a call of a measure -> the symbolic lists it was given (latest first)
_USED_MAX = 512


def _note_lists(result: sp.Expr, *dists: Any) -> sp.Expr:
    """Remember the symbolic lists a measure was given, under the logarithms of its value.

    :func:`symxent.verify` reads them back (:func:`lists_in`): a list given to ``entropy``,
    ``cross_entropy``, ``kl_divergence`` or ``js_divergence`` is a distribution, exactly as a list
    typed inside ``H(...)``. Only calls whose logarithms all occur in a claim count for it.
    """
    lists = tuple(tuple(d) for d in dists if isinstance(d, Categorical)
                  and any(getattr(x, "free_symbols", None) for x in d))
    logs = frozenset(result.atoms(sp.log)) if isinstance(result, sp.Basic) else frozenset()
    if lists and logs:
        _USED[logs] = tuple(dict.fromkeys(lists + _USED.pop(logs, ())))
        while len(_USED) > _USED_MAX:
            _USED.pop(next(iter(_USED)))
    return result


def lists_in(*exprs: sp.Expr) -> list[tuple]:
    """The symbolic lists given to a measure whose value's logarithms all occur in ``exprs``
    (and whose entries' symbols do too): the lists a claim built with the Python API uses.

    >>> p = sp.Symbol("p", real=True)
    >>> lists_in(entropy([p, 1 - p]) + 1)
    [(p, 1 - p)]
    >>> lists_in(p * sp.log(p))
    []
    """
    logs: set = set()
    symbols: set = set()
    for e in exprs:
        if isinstance(e, sp.Basic):
            logs |= e.atoms(sp.log)
            symbols |= e.free_symbols
    out: list = []
    for used, lists in _USED.items():
        if used <= logs:
            out += [v for v in lists if v not in out and all(
                getattr(x, "free_symbols", set()) <= symbols for x in v)]
    return out


def _symbolic_sum(term: sp.Expr, d: SymbolicDistribution, base: sp.Expr) -> sp.Expr:
    total = sp.Sum(term, d.limits)
    return total if base == sp.E else total / sp.log(base)


def entropy(p: Any, *, base: Any = sp.E, floats: FloatReading = "binary") -> sp.Expr:
    """Shannon entropy ``H(P) = -sum_x P(x) log_b P(x)``.

    >>> entropy(["1/2", "1/4", "1/4"], base=2)
    3/2
    >>> entropy([1, 0])
    0
    """
    b = as_base(base)
    if isinstance(p, SymbolicDistribution):
        return -_symbolic_sum(p.term() * sp.log(p.term()), p, b)
    P = as_distribution(p, "P", floats=floats)
    return _note_lists(-sp.Add(*(_xlog(pi, pi, b) for pi in P)), P)


def cross_entropy(p: Any, q: Any, *, base: Any = sp.E, floats: FloatReading = "binary") -> sp.Expr:
    """Cross-entropy ``H(P, Q) = -sum_x P(x) log_b Q(x)``.

    >>> cross_entropy(["0.5", "0.5"], ["0.25", "0.75"], base=2)
    -log(3/4)/(2*log(2)) + 1
    """
    b = as_base(base)
    P, Q = _pair(p, q, floats)
    if isinstance(P, SymbolicDistribution):
        return -_symbolic_sum(P.term() * sp.log(Q.term()), P, b)
    return _note_lists(-sp.Add(*(_xlog(pi, qi, b) for pi, qi in zip(P, Q))), P, Q)


def kl_divergence(p: Any, q: Any, *, base: Any = sp.E, floats: FloatReading = "binary") -> sp.Expr:
    """Kullback-Leibler divergence ``KL(P || Q) = sum_x P(x) log_b (P(x) / Q(x))``.

    >>> kl_divergence(["0.5", "0.5"], ["0.5", "0.5"])
    0
    >>> kl_divergence([1, 0], [0, 1])
    oo
    """
    b = as_base(base)
    P, Q = _pair(p, q, floats)
    if isinstance(P, SymbolicDistribution):
        return _symbolic_sum(P.term() * sp.log(P.term() / Q.term()), P, b)
    return _note_lists(_kl_terms(P, Q, b), P, Q)


def _kl_terms(P: Any, Q: Any, b: sp.Expr) -> sp.Expr:
    terms = []
    for pi, qi in zip(P, Q):
        if pi.is_zero:
            continue
        terms.append(sp.oo if qi.is_zero and pi.is_positive else pi * log_in(pi / qi, b))
    return sp.Add(*terms)


def js_divergence(p: Any, q: Any, *, base: Any = sp.E, floats: FloatReading = "binary") -> sp.Expr:
    """Jensen-Shannon divergence ``JS(P, Q) = (KL(P || M) + KL(Q || M)) / 2`` with ``M = (P + Q) / 2``.

    Composed from :func:`kl_divergence` (never infinite: M is positive wherever P or Q is). It is
    the divergence; ``scipy.spatial.distance.jensenshannon`` returns the distance ``sqrt(JS)``.

    >>> js_divergence([1, 0], [0, 1], base=2)
    1
    >>> js_divergence(["0.5", "0.5"], ["0.5", "0.5"])
    0
    """
    b = as_base(base)
    P, Q = _pair(p, q, floats)
    if isinstance(P, SymbolicDistribution):
        raise UnsupportedError("js_divergence needs finite distributions (M = (P + Q)/2 is formed entrywise)")
    M = [(pi + qi) / 2 for pi, qi in zip(P, Q)]
    return _note_lists((_kl_terms(P, M, b) + _kl_terms(Q, M, b)) / 2, P, Q)


def binary_cross_entropy(y: Any, q: Any, *, base: Any = sp.E, floats: FloatReading = "binary") -> sp.Expr:
    """Binary cross-entropy ``-(y log q + (1 - y) log(1 - q))`` of a label y in [0, 1].

    It is the cross-entropy of the Bernoulli distributions ``[y, 1-y]`` and ``[q, 1-q]``.

    >>> binary_cross_entropy(1, "0.8")
    -log(4/5)
    >>> binary_cross_entropy(0, 1)
    oo
    """
    return cross_entropy(bernoulli(y, "y", floats=floats), bernoulli(q, "q", floats=floats), base=base)


def categorical_cross_entropy(target: Any, q: Any, *, base: Any = sp.E,
                              floats: FloatReading = "binary") -> sp.Expr:
    """Categorical cross-entropy of a target (an integer class or a distribution) and a prediction.

    With an integer label c it is ``-log_b q[c]``; with a one-hot or soft target y it is
    ``-sum_k y_k log_b q_k``.

    >>> categorical_cross_entropy(2, ["0.2", "0.3", "0.5"])
    log(2)
    >>> categorical_cross_entropy(["0", "0", "1"], ["0.2", "0.3", "0.5"])
    log(2)
    """
    Q = as_distribution(q, "q", floats=floats)
    if _is_label(target):
        c = _class_index(target, len(Q), "target")
        return -_xlog(sp.Integer(1), Q[c], as_base(base))
    return cross_entropy(as_distribution(target, "target", floats=floats), Q, base=base)


def log_loss(labels: Sequence[Any], probs: Sequence[Any], *, base: Any = sp.E,
             floats: FloatReading = "binary") -> sp.Expr:
    """Mean log loss over N samples (the negative log-likelihood divided by N).

    Binary when ``probs`` holds one probability per sample (of class 1) and every label is 0 or
    1; K-class when ``probs`` holds rows of K probabilities, with integer labels or
    probability rows as targets.

    >>> log_loss([1, 0], ["0.8", "0.4"])
    -log(4/5)/2 - log(3/5)/2
    >>> log_loss([2, 0], [["0.2", "0.3", "0.5"], ["0.5", "0.25", "0.25"]], base=2)
    1
    """
    labels, probs = _sequence(labels, "labels"), _sequence(probs, "probs")
    if len(labels) != len(probs):
        raise ShapeError(f"labels has {len(labels)} entries but probs has {len(probs)}")
    if not labels:
        raise ShapeError("log loss needs at least one sample")
    if all(_is_row(row) for row in probs):
        terms = [categorical_cross_entropy(_target(y, f"labels[{i}]"), row, base=base, floats=floats)
                 for i, (y, row) in enumerate(zip(labels, probs))]
    else:
        terms = [binary_cross_entropy(_binary_label(y, f"labels[{i}]"), exact(q, f"probs[{i}]", floats=floats),
                                      base=base) for i, (y, q) in enumerate(zip(labels, probs))]
    return sp.Add(*terms) / len(terms)


def gaussian_nll(y: Any, mu: Any, sigma: Any, *, base: Any = sp.E, floats: FloatReading = "binary") -> sp.Expr:
    """Negative log-likelihood of y under N(mu, sigma^2), averaged over samples.

    ``(y - mu)^2 / (2 sigma^2) + log(2 pi sigma^2) / 2`` in nats, divided by ``ln b`` in base b.
    ``y`` and ``mu`` are numbers or equal-length sequences; ``sigma`` is one positive number.

    >>> gaussian_nll(1, 0, 1)
    1/2 + log(2*pi)/2
    """
    ys, mus = _samples(y, mu, "y", "mu", floats)
    s = exact(sigma, "sigma", floats=floats)
    if s.is_positive is False or s.is_zero:
        raise DomainError(f"sigma={shown(sigma)} must be positive")
    nats = sp.Add(*((yi - mi) ** 2 / (2 * s**2) for yi, mi in zip(ys, mus))) / len(ys) \
        + sp.log(2 * sp.pi * s**2) / 2
    b = as_base(base)
    return nats if b == sp.E else nats / sp.log(b)


def mse(y: Any, y_hat: Any, *, floats: FloatReading = "binary") -> sp.Expr:
    """Mean squared error ``(1/N) sum (y_i - y_hat_i)^2``.

    >>> mse([1, 2], ["1.5", "2"])
    1/8
    """
    ys, hats = _samples(y, y_hat, "y", "y_hat", floats)
    return sp.Add(*((a - b) ** 2 for a, b in zip(ys, hats))) / len(ys)


def _samples(a: Any, b: Any, name_a: str, name_b: str, floats: FloatReading) -> tuple[list, list]:
    xs = exact_list(a, name_a, floats=floats) if _is_row(a) else [exact(a, name_a, floats=floats)]
    ys = exact_list(b, name_b, floats=floats) if _is_row(b) else [exact(b, name_b, floats=floats)] * len(xs)
    if len(xs) != len(ys):
        raise ShapeError(f"{name_a} has {len(xs)} entries but {name_b} has {len(ys)}")
    if not xs:
        raise ShapeError(f"{name_a} is empty")
    return xs, ys


def _sequence(xs: Any, name: str) -> list:
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise UnsupportedError(f"{name}={shown(xs)} must be a sequence (one entry per sample)")
    return list(xs)


def _is_row(x: Any) -> bool:
    return isinstance(x, (Categorical, list, tuple)) or type(x).__name__ == "ndarray"


def _is_label(x: Any) -> bool:
    return isinstance(x, Integral) or (isinstance(x, sp.Basic) and x.is_Integer) or isinstance(x, str)


def _target(y: Any, name: str) -> Any:
    return y if _is_row(y) else _as_integer(y, name)


def _as_integer(y: Any, name: str) -> int:
    value = exact(y, name)
    if not value.is_Integer:
        raise DomainError(f"{name}={shown(y)} is not an integer class label")
    return int(value)


def _class_index(y: Any, k: int, name: str) -> int:
    c = _as_integer(y, name)
    if not 0 <= c < k:
        raise DomainError(f"{name}={shown(y)} is not a class of 0..{k - 1}")
    return c


def _binary_label(y: Any, name: str) -> sp.Integer:
    value = exact(y, name)
    if value not in (0, 1):
        raise DomainError(f"{name}={shown(y)} is not a binary label (0 or 1)")
    return value
