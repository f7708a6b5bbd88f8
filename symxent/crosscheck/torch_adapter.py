"""PyTorch: ``torch.nn.functional`` losses called for real, with their conventions made exact.

Conventions (read from torch 2.13's sources and behaviour): ``binary_cross_entropy`` clamps each
log at -100 and forms ``log(1 - x)`` with log1p (no float complement); ``cross_entropy`` takes
logits, integer or probability targets, ``weight`` (its mean divides by the sum of the weights
of the non-ignored targets), ``ignore_index`` and ``label_smoothing`` (``(1 - e) NLL + e/K sum``),
and gives NaN for a -inf logit under a zero probability target; ``kl_div(input, target)`` takes
``input = log Q`` and ``target = P``, and its ``'mean'`` divides by the number of elements
(``'batchmean'`` by the batch size); ``gaussian_nll_loss`` clamps var at ``eps = 1e-6`` and
omits ``1/2 log 2 pi`` unless ``full=True``; ``poisson_nll_loss`` omits ``log y!`` and, for
rates, takes ``log(x + 1e-8)``.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from typing import Any

import numpy as np

from .base import Case, ConventionNaN, as_dtype, clamped_log_terms, log_target_kl_terms, read_result
from .oracle import LOG_2PI, bce_logits_terms, cce_terms, gaussian_terms, kept_rows, kl_terms, math_divisor, math_terms
from .problem import Problem
from .terms import Terms, exact_sum

__all__ = ["NAME", "available", "version", "cases"]

NAME = "torch"


def _torch():
    import torch
    return torch


def available() -> bool:
    try:
        _torch()
    except ImportError:
        return False
    return True


def version() -> str:
    return _torch().__version__


def _tensor(a: np.ndarray, dtype: str):
    torch = _torch()
    return torch.tensor(a, dtype=torch.float64).to(getattr(torch, dtype))


def _np(t) -> np.ndarray:
    """A tensor's exact values as float64."""
    return read_result(t).values


def _quiet(f):
    """Call f with torch's deprecation warnings (kl_div 'mean') silenced: the report explains them."""
    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return f()
    return call


def cases(p: Problem) -> list[Case]:
    make = _CASES.get(p.measure)
    return make(p) if make else []


def _case(p: Problem, function: str, call, terms_of, divisor, semantics: str) -> Case:
    return Case(NAME, function, version(), _quiet(call), terms_of, Fraction(divisor), semantics, p.dtype)


def _reduction(p: Problem) -> str:
    return p.reduction


def _bce(p: Problem) -> list[Case]:
    F = _torch().nn.functional
    y, x = _tensor(p.target, p.dtype), _tensor(p.prediction, p.dtype)
    n = p.n_samples
    if p.logits:
        return [_case(p, "binary_cross_entropy_with_logits",
                      lambda: F.binary_cross_entropy_with_logits(x, y, reduction=_reduction(p)),
                      lambda rows: bce_logits_terms(p.target[rows], p.prediction[rows]), n, "")]

    def terms_of(rows):
        t = Terms()
        yy, q = p.target[rows], p.prediction[rows]
        clamped_log_terms(t, q, yy, floor=-100.0, coef=-1)
        below = q == 1.0  # 1 - q >= 2**-53 > e**-100 for every other float
        clamped_log_terms(t, 1.0 - q[below], yy[below], floor=-100.0, coef=-1, w_complement=True)
        return t.log(q[~below], yy[~below], coef=-1, complement=True, w_complement=True)

    return [_case(p, "binary_cross_entropy", lambda: F.binary_cross_entropy(x, y, reduction=_reduction(p)),
                  terms_of, n, "each log is clamped at -100, so one element's loss never exceeds 100")]


def _has_nan_target(p: Problem, rows: np.ndarray) -> bool:
    """A -inf logit under a zero probability target (not an integer label) gives NaN in torch."""
    if p.integer_labels or not p.logits:
        return False
    t = p.target[rows]
    if p.label_smoothing:
        t = t * (1 - p.label_smoothing) + p.label_smoothing / t.shape[1]
    return bool(np.any((p.prediction[rows] == -np.inf) & (t == 0)))


