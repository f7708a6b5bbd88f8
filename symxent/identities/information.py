"""Entropy, cross-entropy and KL divergence: decomposition, self-information, Gibbs, the lower bound.

>>> from symxent.identities import get
>>> get("ce_decomposition").derive().status
'proved'
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..derivation.context import holds
from ..derivation.core import Derivation
from ..derivation.engine import Proof, combine
from ..derivation.quantities import H, KLdiv
from . import register
from ._common import P, Q, i, j, ln_le_x_minus_1, ln_lt_x_minus_1, n, simplex

p, q = P.term(), Q.term()
lim = (i, 1, n)


def S(body: sp.Expr) -> sp.Sum:
    return sp.Sum(body, lim)


@register(1, "ce_decomposition", "H(P,Q) = H(P) + KL(P||Q)")
@cache
def ce_decomposition() -> Derivation:
    return (Proof("ce_decomposition", "Cross-entropy is entropy plus KL divergence",
                  H(P, Q), "=", H(P) + KLdiv(P, Q), simplex(P, Q))
            .step(-S(p * sp.log(q)), "definition", "definition of cross-entropy")
            .step(-S(p * sp.log(p)) + S(p * sp.log(p)) - S(p * sp.log(q)), "algebra",
                  "add and subtract the sum of p_i log p_i")
            .step(-S(p * sp.log(p)) + S(p * (sp.log(p) - sp.log(q))), "sum_linearity", "sum of a difference")
            .step(-S(p * sp.log(p)) + S(p * sp.log(p / q)), "log_laws", "log of a quotient (p_i, q_i > 0)")
            .step(H(P) + KLdiv(P, Q), "definition", "definitions of entropy and KL divergence")
            .qed())


def _kl_self() -> Derivation:
    one = sp.log(sp.Integer(1), evaluate=False)
    return (Proof("kl_self_is_zero", "KL(P||P) = 0", KLdiv(P, P), "=", sp.Integer(0), simplex(P))
            .step(S(p * one), "definition", "definition of KL divergence, with p_i / p_i = 1")
            .step(sp.Integer(0), "evaluate", "log 1 = 0, and a sum of zeros is 0")
            .qed())


@register(2, "ce_self_is_entropy", "H(P,P) = H(P) and KL(P||P) = 0")
@cache
def ce_self_is_entropy() -> Derivation:
    ce = (Proof("ce_self_is_entropy", "H(P,P) = H(P)", H(P, P), "=", H(P), simplex(P))
          .step(-S(p * sp.log(p)), "definition", "definition of cross-entropy with Q = P")
          .step(H(P), "definition", "definition of entropy")
          .qed())
    return combine("ce_self_is_entropy", "The cross-entropy of P with itself is its entropy", (ce, _kl_self()),
                   notes=("H(P,P) = H(P) is 0 only for a distribution with all its mass on one event; "
                          "it is KL(P||P) that vanishes.",))


def _gibbs() -> Derivation:
    lemma = ln_le_x_minus_1()
    return (Proof("kl_nonnegative", "Gibbs' inequality", KLdiv(P, Q), ">=", sp.Integer(0), simplex(P, Q))
            .step(S(p * sp.log(p / q)), "definition", "definition of KL divergence")
            .step(-S(p * sp.log(q / p)), "log_laws", "log(p_i/q_i) = -log(q_i/p_i)")
            .step(-S(p * (q / p - 1)), "termwise", "ln x <= x - 1 at x = q_i/p_i, times p_i > 0, term by term",
                  ">=", lemma=lemma, subs={lemma.lhs.free_symbols.pop(): q / p}, factor=p)
            .step(-(S(q) - S(p)), "sum_linearity", "sum of a difference")
            .step(sp.Integer(0), "normalisation", "normalisation: the q_i and the p_i each sum to 1")
            .qed())


def _gibbs_strict() -> Derivation:
    weak, strict = ln_le_x_minus_1(), ln_lt_x_minus_1()
    xs = weak.lhs.free_symbols.pop()
    g = lambda t: t - 1 - sp.log(t)  # noqa: E731
    assumptions = simplex(P, Q) + (holds(sp.Ge(j, 1), "1 \\le j"), holds(sp.Le(j, n), "j \\le n"),
                                   holds(sp.Ne(Q.term(j), P.term(j)), "q_j \\ne p_j"))
    return (Proof("kl_nonnegative.equality", "KL(P||Q) > 0 when Q differs from P at some event j",
                  KLdiv(P, Q), ">", sp.Integer(0), assumptions)
            .step(S(p * sp.log(p / q)), "definition", "definition of KL divergence")
            .step(S(p * g(q / p)), "normalisation", "add the sum of q_i minus the sum of p_i, which is 1 - 1 = 0")
            .step(P.term(j) * g(Q.term(j) / P.term(j)), "sum_at_least_term",
                  "every term is nonnegative (ln x <= x - 1), so the sum is at least its j-th term", ">=",
                  index_value=j, lemma=weak, subs={xs: q / p}, factor=p)
            .step(sp.Integer(0), "lemma", "ln x < x - 1 for x = q_j/p_j != 1, times p_j > 0", ">",
                  lemma=strict, subs={xs: Q.term(j) / P.term(j)}, factor=P.term(j))
            .qed())


@register(3, "kl_nonnegative", "KL(P||Q) >= 0, with equality iff P = Q (Gibbs)")
@cache
def kl_nonnegative() -> Derivation:
    return combine("kl_nonnegative", "Gibbs' inequality and its equality case",
                   (_gibbs(), _kl_self(), _gibbs_strict()),
                   notes=("Equality: KL(P||P) = 0, and KL(P||Q) > 0 as soon as q_j != p_j for one j, "
                          "so KL(P||Q) = 0 exactly when P = Q.",))


@register(4, "ce_lower_bound", "H(P,Q) >= H(P)")
@cache
def ce_lower_bound() -> Derivation:
    return (Proof("ce_lower_bound", "Cross-entropy is at least the entropy", H(P, Q), ">=", H(P), simplex(P, Q))
            .step(H(P) + KLdiv(P, Q), "lemma", "cross-entropy decomposition", lemma=ce_decomposition())
            .step(H(P), "lemma", "Gibbs' inequality: KL(P||Q) >= 0", ">=", lemma=kl_nonnegative())
            .qed())
