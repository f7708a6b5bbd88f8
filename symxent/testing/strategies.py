"""Hypothesis strategies for the inputs that break float losses, with their exact values.

Every strategy draws the arrays a library will receive (already rounded to the chosen dtype:
``float64``, ``float32``, or ``bfloat16`` through ``ml_dtypes``) *and* their exact values, in a
small frozen dataclass whose :meth:`problem` method builds the symxent oracle of a loss on them.
The draws favour what breaks float code — entries of 1e-300 and 1 - 2^-53, subnormals, a sum of
exactly 1 (or deliberately one ULP off), P and Q a few ULPs apart, logits of huge spread and
-inf — and shrink towards simple examples (short vectors, 1/2, powers of two, zero seeds).

Hypothesis is imported here, not by :mod:`symxent.testing` (``pip install 'symxent[test]'``).

Both examples below find a real deviation, and the failure says why (``call=`` names the
library function, so the message gives the cause ``symxent check`` gives): torch clamps each log
at -100, and JAX's softmax backward forms ``softmax - y``, which cancels where the label's
probability is near 1 (an error of some ULPs of 1, not of the gradient). A test meant to pass
keeps its draws away from such inputs, or asserts what the cause line says.

pytest + torch:

.. code-block:: python

    import torch
    from hypothesis import given
    from symxent.testing import assert_array_ulp_close
    from symxent.testing.strategies import binary_problems

    @given(binary_problems(dtype="float32"))
    def test_bce(d):
        y, q = torch.tensor(d.target), torch.tensor(d.prediction)
        out = torch.nn.functional.binary_cross_entropy(q, y, reduction="none")
        assert_array_ulp_close(out, d.problem("bce", reduction="none"), ulps=4,
                               call="torch.binary_cross_entropy")

pytest + JAX:

.. code-block:: python

    import jax, jax.numpy as jnp, optax
    from hypothesis import given
    from symxent.testing import assert_array_ulp_close
    from symxent.testing.strategies import logit_rows

    @given(logit_rows(dtype="float32", max_classes=1000))
    def test_softmax_ce_grad(d):
        labels = jax.nn.one_hot(d.labels, d.logits.shape[1])
        g = jax.grad(lambda x: optax.softmax_cross_entropy(x, labels).sum())(jnp.asarray(d.logits))
        assert_array_ulp_close(g, d.problem(reduction="sum"), grad="logits", ulps=8,
                               call="jax.optax.softmax_cross_entropy")

>>> from hypothesis import find
>>> d = find(probability_vectors(dtype="float32"), lambda d: True)
>>> d.exact, d.dtype, d.total, d.array.dtype
((Fraction(1, 2), Fraction(1, 2)), 'float32', Fraction(1, 1), dtype('float32'))
"""

from __future__ import annotations

import math
from functools import cache
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as err:  # pragma: no cover - the test extra installs it
    raise ImportError("symxent.testing.strategies needs Hypothesis: pip install 'symxent[test]'") from err

from ..crosscheck.arrays import numpy_dtype
from ..errors import UnsupportedError
from ..exact.rounding import FORMATS, BinaryFormat, round_binary, ulp

__all__ = ["unit_floats", "logit_values", "probability_vectors", "nearly_equal_pairs", "binary_problems",
           "logit_rows", "soft_labels", "class_weights", "label_smoothings", "ProbabilityVector", "VectorPair",
           "BinaryDraw", "LogitDraw"]

DTYPES = ("float64", "float32", "bfloat16")


def _fmt(dtype: str) -> BinaryFormat:
    if dtype not in DTYPES:
        raise UnsupportedError(f"dtype={dtype!r} is not one of {', '.join(DTYPES)}")
    numpy_dtype(dtype)  # bfloat16 needs ml_dtypes: say so now, not inside a draw
    return FORMATS[dtype]


def _down(x: Fraction, f: BinaryFormat) -> Fraction:
    """The largest value of ``f`` not above ``x >= 0`` (exact)."""
    r = Fraction(round_binary(x, f))
    return r - ulp(r - ulp(r, f) / 2, f) if r > x else r  # one step down: the spacing just below r


def _array(values, dtype: str) -> np.ndarray:
    return np.asarray([float(v) for v in values], dtype=np.float64).astype(numpy_dtype(dtype))


# ---------------------------------------------------------------- elementwise values

