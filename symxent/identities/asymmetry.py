"""Cross-entropy and KL divergence are not symmetric: an exact witness (worked example 1).

>>> from symxent.identities import get
>>> get("ce_asymmetric").derive().status
'proved'
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .. import measures
from ..derivation.context import holds
from ..derivation.core import Derivation, Relation
from ..derivation.engine import Proof, combine
from ..derivation.quantities import KL, CrossEntropy
from ..examples import EXAMPLE_1
from ..inputs import exact_list
from . import register
from ._common import P, Q, i

THREE = sp.Integer(3)


def _values():
    ps = exact_list(EXAMPLE_1.p, "p")
    qs = exact_list(EXAMPLE_1.q, "q")
    subs = {P.base[k + 1]: v for k, v in enumerate(ps)} | {Q.base[k + 1]: v for k, v in enumerate(qs)}
    return ps, qs, subs


def _witness(name: str, title: str, cls, measure, order: Relation) -> Derivation:
    ps, qs, subs = _values()
    base = sp.Integer(EXAMPLE_1.base)
    lhs, rhs = cls(P.base, Q.base, i, THREE, base), cls(Q.base, P.base, i, THREE, base)
    assumptions = tuple(holds(sp.Eq(k, v)) for k, v in subs.items())
    forward, backward = lhs.unfold(), rhs.unfold()
    return (Proof(name, title, lhs, "!=", rhs, assumptions,
                  notes=(f"P = {list(EXAMPLE_1.p)}, Q = {list(EXAMPLE_1.q)} over {list(EXAMPLE_1.events)}, "
                         f"log base {EXAMPLE_1.base}.",))
            .step(forward, "definition", "definition, n = 3 events")
            .step(forward.doit(), "evaluate", "write out the three terms")
            .step(measure(ps, qs, base=base), "substitute", "the probabilities of worked example 1", subs=subs)
            .step(measure(qs, ps, base=base), "certified_order", "exact comparison of the two values", order)
            .step(backward.doit(), "substitute", "the probabilities of worked example 1", subs=subs)
            .step(backward, "evaluate", "collect the three terms")
            .step(rhs, "definition", "definition, with the roles of P and Q swapped")
            .qed())


@register(5, "ce_asymmetric", "H(P,Q) != H(Q,P) and KL(P||Q) != KL(Q||P) in general (exact witness)")
@cache
def ce_asymmetric() -> Derivation:
    parts = (_witness("ce_asymmetric.cross_entropy", "H(P,Q) != H(Q,P)", CrossEntropy, measures.cross_entropy, ">"),
             _witness("ce_asymmetric.kl", "KL(P||Q) != KL(Q||P)", KL, measures.kl_divergence, "<"))
    return combine("ce_asymmetric", "Cross-entropy and KL divergence are not symmetric", parts,
                   notes=("One witness suffices to refute symmetry as an identity.",))