def _cce(p: Problem) -> list[Case]:
    torch = _torch()
    F = torch.nn.functional
    x = _tensor(p.prediction, p.dtype)
    target = torch.tensor(p.target.astype(np.int64)) if p.integer_labels else _tensor(p.target, p.dtype)
    kw: dict[str, Any] = {"reduction": _reduction(p), "label_smoothing": p.label_smoothing}
    if p.weight is not None:
        kw["weight"] = _tensor(p.weight, p.dtype)
    if p.ignore_index is not None:
        kw["ignore_index"] = int(p.ignore_index)

    def terms_of(rows):
        if _has_nan_target(p, rows):
            raise ConventionNaN("a -inf logit under a zero target is evaluated as 0 * (-inf) = nan")
        return cce_terms(p, rows)

    out = []
    if p.logits:
        out.append(_case(p, "cross_entropy", lambda: F.cross_entropy(x, target, **kw), terms_of,
                         math_divisor(p), ""))
    elif p.integer_labels and not p.label_smoothing:
        logq = torch.log(x)
        nll_kw = {k: v for k, v in kw.items() if k != "label_smoothing"}

        def nll_terms(rows, logq=_np(logq)):
            rows = kept_rows(p, rows)
            lab = p.target[rows].astype(np.int64)
            w = p.weight[lab] if p.weight is not None else np.ones(rows.size)
            return Terms().const(-sum((Fraction(a) * Fraction(b) if a else Fraction(0)
                                       for a, b in zip(w.tolist(), logq[rows, lab].tolist())), Fraction(0)))

        out.append(_case(p, "nll_loss(torch.log(q))", lambda: F.nll_loss(logq, target, **nll_kw), nll_terms,
                         math_divisor(p), "the input is log q as torch.log rounded it before the call"))
    return out


def _kl(p: Problem) -> list[Case]:
    torch = _torch()
    F = torch.nn.functional
    P, Q = _tensor(p.target, p.dtype), _tensor(p.prediction, p.dtype)
    logq = torch.log(Q)
    logq64 = _np(logq)
    n, k = p.prediction.shape

    def terms_of(rows):
        Pr, L = p.target[rows].ravel(), logq64[rows].ravel()
        if np.any((Pr == 0) & (L == -np.inf)):
            raise ConventionNaN("P = 0 where log Q = -inf: 0 * (log 0 - (-inf)) = nan")
        pos = Pr > 0
        t = Terms().log(Pr[pos], Pr[pos])
        if np.any(L[pos] == -np.inf):
            return t.const(float("inf"))
        return t.const(-sum((Fraction(a) * Fraction(b) for a, b in zip(Pr[pos].tolist(), L[pos].tolist())),
                            Fraction(0)))

    note = "input is log Q rounded by torch.log before the call"
    out = _kl_plain(p, logq, P, terms_of, n, k, note)
    out.append(_kl_log_target(p, logq, logq64, n))
    out.append(_kl_misuse(p, Q, P, n))
    return out


def _kl_misuse(p: Problem, Q, P, n: int) -> Case:
    """``kl_div(Q, P)``: probabilities passed where torch expects log-probabilities, the classic
    misuse. torch does not check; it returns ``sum P (log P - Q)``, which is not a divergence."""
    F = _torch().nn.functional

    def terms_of(rows):
        Pr, Qr = p.target[rows].ravel(), p.prediction[rows].ravel()
        pos = Pr > 0
        return Terms().log(Pr[pos], Pr[pos]).const(-sum((Fraction(a) * Fraction(b) for a, b in
                                                         zip(Pr[pos].tolist(), Qr[pos].tolist())), Fraction(0)))

    reduction = {"none": "none", "sum": "sum"}.get(p.reduction, "batchmean")
    call = (lambda: F.kl_div(Q, P, reduction="none").sum(-1)) if reduction == "none" \
        else (lambda: F.kl_div(Q, P, reduction=reduction))
    suffix = ".sum(-1)" if reduction == "none" else ""
    return _case(p, f"kl_div(Q, P, reduction='{reduction}'){suffix} [misuse: Q where log Q is expected]", call,
                 terms_of, n, "the classic misuse: the input must be log Q, and torch does not check; given "
                 "probabilities it returns sum P (log P - Q), which is not the KL divergence")


def _kl_plain(p: Problem, logq, P, terms_of, n: int, k: int, note: str) -> list[Case]:
    F = _torch().nn.functional
    if p.reduction == "none":
        return [_case(p, "kl_div(log Q, P, reduction='none').sum(-1)",
                      lambda: F.kl_div(logq, P, reduction="none").sum(-1), terms_of, n, note)]
    if p.reduction == "sum":
        return [_case(p, "kl_div(log Q, P, reduction='sum')", lambda: F.kl_div(logq, P, reduction="sum"),
                      terms_of, n, note)]
    return [_case(p, "kl_div(log Q, P, reduction='mean')", lambda: F.kl_div(logq, P, reduction="mean"),
                  terms_of, n * k, f"{note}; 'mean' divides by the number of elements ({n * k}), not the batch ({n})"),
            _case(p, "kl_div(log Q, P, reduction='batchmean')", lambda: F.kl_div(logq, P, reduction="batchmean"),
                  terms_of, n, note)]