@cache
def _tiny_values(f: BinaryFormat) -> tuple[Fraction, ...]:
    """Powers of two from 1/8 down to the smallest subnormal and the decimals 1e-8 ... 1e-300, in
    ``f``, largest first: one ordered branch, so shrinking moves to the largest value that fails."""
    tiny = f.emin - f.precision + 1
    values = {Fraction(1, 2**k) for k in range(3, -tiny + 1)}
    values |= {Fraction(round_binary(Fraction(d), f)) for d in (1e-8, 1e-30, 1e-40, 1e-300)}
    return tuple(sorted((v for v in values if v > 0), reverse=True))


def _unit_pool(f: BinaryFormat) -> list[st.SearchStrategy]:
    p = f.precision
    tiny = _tiny_values(f)
    return [
        st.sampled_from([Fraction(1, 2), Fraction(1, 4), Fraction(3, 4)]),
        st.integers(0, len(tiny) - 1).map(tiny.__getitem__),             # 1/8 ... 1e-300 ... 2^-1074
        st.integers(1, p).map(lambda k: 1 - Fraction(1, 2**k)),          # 1 - 2^-k up to 1 - 2^-p
        st.sampled_from([Fraction(0.1), Fraction(1, 3)]),
        st.floats(2.0**-20, 1.0).map(Fraction),  # anything else (the tiny ones are the branch above)
    ]


def unit_floats(dtype: str = "float64", *, endpoints: bool = True) -> st.SearchStrategy[float]:
    """Floats in [0, 1] exactly representable in ``dtype``: 1/2, powers of two (and 1e-300) down to the
    smallest subnormal, 1 - 2^-k up to the last float below 1, 1e-300, then anything.

    >>> from hypothesis import find
    >>> find(unit_floats(endpoints=False), lambda v: v < 1e-300) == 2.0**-997
    True
    """
    f = _fmt(dtype)
    pool = _unit_pool(f) + ([st.sampled_from([Fraction(0), Fraction(1)])] if endpoints else [])
    rounded = st.one_of(*pool).map(lambda v: Fraction(round_binary(v, f)))
    return rounded.filter(lambda v: endpoints or 0 < v < 1).map(float)


def logit_values(dtype: str = "float64", *, neg_inf: bool = True, pos_inf: bool = False,
                 max_abs: float | None = None) -> st.SearchStrategy[float]:
    """Logits: small integers (ties), the edges of exp (±88, 709, -745), huge (±1e300), tiny,
    -inf (and +inf with ``pos_inf``); finite ones bounded by ``max_abs`` (default: the dtype's).

    >>> from hypothesis import find
    >>> find(logit_values(), lambda v: v > 1000)
    1001.0
    """
    f = _fmt(dtype)
    big = float(f.max_value) if max_abs is None else min(float(max_abs), float(f.max_value))
    specials = [0.0, 1.0, -1.0, 88.0, -88.0, 89.0, 709.0, -745.0, 1e300, -1e300, 2.0**-60, -(2.0**-60), 2.0**43,
                5e-324, 1e-200]
    pool = [st.just(0.0), st.integers(-60, 60).map(float), st.integers(-10**6, 10**6).map(float).filter(lambda v: abs(v) <= big),
            st.sampled_from([v for v in specials if abs(v) <= big]),
            st.floats(-big, big, allow_nan=False, allow_infinity=False)]
    if neg_inf:
        pool.append(st.just(-math.inf))
    if pos_inf:
        pool.append(st.just(math.inf))
    return st.one_of(*pool).map(lambda v: v if math.isinf(v) else float(round_binary(Fraction(v), f)))


# ---------------------------------------------------------------- probability vectors

@dataclass(frozen=True)
class ProbabilityVector:
    """A probability vector: ``array`` as the library receives it (in ``dtype``), ``values`` the
    same numbers widened exactly to float64, ``exact`` as Fractions; ``total`` their exact sum."""

    array: np.ndarray
    values: np.ndarray
    exact: tuple
    dtype: str
    total: Fraction

    def problem(self, measure: str = "entropy", **options: Any):
        """The symxent oracle of ``measure`` on this vector (``entropy`` by default)."""
        from ..crosscheck import make_problem
        return make_problem(measure, self.array, **options)


def _expansion(r: Fraction, f: BinaryFormat) -> list[Fraction]:
    """``r >= 0`` as a sum of values of ``f``, greedily, largest first (a float expansion)."""
    parts = []
    while r > 0:
        part = _down(r, f)
        parts.append(part)
        r -= part
    return parts


