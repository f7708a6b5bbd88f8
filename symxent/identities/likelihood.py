"""Losses as likelihoods: BCE, log loss, categorical CE, empirical cross-entropy, Gaussian NLL.

Each loss of machine learning is the negative log-likelihood of a model: the logarithm laws
turn a product of probabilities into a sum of log-probabilities, sample by sample.

>>> from symxent.identities import get
>>> get("bce_is_bernoulli_nll").derive().status
'proved'
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..derivation.context import holds, in_interval, positive
from ..derivation.core import Derivation
from ..derivation.engine import Proof, combine
from ..derivation.quantities import BCE, KL, CrossEntropy
from . import register

y_, q_ = sp.Symbol("y", real=True), sp.Symbol("q", real=True)
N, K = sp.symbols("N K", integer=True, positive=True)
k, m, c = sp.symbols("k m c", integer=True, positive=True)
Y, Qb = sp.IndexedBase("y", real=True), sp.IndexedBase("q", positive=True)
X = sp.IndexedBase("x", integer=True)
OPEN01, CLOSED01 = sp.Interval.open(0, 1), sp.Interval(0, 1)


def bernoulli_pmf(y: sp.Expr, q: sp.Expr) -> sp.Expr:
    """``q**y (1 - q)**(1 - y)``, the Bernoulli likelihood of y."""
    return q**y * (1 - q) ** (1 - y)


def _bce_case(value: int) -> Derivation:
    rhs = -sp.log(q_ if value == 1 else 1 - q_)
    return (Proof(f"bce_is_bernoulli_nll.y{value}", f"BCE(y, q) at y = {value}", BCE(y_, q_), "=", rhs,
                  (holds(sp.Eq(y_, value)), in_interval(q_, OPEN01)))
            .step(-(y_ * sp.log(q_) + (1 - y_) * sp.log(1 - q_)), "definition", "definition of binary cross-entropy")
            .step(-sp.log(bernoulli_pmf(y_, q_)), "log_laws", "log of a product and of powers (q, 1 - q > 0)")
            .step(rhs, "substitute", f"the Bernoulli likelihood at y = {value}", subs={y_: sp.Integer(value)})
            .qed())


@register(7, "bce_is_bernoulli_nll", "BCE(y, q) = -log Bernoulli(y; q) for y in {0,1}; soft labels too")
@cache
def bce_is_bernoulli_nll() -> Derivation:
    soft = (Proof("bce_is_bernoulli_nll.soft", "BCE(y, q) = -log(q^y (1-q)^(1-y)) for y in [0, 1]",
                  BCE(y_, q_), "=", -sp.log(bernoulli_pmf(y_, q_)), (in_interval(y_, CLOSED01), in_interval(q_, OPEN01)))
            .step(-(y_ * sp.log(q_) + (1 - y_) * sp.log(1 - q_)), "definition",
                  "definition: the cross-entropy of [y, 1-y] and [q, 1-q]")
            .step(-sp.log(bernoulli_pmf(y_, q_)), "log_laws", "log of a product and of powers (q, 1 - q > 0)")
            .qed())
    return combine("bce_is_bernoulli_nll", "Binary cross-entropy is the Bernoulli negative log-likelihood",
                   (soft, _bce_case(1), _bce_case(0)))


@register(8, "log_loss_is_mean_bce", "log loss over N samples = (1/N) NLL under independent Bernoullis")
@cache
def log_loss_is_mean_bce() -> Derivation:
    y, q = Y[k], sp.IndexedBase("q", real=True)[k]
    pmf = bernoulli_pmf(y, q)
    lim = (k, 1, N)
    return (Proof("log_loss_is_mean_bce", "Log loss is the mean Bernoulli negative log-likelihood",
                  sp.Sum(BCE(y, q), lim) / N, "=", -sp.log(sp.Product(pmf, lim)) / N,
                  (in_interval(y, CLOSED01), in_interval(q, OPEN01)))
            .step(sp.Sum(-(y * sp.log(q) + (1 - y) * sp.log(1 - q)), lim) / N, "definition",
                  "definition of binary cross-entropy, sample by sample")
            .step(-sp.Sum(sp.log(pmf), lim) / N, "log_laws", "log of a product and of powers (q_k, 1 - q_k > 0)")
            .step(-sp.log(sp.Product(pmf, lim)) / N, "log_laws",
                  "the log of a product is the sum of the logs: independent samples")
            .qed())


@register(9, "cce_is_multinoulli_nll", "categorical CE with a one-hot target = -log q_c; mean = multinoulli NLL")
@cache
def cce_is_multinoulli_nll() -> Derivation:
    lim = (k, 1, K)
    general = (Proof("cce_is_multinoulli_nll.likelihood", "CE(y, q) = -log prod_k q_k^y_k",
                     CrossEntropy(Y, Qb, k, K, sp.E), "=", -sp.log(sp.Product(Qb[k] ** Y[k], lim)), ())
               .step(-sp.Sum(Y[k] * sp.log(Qb[k]), lim), "definition", "definition of cross-entropy over K classes")
               .step(-sp.log(sp.Product(Qb[k] ** Y[k], lim)), "log_laws", "log of a product of powers (q_k > 0)")
               .qed())
    onehot = (Proof("cce_is_multinoulli_nll.one_hot", "one-hot target: CE = -log q_c",
                    -sp.Sum(sp.KroneckerDelta(k, c) * sp.log(Qb[k]), lim), "=", -sp.log(Qb[c]),
                    (holds(sp.Ge(c, 1), "1 \\le c"), holds(sp.Le(c, K), "c \\le K")))
              .step(-sp.log(Qb[c]), "sifting", "y_k = [k = c] picks the term k = c")
              .qed())
    qmc = Qb[m, X[m]]
    mean = (Proof("cce_is_multinoulli_nll.mean", "mean over N samples = multinoulli NLL / N",
                  sp.Sum(-sp.log(qmc), (m, 1, N)) / N, "=", -sp.log(sp.Product(qmc, (m, 1, N))) / N, ())
            .step(-sp.log(sp.Product(qmc, (m, 1, N))) / N, "log_laws", "the log of a product is the sum of the logs")
            .qed())
    return combine("cce_is_multinoulli_nll", "Categorical cross-entropy is the multinoulli negative log-likelihood",
                   (general, onehot, mean))


@register(10, "nll_is_empirical_ce", "mean NLL of a dataset under Q = H(P_hat, Q)")
@cache
def nll_is_empirical_ce() -> Derivation:
    xm = X[m]
    delta = sp.KroneckerDelta(k, xm)
    count = sp.Sum(delta, (m, 1, N))
    return (Proof("nll_is_empirical_ce", "Mean negative log-likelihood is the empirical cross-entropy",
                  -sp.Sum(sp.log(Qb[xm]), (m, 1, N)) / N, "=", -sp.Sum(count / N * sp.log(Qb[k]), (k, 1, K)),
                  (holds(sp.Ge(xm, 1), "1 \\le x_m"), holds(sp.Le(xm, K), "x_m \\le K")),
                  notes=("P_hat(k) = c_k / N with c_k = sum_m [x_m = k], the empirical distribution.",))
            .step(-sp.Sum(sp.Sum(delta * sp.log(Qb[k]), (k, 1, K)), (m, 1, N)) / N, "sifting",
                  "write log q_{x_m} as a sum over the classes k with [k = x_m]")
            .step(-sp.Sum(count * sp.log(Qb[k]), (k, 1, K)) / N, "swap_sums",
                  "exchange the two finite sums: group the samples by class")
            .step(-sp.Sum(count / N * sp.log(Qb[k]), (k, 1, K)), "sum_linearity",
                  "move 1/N inside: the empirical probabilities c_k / N")
            .qed())


@register(17, "label_smoothing", "CE((1-e) y + e/K, q) = (1-e) CE(y, q) + e CE(uniform, q)")
@cache
def label_smoothing() -> Derivation:
    eps = sp.Symbol("epsilon", real=True)
    lim = (k, 1, K)
    uniform = -sp.Sum(sp.log(Qb[k]) / K, lim)
    return (Proof("label_smoothing", "Label smoothing mixes the cross-entropies",
                  -sp.Sum(((1 - eps) * Y[k] + eps / K) * sp.log(Qb[k]), lim), "=",
                  (1 - eps) * CrossEntropy(Y, Qb, k, K, sp.E) + eps * uniform, (in_interval(eps, CLOSED01),))
            .step((1 - eps) * -sp.Sum(Y[k] * sp.log(Qb[k]), lim) + eps * uniform, "sum_linearity",
                  "sum of a weighted sum: the weights 1 - e and e factor out")
            .step((1 - eps) * CrossEntropy(Y, Qb, k, K, sp.E) + eps * uniform, "definition",
                  "definition of cross-entropy")
            .qed())


@register(20, "kl_bernoulli_closed_form", "KL(Bern(a)||Bern(b)) = a log(a/b) + (1-a) log((1-a)/(1-b))")
@cache
def kl_bernoulli_closed_form() -> Derivation:
    a, b = sp.symbols("a b", real=True)
    p, q, i = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True), sp.Symbol("i", integer=True, positive=True)
    subs = {p[1]: a, p[2]: 1 - a, q[1]: b, q[2]: 1 - b}
    kl = KL(p, q, i, sp.Integer(2), sp.E)
    rhs = a * sp.log(a / b) + (1 - a) * sp.log((1 - a) / (1 - b))
    return (Proof("kl_bernoulli_closed_form", "KL divergence of two Bernoulli distributions", kl, "=", rhs,
                  (in_interval(a, OPEN01), in_interval(b, OPEN01)) + tuple(holds(sp.Eq(s, v)) for s, v in subs.items()))
            .step(kl.unfold(), "definition", "definition of KL divergence over two events")
            .step(kl.unfold().doit(), "evaluate", "write out the two terms")
            .step(rhs, "substitute", "Bern(a) = [a, 1-a], Bern(b) = [b, 1-b]", subs=subs)
            .qed())


@register(12, "gaussian_nll_is_mse", "mean Gaussian NLL (fixed sigma) = MSE/(2 sigma^2) + log(2 pi sigma^2)/2")
@cache
def gaussian_nll_is_mse() -> Derivation:
    s = sp.Symbol("sigma", positive=True)
    mu, j = sp.IndexedBase("mu", real=True), sp.Symbol("j", integer=True, positive=True)
    lim = (k, 1, N)
    density = sp.exp(-(Y[k] - mu[k]) ** 2 / (2 * s**2)) / sp.sqrt(2 * sp.pi * s**2)
    nll = -sp.Sum(sp.log(density), lim) / N
    mse = sp.Sum((Y[k] - mu[k]) ** 2, lim) / N
    rhs = mse / (2 * s**2) + sp.log(2 * sp.pi * s**2) / 2
    assumptions = (positive(s, "\\sigma > 0"),)
    link = (Proof("gaussian_nll_is_mse", "Mean Gaussian NLL is an affine function of the MSE", nll, "=", rhs, assumptions)
            .step(sp.Sum((Y[k] - mu[k]) ** 2 / (2 * s**2) + sp.log(2 * sp.pi * s**2) / 2, lim) / N, "log_laws",
                  "log of a quotient, of a square root and of an exponential (sigma > 0)")
            .step(rhs, "sum_linearity", "sum of a sum; the constant term is the same for all N samples")
            .qed())
    grad = (Proof("gaussian_nll_is_mse.gradient", "same gradient in mu up to the factor 1/(2 sigma^2) > 0",
                  sp.Derivative(nll, mu[j]), "=", sp.Derivative(mse, mu[j]) / (2 * s**2),
                  assumptions + (holds(sp.Ge(j, 1), "1 \\le j"), holds(sp.Le(j, N), "j \\le N")))
            .step(sp.Derivative(rhs, mu[j]), "lemma", "the link just proved", lemma=link)
            .step(sp.Derivative(mse, mu[j]) / (2 * s**2), "differentiate",
                  "the constant term has derivative 0; constant factors come out")
            .qed())
    return combine("gaussian_nll_is_mse", "Gaussian NLL with a fixed variance is MSE up to an affine map",
                   (link, grad), notes=("The map is increasing (1/(2 sigma^2) > 0), so both have the same minimisers.",))
