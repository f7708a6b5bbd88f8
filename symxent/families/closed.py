"""Closed forms of the multivariate families (k and K given by the parameters).

These are the textbook formulas, not derived step by step here: the tests check each against
the univariate derivations it reduces to (a Dirichlet with K = 2 is a Beta; a diagonal
MultivariateNormal is a product of independent normals, whose KL is the sum of theirs) and
against numerical integration.

>>> from symxent.families import MultivariateNormal
>>> mvn_kl(MultivariateNormal([0, 0], [1, 1]), MultivariateNormal([0, 0], [1, 1]))
0
"""

from __future__ import annotations

import sympy as sp

from ..errors import ShapeError
from ..exact.special import Digamma, LogGamma

__all__ = ["mvn_entropy", "mvn_kl", "dirichlet_entropy", "dirichlet_kl"]


def mvn_entropy(P) -> sp.Expr:
    """``k/2 (1 + log 2 pi) + log det(Sigma) / 2``."""
    S = P.params["covariance_matrix"]
    return sp.Rational(P.k, 2) * (1 + sp.log(2 * sp.pi)) + sp.log(S.det()) / 2


def mvn_kl(P, Q) -> sp.Expr:
    """``(tr(S2^-1 S1) + d^T S2^-1 d - k + log det S2 - log det S1) / 2`` with ``d = mu2 - mu1``."""
    if P.k != Q.k:
        raise ShapeError(f"MultivariateNormal: KL between dimensions {P.k} and {Q.k}")
    S1, S2 = P.params["covariance_matrix"], Q.params["covariance_matrix"]
    d = sp.Matrix(Q.params["loc"]) - sp.Matrix(P.params["loc"])
    inv = S2.inv()
    quad = (d.T * inv * d)[0, 0]
    return ((inv * S1).trace() + quad - P.k + sp.log(S2.det()) - sp.log(S1.det())) / 2


def dirichlet_entropy(P) -> sp.Expr:
    """``log B(a) + (a0 - K) psi(a0) - sum (a_i - 1) psi(a_i)``."""
    a = P.params["concentration"]
    a0 = sp.Add(*a)
    logB = sp.Add(*(LogGamma((ai)) for ai in a)) - LogGamma((a0))
    return logB + (a0 - len(a)) * Digamma(a0) - sp.Add(*((ai - 1) * Digamma(ai) for ai in a))


def dirichlet_kl(P, Q) -> sp.Expr:
    """``log G(a0) - sum log G(a_i) - log G(b0) + sum log G(b_i) + sum (a_i - b_i)(psi(a_i) - psi(a0))``."""
    a, b = P.params["concentration"], Q.params["concentration"]
    if len(a) != len(b):
        raise ShapeError(f"Dirichlet: KL between K = {len(a)} and K = {len(b)}")
    a0, b0 = sp.Add(*a), sp.Add(*b)
    return (LogGamma((a0)) - sp.Add(*(LogGamma((ai)) for ai in a)) - LogGamma((b0))
            + sp.Add(*(LogGamma((bi)) for bi in b))
            + sp.Add(*((ai - bi) * (Digamma(ai) - Digamma(a0)) for ai, bi in zip(a, b))))