def _total(f: BinaryFormat, sum_ulps: int) -> Fraction:
    if sum_ulps >= 0:
        return 1 + sum_ulps * ulp(Fraction(1), f)
    return 1 + sum_ulps * ulp(Fraction(1), f) / 2


@st.composite
def probability_vectors(draw, n: int | None = None, *, min_size: int = 2, max_size: int = 24,
                        dtype: str = "float64", sum_ulps: int = 0, zeros: bool = True) -> ProbabilityVector:
    """Vectors of ``n`` (or ``min_size``..``max_size``) probabilities in ``dtype`` whose exact sum
    is 1 — or ``sum_ulps`` ULPs of 1 away (``1`` is 1 + eps, ``-1`` the float just below 1).

    Entries come from :func:`unit_floats`; the rest of the mass is completed by the float
    expansion of what is left (so a 1e-300 entry brings the ~19 float64 entries that make
    ``1 - 1e-300`` exact). Shrinks to ``[1/2, 1/2]``.

    >>> from hypothesis import find
    >>> find(probability_vectors(n=3), lambda d: True).exact
    (Fraction(1, 4), Fraction(1, 4), Fraction(1, 2))
    >>> find(probability_vectors(sum_ulps=-1), lambda d: True).total == 1 - 2**-53
    True
    """
    f = _fmt(dtype)
    lo, hi = (n, n) if n is not None else (min_size, max_size)
    if lo < 1 or hi < lo:
        raise UnsupportedError(f"sizes min_size={lo!r}, max_size={hi!r} must satisfy 1 <= min_size <= max_size")
    total = _total(f, sum_ulps)
    pool = (st.one_of(*_unit_pool(f), *([st.just(Fraction(0))] if zeros else []))
            .map(lambda v: Fraction(round_binary(v, f))).filter(lambda v: zeros or v > 0))
    chosen: list[Fraction] = []
    for v in draw(st.lists(pool, max_size=max(hi - 1, 0))):
        rest = total - sum(chosen) - v
        if rest >= 0 and len(chosen) + 1 + max(1, len(_expansion(rest, f))) <= hi:
            chosen.append(v)
    entries = chosen + _expansion(total - sum(chosen), f)
    while len(entries) < lo:  # split the largest entry exactly (Sterbenz: v - a is a float)
        i = max(range(len(entries)), key=lambda j: entries[j])
        v = entries[i]
        a = Fraction(round_binary(v / 2, f))
        a = a if a >= v / 2 else a + ulp(a, f)
        entries[i:i + 1] = [a, v - a]
    order = draw(st.permutations(range(len(entries))))
    exact = tuple(entries[j] for j in order)
    arr = _array(exact, dtype)
    assert all(Fraction(float(a)) == e for a, e in zip(arr.astype(np.float64), exact)), "not exact in dtype"
    return ProbabilityVector(arr, arr.astype(np.float64), exact, dtype, sum(exact, Fraction(0)))


def soft_labels(k: int, *, dtype: str = "float64") -> st.SearchStrategy[ProbabilityVector]:
    """A soft label row of ``k`` classes (a probability vector of exact sum 1)."""
    return probability_vectors(k, dtype=dtype)


@dataclass(frozen=True)
class VectorPair:
    """``P`` and ``Q`` that differ by moving ``delta`` from entry ``i`` to entry ``j``."""

    P: ProbabilityVector
    Q: ProbabilityVector
    i: int
    j: int
    delta: Fraction

    def problem(self, measure: str = "kl", **options: Any):
        """The symxent oracle of ``measure`` (KL by default) of P and Q."""
        from ..crosscheck import make_problem
        return make_problem(measure, self.P.array, self.Q.array, **options)


