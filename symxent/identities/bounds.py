"""Bounds: 0 <= H(P) <= log n with the maximum only at the uniform distribution; JS <= log 2.

>>> from symxent.identities import get
>>> get("entropy_bounds").derive().status
'proved'
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..derivation.context import holds
from ..derivation.core import Derivation
from ..derivation.engine import Proof, combine
from ..derivation.quantities import H, JS
from . import register
from ._common import P, Q, i, j, ln_le_x_minus_1, ln_lt_x_minus_1, n, simplex, x

p, q = P.term(), Q.term()
lim = (i, 1, n)


def S(body: sp.Expr) -> sp.Sum:
    return sp.Sum(body, lim)


def g(t: sp.Expr) -> sp.Expr:
    return t - 1 - sp.log(t)


def _nonnegative() -> Derivation:
    return (Proof("entropy_bounds.lower", "H(P) >= 0", H(P), ">=", sp.Integer(0), simplex(P))
            .step(-S(p * sp.log(p)), "definition", "definition of entropy")
            .step(S(p * (1 - p)), "termwise", "ln p_i <= p_i - 1, times p_i > 0, term by term", ">=",
                  lemma=ln_le_x_minus_1(), subs={x: p}, factor=p)
            .step(sp.Integer(0), "nonnegative_terms", "each p_i (1 - p_i) >= 0 since 0 < p_i <= 1", ">=")
            .qed())


def _upper() -> Derivation:
    return (Proof("entropy_bounds.upper", "H(P) <= log n", H(P), "<=", sp.log(n), simplex(P))
            .step(-S(p * sp.log(p)), "definition", "definition of entropy")
            .step(-S(p * (sp.log(p) + sp.log(n))) + sp.log(n), "normalisation",
                  "add and subtract log n = sum of p_i log n (normalisation)")
            .step(-S(p * sp.log(p * n)) + sp.log(n), "log_laws", "log of a product")
            .step(S(p * (1 / (p * n) - 1)) + sp.log(n), "termwise",
                  "ln x <= x - 1 at x = 1/(n p_i), times p_i > 0, term by term", "<=",
                  lemma=ln_le_x_minus_1(), subs={x: 1 / (p * n)}, factor=-p)
            .step(1 - S(p) + sp.log(n), "sum_linearity", "sum of a difference; n terms equal to 1/n")
            .step(sp.log(n), "normalisation", "normalisation: the p_i sum to 1")
            .qed())


def _uniform() -> Derivation:
    return (Proof("entropy_bounds.uniform", "H(U) = log n for the uniform distribution",
                  -S(sp.log(1 / n) / n), "=", sp.log(n), ())
            .step(sp.log(n), "sum_linearity", "n equal terms; log(1/n) = -log n")
            .qed())


def _only_uniform() -> Derivation:
    assumptions = simplex(P) + (holds(sp.Ge(j, 1), "1 \\le j"), holds(sp.Le(j, n), "j \\le n"),
                                holds(sp.Ne(n * P.term(j), 1), "p_j \\ne 1/n"))
    pj = P.term(j)
    return (Proof("entropy_bounds.maximum_only_at_uniform", "log n - H(P) > 0 unless P is uniform",
                  sp.log(n) - H(P), ">", sp.Integer(0), assumptions)
            .step(sp.log(n) + S(p * sp.log(p)), "definition", "definition of entropy")
            .step(S(p * (sp.log(p) + sp.log(n))), "normalisation", "log n = sum of p_i log n (normalisation)")
            .step(S(p * sp.log(p * n)), "log_laws", "log of a product")
            .step(S(p * g(1 / (p * n))), "normalisation", "add the sum of 1/n minus the sum of p_i, which is 1 - 1 = 0")
            .step(pj * g(1 / (pj * n)), "sum_at_least_term",
                  "every term is nonnegative (ln x <= x - 1), so the sum is at least its j-th term", ">=",
                  index_value=j, lemma=ln_le_x_minus_1(), subs={x: 1 / (p * n)}, factor=p)
            .step(sp.Integer(0), "lemma", "ln x < x - 1 at x = 1/(n p_j) != 1, times p_j > 0", ">",
                  lemma=ln_lt_x_minus_1(), subs={x: 1 / (pj * n)}, factor=pj)
            .qed())


@register(18, "entropy_bounds", "0 <= H(P) <= log n, the maximum exactly at the uniform distribution")
@cache
def entropy_bounds() -> Derivation:
    return combine("entropy_bounds", "Entropy lies between 0 and log n",
                   (_nonnegative(), _upper(), _uniform(), _only_uniform()))


@register(22, "js_divergence", "JS(P,Q) = (KL(P||M) + KL(Q||M))/2, M = (P+Q)/2, is symmetric and <= log 2")
@cache
def js_divergence() -> Derivation:
    half = sp.Rational(1, 2)
    sym = (Proof("js_divergence.symmetric", "JS(P,Q) = JS(Q,P)", JS(P.base, Q.base, i, n), "=", JS(Q.base, P.base, i, n),
                 simplex(P, Q))
           .step(JS(P.base, Q.base, i, n).unfold(), "definition", "definition, with M = (P + Q)/2")
           .step(JS(Q.base, P.base, i, n), "definition", "the same two terms in the other order; M is symmetric")
           .qed())
    a, b = p / (p + q), q / (p + q)
    bound = (Proof("js_divergence.upper", "JS(P,Q) <= log 2", JS(P.base, Q.base, i, n), "<=", sp.log(2), simplex(P, Q))
             .step(half * (S(p * sp.log(2 * p / (p + q))) + S(q * sp.log(2 * q / (p + q)))), "definition",
                   "definition, with M = (P + Q)/2")
             .step(half * S(p * sp.log(a) + q * sp.log(b)) + half * S((p + q) * sp.log(2)), "log_laws",
                   "log of a product and of a quotient (p_i + q_i > 0)")
             .step(half * S(p * sp.log(a) + q * sp.log(b)) + sp.log(2), "normalisation",
                   "the p_i and the q_i each sum to 1")
             .step(half * S(p * (a - 1) + q * sp.log(b)) + sp.log(2), "termwise",
                   "ln x <= x - 1 at x = p_i/(p_i + q_i)", "<=", lemma=ln_le_x_minus_1(), subs={x: a}, factor=-p / 2)
             .step(half * S(p * (a - 1) + q * (b - 1)) + sp.log(2), "termwise",
                   "ln x <= x - 1 at x = q_i/(p_i + q_i)", "<=", lemma=ln_le_x_minus_1(), subs={x: b}, factor=-q / 2)
             .step(sp.log(2) - S(p * q / (p + q)), "algebra", "p (p/(p+q) - 1) = -p q/(p+q), the same for q")
             .step(sp.log(2), "nonnegative_terms", "each p_i q_i / (p_i + q_i) >= 0", "<=")
             .qed())
    return combine("js_divergence", "Jensen-Shannon divergence: symmetric and at most log 2", (sym, bound))
