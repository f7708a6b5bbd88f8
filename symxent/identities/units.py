"""Units: the logarithm base rescales every measure by 1/ln b, and perplexity does not see it.

>>> from symxent.identities import get
>>> get("change_of_base").derive().status
'proved'
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..derivation.context import holds, positive
from ..derivation.core import Derivation
from ..derivation.engine import Proof, combine
from ..derivation.quantities import H, KLdiv
from . import register
from ._common import P, Q, i, n, simplex

b = sp.Symbol("b", positive=True)
p, q = P.term(), Q.term()
lim = (i, 1, n)
_BASE = (positive(b, "b > 0"), holds(sp.Ne(b, 1), "b \\ne 1"))


def _rescale(name: str, title: str, quantity, natural) -> Derivation:
    body = quantity(sp.E).unfold()
    return (Proof(name, title, quantity(b), "=", natural / sp.log(b), simplex(P, Q) + _BASE)
            .step(body / sp.log(b), "definition", "definition: log_b x = ln x / ln b, a constant factor of the sum")
            .step(natural / sp.log(b), "definition", "the sum is the quantity in nats")
            .qed())


@register(6, "change_of_base", "H_b = H_e / ln b; bits = nats / ln 2 (same for KL)")
@cache
def change_of_base() -> Derivation:
    parts = (
        _rescale("change_of_base.entropy", "H_b(P) = H(P) / ln b", lambda base: H(P, base=base), H(P)),
        _rescale("change_of_base.cross_entropy", "H_b(P,Q) = H(P,Q) / ln b", lambda base: H(P, Q, base), H(P, Q)),
        _rescale("change_of_base.kl", "KL_b(P||Q) = KL(P||Q) / ln b", lambda base: KLdiv(P, Q, base), KLdiv(P, Q)),
        (Proof("change_of_base.bits", "bits = nats / ln 2", H(P, base=sp.Integer(2)), "=", H(P) / sp.log(2), simplex(P))
         .step(H(P).unfold() / sp.log(2), "definition", "definition with b = 2")
         .step(H(P) / sp.log(2), "definition", "the sum is the entropy in nats")
         .qed()),
    )
    return combine("change_of_base", "Changing the logarithm base rescales by 1/ln b", parts)


@register(19, "perplexity_base_free", "b ** H_b(P,Q) does not depend on b")
@cache
def perplexity_base_free() -> Derivation:
    return (Proof("perplexity_base_free", "Perplexity does not depend on the base",
                  b ** H(P, Q, b), "=", sp.exp(H(P, Q)), simplex(P, Q) + _BASE)
            .step(b ** (H(P, Q) / sp.log(b)), "definition", "change of base: H_b(P,Q) = H(P,Q) / ln b")
            .step(sp.exp(sp.log(b) * H(P, Q) / sp.log(b), evaluate=False), "powers", "b^x = exp(x ln b) for b > 0")
            .step(sp.exp(H(P, Q)), "algebra", "ln b cancels")
            .qed())