@st.composite
def nearly_equal_pairs(draw, n: int | None = None, *, ulps: Any = None, dtype: str = "float64",
                       **vector_options: Any) -> VectorPair:
    """``P ≈ Q``: Q moves ``k`` ULPs of mass (``ulps``: an int or a strategy, default 1..4) from
    one entry of P to another, both staying exact in ``dtype``; KL(P||Q) is then tiny and
    catastrophically cancelled by ``sum p log p - sum p log q``.

    >>> from hypothesis import find
    >>> d = find(nearly_equal_pairs(), lambda d: True)
    >>> d.P.exact, d.Q.exact
    ((Fraction(1, 2), Fraction(1, 2)), (Fraction(4503599627370495, 9007199254740992), Fraction(4503599627370497, 9007199254740992)))
    """
    f = _fmt(dtype)
    P = draw(probability_vectors(n, dtype=dtype, zeros=False, **vector_options))
    k = draw(ulps if isinstance(ulps, st.SearchStrategy) else st.just(ulps) if ulps is not None else st.integers(1, 4))
    m = len(P.exact)
    i = draw(st.integers(0, m - 1))
    j = draw(st.integers(0, m - 2).map(lambda t: t if t < i else t + 1))
    pi, pj = P.exact[i], P.exact[j]
    step = max(ulp(pi, f), ulp(pj, f))
    delta = k * step
    while delta > 0 and not (_representable(pi - delta, f) and _representable(pj + delta, f) and pi - delta >= 0):
        delta -= step if delta > step else delta  # fewer ULPs, down to none, until both stay exact
    q = list(P.exact)
    q[i], q[j] = pi - delta, pj + delta
    arr = _array(q, dtype)
    Q = ProbabilityVector(arr, arr.astype(np.float64), tuple(q), dtype, sum(q, Fraction(0)))
    return VectorPair(P, Q, i, j, delta)


def _representable(x: Fraction, f: BinaryFormat) -> bool:
    return x >= 0 and round_binary(x, f) == x


# ---------------------------------------------------------------- binary and categorical inputs

@dataclass(frozen=True)
class BinaryDraw:
    """Labels and predictions (probabilities, or logits when ``logits``) in ``dtype``, with the
    exact values as Fractions (``-inf``/``inf`` stay floats)."""

    target: np.ndarray
    prediction: np.ndarray
    exact_target: tuple
    exact_prediction: tuple
    dtype: str
    logits: bool

    def problem(self, measure: str = "bce", **options: Any):
        from ..crosscheck import make_problem
        return make_problem(measure, self.target, self.prediction, logits=self.logits, **options)


@st.composite
def binary_problems(draw, n: int | None = None, *, min_size: int = 1, max_size: int = 8, dtype: str = "float64",
                    logits: bool = False, soft: bool = False, endpoints: bool = False,
                    max_abs: float = 1e4) -> BinaryDraw:
    """``n`` labels (0/1, or soft labels in [0, 1] with ``soft``) and predictions: probabilities
    from :func:`unit_floats` (0 and 1 only with ``endpoints``), or logits from
    :func:`logit_values` (finite, ``|x| <= max_abs``: past ~1e4 a loss like ``e^{-|x|}`` has no
    decimal the oracle can certify). Shrinks to one sample, y = 0, q = 1/2.

    >>> from hypothesis import find
    >>> d = find(binary_problems(), lambda d: d.exact_prediction[0] < 1e-40 and d.exact_target[0] == 1)
    >>> d.exact_target, d.exact_prediction
    ((Fraction(1, 1),), (Fraction(1, 10889035741470030830827987437816582766592),))
    """
    f = _fmt(dtype)
    size = n if n is not None else draw(st.integers(min_size, max_size))
    label = (unit_floats(dtype) if soft else st.sampled_from([0.0, 1.0]))
    pred = logit_values(dtype, neg_inf=False, max_abs=max_abs) if logits else unit_floats(dtype, endpoints=endpoints)
    pairs = draw(st.lists(st.tuples(label, pred), min_size=size, max_size=size))
    y = tuple(Fraction(a) for a, _ in pairs)
    q = tuple(Fraction(b) for _, b in pairs)
    assert all(round_binary(v, f) == v for v in y + q)
    return BinaryDraw(_array(y, dtype), _array(q, dtype), y, q, dtype, logits)


@dataclass(frozen=True)
class LogitDraw:
    """Rows of logits (``n x K``, in ``dtype``), integer labels, and optionally soft targets,
    class weights and a label smoothing, with the logits' exact values (float64, exact)."""

    logits: np.ndarray
    values: np.ndarray
    labels: np.ndarray
    dtype: str
    soft: np.ndarray | None = None
    weight: np.ndarray | None = None
    label_smoothing: float = 0.0

    def problem(self, measure: str = "cce", **options: Any):
        """The oracle of CE from these logits (soft targets if drawn, else the labels)."""
        from ..crosscheck import make_problem
        target = self.soft if self.soft is not None else self.labels
        return make_problem(measure, target, self.logits, logits=True, weight=self.weight,
                            label_smoothing=self.label_smoothing, **options)


