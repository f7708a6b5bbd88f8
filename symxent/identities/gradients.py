"""Gradients: CE and KL share theirs; sigmoid-BCE and softmax-CE give prediction minus target.

Also the stable form of BCE with logits and the log-sum-exp form of log-softmax, case by case.

>>> from symxent.identities import get
>>> get("sigmoid_bce_gradient").derive().status
'proved'
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..derivation.context import holds, in_interval
from ..derivation.core import Derivation
from ..derivation.engine import Proof, combine
from ..derivation.quantities import BCE, H, KLdiv, Sigmoid
from . import register
from ._common import P, Q, i, j, n, simplex
from .information import ce_lower_bound, ce_self_is_entropy, kl_nonnegative

z_ = sp.Symbol("z", real=True)
y_ = sp.Symbol("y", real=True)
Z, Y = sp.IndexedBase("z", real=True), sp.IndexedBase("y", real=True)
K = sp.Symbol("K", integer=True, positive=True)
k, l, c = sp.symbols("k l c", integer=True, positive=True)
lam = sp.Symbol("lambda", real=True)
CLOSED01 = sp.Interval(0, 1)


def D(e: sp.Expr, v: sp.Expr) -> sp.Derivative:
    return sp.Derivative(e, v)


def _in_range(v, hi) -> tuple:
    return (holds(sp.Ge(v, 1), f"1 \\le {v}"), holds(sp.Le(v, hi), f"{v} \\le {hi}"))


@register(11, "kl_ce_same_minimizer", "grad_Q H(P,Q) = grad_Q KL(P||Q); both minimised on the simplex at Q = P")
@cache
def kl_ce_same_minimizer() -> Derivation:
    p, q, qj = P.term(), Q.term(), Q.term(j)
    delta = sp.KroneckerDelta(i, j)
    base = simplex(P, Q) + _in_range(j, n)
    grad = (Proof("kl_ce_same_minimizer.gradient", "the same gradient in q_j", D(H(P, Q), qj), "=", D(KLdiv(P, Q), qj), base)
            .step(-sp.Sum(delta * p / q, (i, 1, n)), "differentiate", "derivative of a sum of logs: d log q_i / d q_j = [i = j] / q_i")
            .step(-P.term(j) / qj, "sifting", "only the term i = j remains")
            .step(sp.Sum(-delta * p / q, (i, 1, n)), "sifting", "write it back as a sum over i")
            .step(D(KLdiv(P, Q), qj), "differentiate", "the same derivative for KL: p_i log p_i does not depend on q")
            .qed())
    lagrangian = H(P, Q) + lam * (sp.Sum(q, (i, 1, n)) - 1)
    stationary = (Proof("kl_ce_same_minimizer.lagrangian", "gradient of the Lagrangian with multiplier lambda",
                        D(lagrangian, qj), "=", -P.term(j) / qj + lam, base)
                  .step(-sp.Sum(delta * p / q, (i, 1, n)) + lam * sp.Sum(delta, (i, 1, n)), "differentiate",
                        "differentiate H(P,Q) + lambda (sum q_i - 1) in q_j")
                  .step(-P.term(j) / qj + lam, "sifting", "only the terms i = j remain")
                  .qed())
    at_zero = simplex(P, Q) + (holds(sp.Eq(p, lam * q), "p_i = \\lambda q_i \\text{ (gradient zero, times } q_i > 0)"),)
    multiplier = (Proof("kl_ce_same_minimizer.multiplier", "at a stationary point lambda = 1", lam, "=", sp.Integer(1), at_zero)
                  .step(lam * sp.Sum(q, (i, 1, n)), "normalisation", "normalisation: the q_i sum to 1")
                  .step(sp.Sum(lam * q, (i, 1, n)), "sum_linearity", "a constant factor moves inside the sum")
                  .step(sp.Sum(p, (i, 1, n)), "substitute", "stationarity: lambda q_i = p_i", subs={p: lam * q})
                  .step(sp.Integer(1), "normalisation", "normalisation: the p_i sum to 1")
                  .qed())
    point = (Proof("kl_ce_same_minimizer.point", "the stationary point is Q = P", q, "=", p, at_zero)
             .step(p / lam, "substitute", "stationarity: q_i = p_i / lambda", subs={p: lam * q})
             .step(p, "lemma", "lambda = 1", lemma=multiplier, factor=-p / lam)
             .qed())
    ce_min = (Proof("kl_ce_same_minimizer.ce_minimum", "H(P,Q) >= H(P,P): Q = P is the minimum", H(P, Q), ">=", H(P, P),
                    simplex(P, Q))
              .step(H(P), "lemma", "cross-entropy is at least the entropy", ">=", lemma=ce_lower_bound())
              .step(H(P, P), "lemma", "H(P,P) = H(P)", lemma=ce_self_is_entropy().parts[0], factor=sp.Integer(-1))
              .qed())
    kl_min = (Proof("kl_ce_same_minimizer.kl_minimum", "KL(P||Q) >= KL(P||P): Q = P is the minimum", KLdiv(P, Q), ">=",
                    KLdiv(P, P), simplex(P, Q))
              .step(sp.Integer(0), "lemma", "Gibbs' inequality", ">=", lemma=kl_nonnegative())
              .step(KLdiv(P, P), "lemma", "KL(P||P) = 0", lemma=ce_self_is_entropy().parts[1], factor=sp.Integer(-1))
              .qed())
    return combine("kl_ce_same_minimizer", "Cross-entropy and KL divergence have the same minimiser in Q",
                   (grad, stationary, multiplier, point, ce_min, kl_min),
                   notes=("H(P,Q) and KL(P||Q) differ by H(P), which does not depend on Q.",))


@register(13, "sigmoid_bce_gradient", "d/dz BCE(y, sigmoid(z)) = sigmoid(z) - y")
@cache
def sigmoid_bce_gradient() -> Derivation:
    s = Sigmoid(z_)
    return (Proof("sigmoid_bce_gradient", "Gradient of BCE through a sigmoid", D(BCE(y_, s), z_), "=", s - y_,
                  (in_interval(y_, CLOSED01),))
            .step(D(-(y_ * sp.log(s) + (1 - y_) * sp.log(1 - s)), z_), "definition", "definition of binary cross-entropy")
            .step(-(y_ * (1 - s) - (1 - y_) * s), "differentiate",
                  "chain rule with sigma'(z) = sigma(z) (1 - sigma(z))")
            .step(s - y_, "algebra", "expand: the y sigma(z) terms cancel")
            .qed())


def _softmax(idx) -> sp.Expr:
    return sp.exp(Z[idx]) / sp.Sum(sp.exp(Z[l]), (l, 1, K))


@register(14, "softmax_ce_gradient", "d/dz_k CE(y, softmax(z)) = softmax(z)_k - y_k when sum y = 1")
@cache
def softmax_ce_gradient() -> Derivation:
    S = sp.Sum(sp.exp(Z[l]), (l, 1, K))
    ysum = sp.Sum(Y[c], (c, 1, K))
    ce = -sp.Sum(Y[c] * sp.log(_softmax(c)), (c, 1, K))
    assumptions = (holds(sp.Eq(ysum, 1), "\\sum_c y_c = 1"),) + _in_range(k, K)
    return (Proof("softmax_ce_gradient", "Gradient of cross-entropy through a softmax", D(ce, Z[k]), "=",
                  _softmax(k) - Y[k], assumptions)
            .step(D(-sp.Sum(Y[c] * (Z[c] - sp.log(S)), (c, 1, K)), Z[k]), "log_laws",
                  "log of a quotient and of an exponential")
            .step(D(-sp.Sum(Y[c] * Z[c], (c, 1, K)) + ysum * sp.log(S), Z[k]), "sum_linearity", "sum of a difference")
            .step(D(-sp.Sum(Y[c] * Z[c], (c, 1, K)) + sp.log(S), Z[k]), "normalisation", "the targets sum to 1")
            .step(-sp.Sum(Y[c] * sp.KroneckerDelta(c, k), (c, 1, K))
                  + sp.Sum(sp.exp(Z[l]) * sp.KroneckerDelta(l, k), (l, 1, K)) / S, "differentiate",
                  "d z_c / d z_k = [c = k]; derivative of the log of a sum")
            .step(_softmax(k) - Y[k], "sifting", "only the terms c = k and l = k remain")
            .qed())


def _logits_case(sign: str) -> Derivation:
    s = Sigmoid(z_)
    ez = sp.exp(-z_) if sign == "+" else sp.exp(z_)
    stable = sp.Max(z_, 0) - z_ * y_ + sp.log(1 + sp.exp(-sp.Abs(z_)))
    dom = sp.Interval(0, sp.oo) if sign == "+" else sp.Interval.open(-sp.oo, 0)
    proof = Proof(f"bce_with_logits_stable.{'nonnegative' if sign == '+' else 'negative'}",
                  f"case z {'>= 0' if sign == '+' else '< 0'}", BCE(y_, s), "=", stable,
                  (in_interval(y_, CLOSED01), in_interval(z_, dom)))
    if sign == "+":
        proof.step(-(y_ * sp.log(1 / (1 + ez)) + (1 - y_) * sp.log(ez / (1 + ez))), "definition",
                   "definition, with sigma(z) = 1/(1 + e^-z) and 1 - sigma(z) = e^-z/(1 + e^-z)")
        proof.step(y_ * sp.log(1 + ez) + (1 - y_) * (z_ + sp.log(1 + ez)), "log_laws",
                   "log of a quotient and of an exponential")
        proof.step(z_ - z_ * y_ + sp.log(1 + ez), "algebra", "expand")
    else:
        proof.step(-(y_ * sp.log(ez / (1 + ez)) + (1 - y_) * sp.log(1 / (1 + ez))), "definition",
                   "definition, with sigma(z) = e^z/(1 + e^z) and 1 - sigma(z) = 1/(1 + e^z)")
        proof.step(-y_ * (z_ - sp.log(1 + ez)) + (1 - y_) * sp.log(1 + ez), "log_laws",
                   "log of a quotient and of an exponential")
        proof.step(-z_ * y_ + sp.log(1 + ez), "algebra", "expand")
    return proof.step(stable, "cases", f"for z {'>= 0' if sign == '+' else '< 0'}: max(z, 0) = "
                      f"{'z' if sign == '+' else '0'} and |z| = {'z' if sign == '+' else '-z'}").qed()


@register(15, "bce_with_logits_stable", "BCE(y, sigmoid(z)) = max(z,0) - z y + log(1 + exp(-|z|)) for all real z")
@cache
def bce_with_logits_stable() -> Derivation:
    return combine("bce_with_logits_stable", "The numerically stable form of BCE with logits",
                   (_logits_case("+"), _logits_case("-")),
                   notes=("The two cases cover the real line; exp(-|z|) <= 1, so nothing overflows.",))


@register(16, "log_softmax_logsumexp", "-log softmax(z)_c = logsumexp(z) - z_c; logsumexp(z + a) = logsumexp(z) + a")
@cache
def log_softmax_logsumexp() -> Derivation:
    a = sp.Symbol("a", real=True)
    S = sp.Sum(sp.exp(Z[l]), (l, 1, K))
    neg = (Proof("log_softmax_logsumexp.log_softmax", "-log softmax(z)_c = logsumexp(z) - z_c",
                 -sp.log(_softmax(c)), "=", sp.log(S) - Z[c], _in_range(c, K))
           .step(sp.log(S) - Z[c], "log_laws", "log of a quotient and of an exponential (the sum of exponentials is > 0)")
           .qed())
    shift = (Proof("log_softmax_logsumexp.shift", "logsumexp(z + a) = logsumexp(z) + a",
                   sp.log(sp.Sum(sp.exp(Z[l] + a), (l, 1, K))), "=", sp.log(S) + a, ())
             .step(sp.log(sp.Sum(sp.exp(a) * sp.exp(Z[l]), (l, 1, K))), "algebra", "e^(z + a) = e^a e^z")
             .step(sp.log(sp.exp(a) * S), "sum_linearity", "the constant factor e^a comes out of the sum")
             .step(sp.log(S) + a, "log_laws", "log of a product and of an exponential")
             .qed())
    return combine("log_softmax_logsumexp", "Log-softmax through log-sum-exp, and its shift invariance", (neg, shift))