def _kl_log_target(p: Problem, logq, logq64: np.ndarray, n: int) -> Case:
    """``kl_div(log Q, log P, log_target=True)``: torch forms ``exp(log P) (log P - log Q)`` from the
    two rounded logs, so its exact value is that sum over the logs it was given."""
    torch = _torch()
    F = torch.nn.functional
    logp = torch.log(_tensor(p.target, p.dtype))
    logp64 = _np(logp)

    def terms_of(rows):
        return log_target_kl_terms(logp64[rows], logq64[rows])

    reduction = {"none": "none", "sum": "sum"}.get(p.reduction, "batchmean")
    call = (lambda: F.kl_div(logq, logp, reduction="none", log_target=True).sum(-1)) if reduction == "none" \
        else (lambda: F.kl_div(logq, logp, reduction=reduction, log_target=True))
    suffix = ".sum(-1)" if reduction == "none" else ""
    return _case(p, f"kl_div(log Q, log P, log_target=True, reduction='{reduction}'){suffix}", call, terms_of, n,
                 "both inputs are logs rounded by torch.log before the call; exp(log P) is not P")


def _gaussian(p: Problem) -> list[Case]:
    assert p.var is not None, "make_problem gives a gaussian_nll problem its variance"
    F = _torch().nn.functional
    mu, y, var = (_tensor(a, p.dtype) for a in (p.prediction, p.target, p.var))
    eps = as_dtype(1e-6, p.dtype)
    clamped = np.maximum(p.var, eps)

    def terms_of(rows):
        return gaussian_terms(p.target[rows], p.prediction[rows], clamped[rows], full=False)

    note = "omits the constant 1/2 log(2 pi) per element (full=False)"
    if np.any(p.var < eps):
        note += f"; var is clamped to at least eps={eps!r}"
    def full_terms(rows):
        return gaussian_terms(p.target[rows], p.prediction[rows], clamped[rows], full=True)

    clamp_note = f"var is clamped to at least eps={eps!r}" if np.any(p.var < eps) else ""
    return [_case(p, "gaussian_nll_loss", lambda: F.gaussian_nll_loss(mu, y, var, reduction=_reduction(p)),
                  terms_of, p.n_samples, note),
            _case(p, "gaussian_nll_loss(full=True)",
                  lambda: F.gaussian_nll_loss(mu, y, var, full=True, reduction=_reduction(p)),
                  full_terms, p.n_samples, clamp_note)]


def _poisson(p: Problem) -> list[Case]:
    F = _torch().nn.functional
    x, y = _tensor(p.prediction, p.dtype), _tensor(p.target, p.dtype)
    if p.log_input:
        def terms_of(rows):
            t = Terms().exp(p.prediction[rows])
            return t.const(-sum((Fraction(a) * Fraction(b) for a, b in zip(p.target[rows].tolist(),
                                                                             p.prediction[rows].tolist()) if a),
                                Fraction(0)))
        note = "omits log(y!) (full=False)"
    else:
        shifted = _np(x + 1e-8)

        def terms_of(rows):
            yy = p.target[rows]
            pos = yy > 0
            return Terms().const(exact_sum(p.prediction[rows])).log(shifted[rows][pos], yy[pos], coef=-1)
        note = "omits log(y!) (full=False) and takes log(x + 1e-8) (the sum rounded to the dtype)"
    def full_terms(rows):
        t = terms_of(rows)
        yy = p.target[rows]
        big = yy > 1  # torch adds Stirling's approximation of log(y!) only where y > 1
        t.log(yy[big], yy[big]).const(-exact_sum(yy[big])).log(yy[big], coef=Fraction(1, 2))
        return t.enclosure(LOG_2PI, coef=Fraction(int(big.sum()), 2))

    stirling = ("adds Stirling's approximation y log y - y + 1/2 log(2 pi y) for y > 1 instead of log(y!), "
                "and nothing for y <= 1")
    return [_case(p, "poisson_nll_loss", lambda: F.poisson_nll_loss(x, y, log_input=p.log_input,
                                                                    reduction=_reduction(p)),
                  terms_of, p.n_samples, note),
            _case(p, "poisson_nll_loss(full=True)",
                  lambda: F.poisson_nll_loss(x, y, log_input=p.log_input, full=True, reduction=_reduction(p)),
                  full_terms, p.n_samples,
                  stirling if p.log_input else f"{stirling}; takes log(x + 1e-8) (the sum rounded to the dtype)")]


def _mse(p: Problem) -> list[Case]:
    F = _torch().nn.functional
    x, y = _tensor(p.prediction, p.dtype), _tensor(p.target, p.dtype)
    return [_case(p, "mse_loss", lambda: F.mse_loss(x, y, reduction=_reduction(p)),
                  lambda rows: math_terms(p, rows), p.n_samples, "")]


_CASES = {"bce": _bce, "cce": _cce, "kl": _kl, "gaussian_nll": _gaussian, "poisson_nll": _poisson, "mse": _mse}
