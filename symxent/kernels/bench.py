"""``symxent bench``: the certified kernels against the float libraries they check, side by side.

Each case generates data, times the certified computation and its float64 baseline interleaved
(minimum over repeats, so other processes on a shared machine disturb it least), reports the
ratio, the certified digits of the result, and whether the certified interval of a subsample
contains an independent enclosure computed by the exact reference path at twice the precision.
Missing optional libraries (scikit-learn, SciPy) are reported, never a crash. The adversarial
cases (:mod:`.bench_cliffs`) add a ``vs_clean`` ratio: the same loss on the same size of clean
data.

>>> rows = run_bench(quick=True, only=("entropy",), sizes=(1000,))
>>> rows[0]["name"], rows[0]["contains_reference"]
('entropy', True)
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable, Iterable

import numpy as np

from ..exact.enclosure import Enclosure
from ..exact.sums import log_sum, reference_log_sum, reference_logsumexp_sum
from . import jit, losses
from .bench_cliffs import CLIFF_CASES, cliff_rows

__all__ = ["run_bench", "format_table", "CASES"]

_SUB = 300  # subsample size for the reference check


def _optional(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _min_time(fns: list[Callable[[], Any]], repeats: int) -> list[float]:
    """Interleaved timing: the minimum over ``repeats`` rounds of each function."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, f in enumerate(fns):
            start = time.perf_counter()
            f()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def _contains(kernel: Enclosure | None, ref: Enclosure) -> bool:
    return kernel is not None and kernel.lo <= ref.lo and ref.hi <= kernel.hi


def _check_log(x: np.ndarray, w: np.ndarray | None, **kw: Any) -> bool:
    """Does the dispatcher's enclosure of a subsample contain the reference at 256 bits?"""
    xs, ws = x[:_SUB], None if w is None else w[:_SUB]
    return _contains(log_sum(xs, ws, rel_bits=128, **kw), reference_log_sum(xs, ws, rel_bits=256, **kw))


