"""SciPy: ``stats.entropy`` (one and two arguments), ``spatial.distance.jensenshannon`` (squared),
``special.rel_entr``, ``special.kl_div``
and ``special.xlogy``, called for real.

Conventions: ``stats.entropy`` renormalises P (and Q) to sum 1 before anything else;
``rel_entr`` is ``p log(p/q)`` elementwise with ``0 log 0 = 0``; ``kl_div`` is
``p log(p/q) - p + q``, so its sum is KL plus ``sum q - sum p``; ``xlogy(y, q)`` is ``y log q``
with ``0 log 0 = 0`` (the log-loss formula still forms ``1 - q`` in floating point).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .arrays import numpy_dtype
from .base import Case, ConventionNaN, float_complement, importable
from .oracle import js_terms, kl_terms, math_divisor, math_terms
from .problem import Problem
from .terms import Terms, exact_sum

__all__ = ["NAME", "available", "version", "cases"]

NAME = "scipy"


def available() -> bool:
    return importable("scipy")


def version() -> str:
    import scipy
    return scipy.__version__


def _reduce(a, reduction: str):
    if reduction == "mean":
        return np.mean(a)
    return np.sum(a) if reduction == "sum" else a


def _case(p: Problem, function: str, per_sample, terms_of, note: str, *, base_applied: bool = False) -> Case:
    def call():
        with np.errstate(all="ignore"):
            return _reduce(per_sample(), p.reduction)
    return Case(NAME, function, version(), call, terms_of, math_divisor(p), note, p.dtype, base_applied)


def _base(p: Problem) -> tuple[dict, str]:
    """The ``base=`` keyword scipy takes (a float, as a user passes it) and how it is shown."""
    if p.base is None:
        return {}, ""
    b = float(p.base)
    return {"base": b}, f", base={b!r}"


def cases(p: Problem) -> list[Case]:
    if p.dtype == "bfloat16" or p.logits:
        return []
    from scipy import special, stats
    t = numpy_dtype(p.dtype)
    y, q = p.target.astype(t), p.prediction.astype(t)
    if p.measure == "entropy":
        kw, shown = _base(p)
        return [_case(p, f"stats.entropy(p{shown})", lambda: stats.entropy(y, axis=-1, **kw),
                      _renormalised_entropy(p), "P is renormalised to sum 1", base_applied=bool(kw)),
                _case(p, "special.entr(p).sum(-1)", lambda: special.entr(y).sum(-1),
                      lambda rows: math_terms(p, rows), "")]
    if p.measure == "kl":
        kw, shown = _base(p)
        return [_case(p, f"stats.entropy(p, q{shown})", lambda: stats.entropy(y, q, axis=-1, **kw),
                      _renormalised_kl(p), "P and Q are renormalised to sum 1", base_applied=bool(kw)),
                _case(p, "special.rel_entr(p, q).sum(-1)", lambda: special.rel_entr(y, q).sum(-1),
                      lambda rows: math_terms(p, rows), ""),
                _case(p, "special.kl_div(p, q).sum(-1)", lambda: special.kl_div(y, q).sum(-1), _kl_div(p),
                      "kl_div adds q - p to each term, so its sum is KL + sum q - sum p")]
    if p.measure == "js":
        from scipy.spatial import distance
        kw, shown = _base(p)
        return [_case(p, f"spatial.distance.jensenshannon(p, q, axis=-1{shown})**2",
                      lambda: distance.jensenshannon(y, q, axis=-1, **kw) ** 2, _renormalised_js(p),
                      "jensenshannon returns the distance sqrt(JS), squared here (one more rounding) to compare "
                      "with the divergence; P and Q are renormalised to sum 1", base_applied=bool(kw))]
    if p.measure == "bce":
        comp = float_complement(p.prediction, p.dtype)

        def terms_of(rows):
            return Terms().log(p.prediction[rows], p.target[rows], coef=-1).log(
                comp[rows], p.target[rows], coef=-1, w_complement=True)
        return [_case(p, "-(xlogy(y, q) + xlogy(1 - y, 1 - q))",
                      lambda: -(special.xlogy(y, q) + special.xlogy(1 - y, 1 - q)), terms_of,
                      "1 - q is rounded to the dtype before its logarithm")]
    if p.measure == "cce" and not p.integer_labels and p.weight is None and not p.label_smoothing:
        return [_case(p, "-xlogy(t, q).sum(-1)", lambda: -special.xlogy(y, q).sum(-1),
                      lambda rows: math_terms(p, rows), "")]
    return []


def _renormalised_entropy(p: Problem):
    def terms_of(rows):
        t = Terms()
        for i in rows.tolist():
            P = p.target[i]
            s = exact_sum(P)  # H(P/s) = -(1/s) sum p log p + log s
            if s == 0:
                raise ConventionNaN("a row of P sums to 0: renormalising divides 0 by 0")
            t.log(P, P, coef=-1 / s).log_exact([s], [1])
        return t
    return terms_of


def _renormalised_kl(p: Problem):
    def terms_of(rows):
        t = Terms()
        for i in rows.tolist():
            P, Q = p.target[i], p.prediction[i]
            sp_, sq = exact_sum(P), exact_sum(Q)  # KL(P/sp, Q/sq) = KL-ish(P, Q)/sp - log sp + log sq
            if sp_ == 0 or sq == 0:
                raise ConventionNaN("a row sums to 0: renormalising divides 0 by 0")
            for block in kl_terms(P, Q).blocks:
                t.blocks.append((block[0] / sp_, block[1], block[2]))
            if sp_ != sq:
                t.log_exact([sp_, sq], [-1, 1])
        return t
    return terms_of


def _renormalised_js(p: Problem):
    def terms_of(rows):
        t = Terms()
        for i in rows.tolist():
            t.blocks.extend(js_terms(p.target[i], p.prediction[i], renormalise=True).blocks)
        return t
    return terms_of


def _kl_div(p: Problem):
    def terms_of(rows):
        t = math_terms(p, rows)
        return t.const(exact_sum(p.prediction[rows]) - exact_sum(p.target[rows]))
    return terms_of