@st.composite
def logit_rows(draw, *, rows: tuple[int, int] = (1, 4), min_classes: int = 2, max_classes: int = 16,
               dtype: str = "float64", neg_inf: bool = True, pos_inf: bool = False, soft: bool = False,
               weights: bool = False, smoothing: bool = False, max_abs: float = 1e4) -> LogitDraw:
    """Rows of K logits (K up to ``max_classes``, 10^5 allowed) with huge spread and -inf
    entries, labels, and optionally soft labels, class weights and label smoothing.

    Rows of more than 64 classes are a seeded normal sample (the seed shrinks to 0) with up to
    four drawn extreme entries at drawn places, so a 10^5-class row is cheap to draw. A row is
    never all -inf (its softmax would be 0/0). Shrinks to one row of two zeros, label 0.

    >>> from hypothesis import find
    >>> d = find(logit_rows(max_classes=10**5), lambda d: d.logits.shape[1] > 1000)
    >>> d.logits.shape
    (1, 1001)
    """
    f = _fmt(dtype)
    n = draw(st.integers(*rows))
    k = draw(st.integers(min_classes, max_classes))
    value = logit_values(dtype, neg_inf=neg_inf, pos_inf=pos_inf, max_abs=max_abs)
    if k <= 64:
        z = np.array(draw(st.lists(st.lists(value, min_size=k, max_size=k), min_size=n, max_size=n)), dtype=np.float64)
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        scale = draw(st.sampled_from([1.0, 30.0, 1e3]))
        z = rng.normal(size=(n, k)) * scale
        for _ in range(draw(st.integers(0, 4))):
            z[draw(st.integers(0, n - 1)), draw(st.integers(0, k - 1))] = draw(value)
    z = _array(z.ravel(), dtype).astype(np.float64).reshape(n, k)  # round once to the dtype
    z[np.all(z == -np.inf, axis=1), 0] = 0.0
    labels = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)), dtype=np.int64)
    soft_rows = None
    if soft:
        soft_rows = np.array([draw(soft_labels(k, dtype=dtype)).values for _ in range(n)]) if k <= 64 else None
    weight = draw(class_weights(k, dtype=dtype)) if weights else None
    eps = draw(label_smoothings()) if smoothing else 0.0
    arr = z.astype(numpy_dtype(dtype))
    return LogitDraw(arr, z, labels, dtype, None if soft_rows is None else soft_rows.astype(numpy_dtype(dtype)),
                     weight, eps)


@st.composite
def class_weights(draw, k: int, *, dtype: str = "float64") -> np.ndarray:
    """``k`` non-negative class weights in ``dtype``: 1, 0, 1/2, 2^±60, 1e30 and any, at least one
    positive (more than 64 classes: a seeded sample with a few drawn specials). Shrinks to all ones.

    >>> from hypothesis import find
    >>> find(class_weights(3), lambda w: 0 in w).tolist()
    [1.0, 1.0, 0.0]
    """
    f = _fmt(dtype)
    one = st.one_of(st.just(1.0), st.sampled_from([0.0, 0.5, 2.0, 2.0**-60, 2.0**60, 1e30]),
                    st.floats(0.0, 1e6, allow_subnormal=False)).map(lambda v: float(round_binary(Fraction(v), f)))
    if k <= 64:
        w = draw(st.lists(one, min_size=k, max_size=k).filter(lambda w: any(v > 0 for v in w)))
    else:
        seed = draw(st.integers(0, 2**32 - 1))
        w = np.ones(k) if seed == 0 else np.random.default_rng(seed).random(k) * 10
        for _ in range(draw(st.integers(0, 4))):
            w[draw(st.integers(0, k - 1))] = draw(one)
        w[0] = w[0] if np.any(w > 0) else 1.0
    return _array(list(w), dtype)


def label_smoothings() -> st.SearchStrategy[float]:
    """Label smoothing ε in [0, 1]: 0, 0.1, 1e-8, 1 - 2^-53, 1, and any. Shrinks to 0.

    >>> from hypothesis import find
    >>> find(label_smoothings(), lambda e: e > 0.5)
    0.9999999999999999
    """
    return st.one_of(st.sampled_from([0.0, 0.1, 1e-8, 1 - 2.0**-53, 1.0]), st.floats(0.0, 1.0))