def _bce(n: int, repeats: int, rng: np.random.Generator, mp_loop: bool) -> list[dict]:
    y = rng.integers(0, 2, n)
    q = rng.random(n)
    q[q == 0] = 0.5
    skl = _optional("sklearn.metrics")
    ours = lambda: losses.mean_bce(y, q)  # noqa: E731
    result = ours()
    ok = _check_log(q, y.astype(float)) and _check_log(q, y.astype(float), complement=True, w_complement=True)
    rows = []
    if skl is None:
        rows.append(_row("bce_prob", n, 0, result.digits, "sklearn.metrics.log_loss (not installed)", None, ok, "<= 1.0"))
    else:
        t_ours, t_base = _min_time([ours, lambda: skl.log_loss(y, q)], repeats)
        rows.append(_row("bce_prob", n, 0, result.digits, "sklearn.metrics.log_loss", t_ours / t_base, ok, "<= 1.0"))
    if mp_loop:
        sub = min(n, 2000)
        t_ours, t_sub = _min_time([ours, lambda: _mpmath_bce(y[:sub], q[:sub])], max(2, repeats // 2))
        t_loop = t_sub * (n / sub)
        rows.append(_row("bce_prob", n, 0, result.digits, f"mpmath loop at 40 digits (timed on {sub}, scaled)",
                         t_ours / t_loop, ok, "<= 0.01"))
    return rows


def _bce_repeats(n: int, repeats: int, rng: np.random.Generator) -> dict:
    """Mean BCE when the predictions take 100 distinct values (calibrated bins, quantised
    outputs): the kernels detect it and group equal values before the log."""
    y = rng.integers(0, 2, n)
    q = rng.choice(rng.random(100) * 0.98 + 0.01, n)
    ours = lambda: losses.mean_bce(y, q)  # noqa: E731
    result = ours()
    ok = _check_log(q, y.astype(float))
    skl = _optional("sklearn.metrics")
    if skl is None:
        return _row("bce_prob_repeats", n, 0, result.digits, "sklearn.metrics.log_loss (not installed)",
                    None, ok, "<= 1.0")
    t_ours, t_base = _min_time([ours, lambda: skl.log_loss(y, q)], repeats)
    return _row("bce_prob_repeats", n, 0, result.digits, "sklearn.metrics.log_loss", t_ours / t_base, ok, "<= 1.0")


def _mpmath_bce(y: np.ndarray, q: np.ndarray) -> Any:
    import mpmath

    with mpmath.workdps(40):
        s = mpmath.mpf(0)
        for yi, qi in zip(y.tolist(), q.tolist()):
            s += mpmath.log(qi) if yi else mpmath.log(1 - mpmath.mpf(qi))
        return -s / len(y)


def _cce_prob(n: int, k: int, repeats: int, rng: np.random.Generator) -> dict:
    p = rng.random((n, k)) + 1e-3
    p /= p.sum(axis=1, keepdims=True)
    lab = rng.integers(0, k, n)
    ours = lambda: losses.categorical_ce(lab, p)  # noqa: E731
    result = ours()
    ok = _check_log(p[np.arange(n), lab], None)
    skl = _optional("sklearn.metrics")
    if skl is None:
        return _row("cce_prob", n, k, result.digits, "sklearn.metrics.log_loss (not installed)", None, ok, "<= 1.0")
    labels = np.arange(k)
    t_ours, t_base = _min_time([ours, lambda: skl.log_loss(lab, p, labels=labels)], repeats)
    return _row("cce_prob", n, k, result.digits, "sklearn.metrics.log_loss", t_ours / t_base, ok, "<= 1.0")


def _cce_logits(n: int, k: int, repeats: int, rng: np.random.Generator) -> dict:
    z = rng.normal(size=(n, k)) * 3
    lab = rng.integers(0, k, n)
    ours = lambda: losses.categorical_ce_logits(lab, z)  # noqa: E731
    result = ours()
    sub = z[: min(n, 8)]
    from ..exact.sums import logsumexp_sum

    # at the kernel's working precision (at 128 bits it declines and the reference would answer)
    ok = _contains(logsumexp_sum(sub, rel_bits=100), reference_logsumexp_sum(sub, rel_bits=256))
    sps = _optional("scipy.special")
    if sps is None:
        return _row("cce_logits", n, k, result.digits, "scipy.special.logsumexp (not installed)", None, ok, "<= 3.0")
    rows_idx = np.arange(n)
    base = lambda: float(np.mean(sps.logsumexp(z, axis=1) - z[rows_idx, lab]))  # noqa: E731
    t_ours, t_base = _min_time([ours, base], repeats)
    return _row("cce_logits", n, k, result.digits, "scipy.special.logsumexp float64 path", t_ours / t_base, ok, "<= 3.0")


def _kl(n: int, repeats: int, rng: np.random.Generator) -> dict:
    p = rng.random(n) + 1e-3
    q = rng.random(n) + 1e-3
    p /= p.sum()
    q /= q.sum()
    ours = lambda: losses.kl_divergence(p, q)  # noqa: E731
    result = ours()
    ok = _check_log(p, p) and _check_log(q, p)
    base = lambda: float(np.sum(p * np.log(p / q)))  # noqa: E731
    t_ours, t_base = _min_time([ours, base], repeats)
    return _row("kl_float_weights", n, 0, result.digits, "numpy float64 sum(p*log(p/q))", t_ours / t_base, ok, "<= 20")


def _kl_close(n: int, repeats: int, rng: np.random.Generator) -> dict:
    """KL(P || Q) with Q = P with pairs of entries moved by +e and -e, ``|e|`` about 1.4e-9 of
    the entry and rounded to a grid on which both moves are exact, so that ``sum Q = sum P``
    exactly and KL is about 1e-18: ``sum p log p - sum p log q`` cancels by about 60 bits and
    the log-ratio kernel answers."""
    from .klratio import kl_log_ratio

    p = rng.random(n) + 1e-3
    p /= p.sum()
    m = n // 2 * 2
    a, b = p[0:m:2], p[1:m:2]
    grid = 2 * np.maximum(np.spacing(a), np.spacing(b))
    e = np.round(a * rng.normal(size=m // 2) * 1.4e-9 / grid) * grid
    q = p.copy()
    q[0:m:2], q[1:m:2] = a + e, b - e
    assert np.array_equal(q[0:m:2] - a, e) and np.array_equal(b - q[1:m:2], e)
    ours = lambda: losses.kl_divergence(p, q)  # noqa: E731
    result = ours()
    ps, qs = p[:_SUB], q[:_SUB]
    ref = reference_log_sum(ps, ps, rel_bits=256) - reference_log_sum(qs, ps, rel_bits=256)
    ok = result.path == "log-ratio" and _contains(kl_log_ratio(ps, qs), ref)
    base = lambda: float(np.sum(p * np.log(p / q)))  # noqa: E731
    t_ours, t_base = _min_time([ours, base], repeats)
    return _row("kl_close", n, 0, result.digits, "numpy float64 sum(p*log(p/q)), KL ~ 1e-18", t_ours / t_base, ok,
                "<= 20")


def _entropy(n: int, repeats: int, rng: np.random.Generator) -> dict:
    p = rng.random(n) + 1e-3
    p /= p.sum()
    ours = lambda: losses.entropy(p)  # noqa: E731
    result = ours()
    ok = _check_log(p, p)
    base = lambda: float(-np.sum(p * np.log(p)))  # noqa: E731
    t_ours, t_base = _min_time([ours, base], repeats)
    return _row("entropy", n, 0, result.digits, "numpy float64 -sum(p*log(p))", t_ours / t_base, ok, "<= 20")


def _row(name: str, n: int, k: int, digits: int, baseline: str, ratio: float | None, ok: bool, target: str) -> dict:
    return {"name": name, "n": n, "k": k, "certified_digits": digits, "baseline": baseline,
            "ratio": None if ratio is None else round(ratio, 4), "contains_reference": bool(ok), "target": target}


CASES = ("bce_prob", "bce_prob_repeats", "cce_prob", "cce_logits", "kl_float_weights", "entropy", "kl_close",
         *CLIFF_CASES)


def run_bench(quick: bool = False, only: Iterable[str] = CASES, sizes: Iterable[int] | None = None,
              seed: int = 0) -> list[dict]:
    """Run the cases; return one dict per (case, size) as documented in the module docstring."""
    rng = np.random.default_rng(seed)
    repeats = 2 if quick else 5
    jit.available()  # waits for the compiled engine (when there is one): steady timings
    ns = tuple(sizes) if sizes is not None else ((10**4, 10**5) if quick else (10**4, 10**5, 10**6))
    only = set(only)
    rows: list[dict] = []
    for n in ns:
        if "bce_prob" in only:
            rows.extend(_bce(n, repeats, rng, mp_loop=(n == max(ns))))
        if "kl_float_weights" in only:
            rows.append(_kl(n, repeats, rng))
        if "entropy" in only:
            rows.append(_entropy(n, repeats, rng))
        if "kl_close" in only:
            rows.append(_kl_close(n, repeats, rng))
    if "bce_prob_repeats" in only:
        rows.append(_bce_repeats(max(ns), repeats, rng))
    if "cce_prob" in only:
        rows.append(_cce_prob(2000 if quick else 10**4, 1000, repeats, rng))
    if "cce_logits" in only:
        rows.append(_cce_logits(2000 if quick else 10**4, 1000, repeats, rng))
    rows.extend(cliff_rows(only & set(CLIFF_CASES), quick, repeats, rng))
    for r in rows:
        r["engine"] = jit.engine()  # "numba" (compiled kernels) or "numpy"
    return rows


def format_table(rows: list[dict]) -> str:
    """A plain-text table of the rows."""
    head = (f"{'case':<28}{'n':>9}{'k':>6}{'digits':>8}{'ratio':>10}{'vs clean':>10}{'target':>9}{'ref ok':>8}"
            "  baseline")
    engines = sorted({r.get("engine", "numpy") for r in rows})
    lines = [f"kernels: {', '.join(engines)}", head, "-" * len(head)]
    for r in rows:
        unit = r.get("unit", "x")
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.3g}{unit}"
        vs = "" if r.get("vs_clean") is None else f"{r['vs_clean']:.3g}x"
        lines.append(f"{r['name']:<28}{r['n']:>9}{r['k']:>6}{r['certified_digits']:>8}{ratio:>10}{vs:>10}"
                     f"{r['target']:>9}{'yes' if r['contains_reference'] else 'NO':>8}  {r['baseline']}")
    return "\n".join(lines)
