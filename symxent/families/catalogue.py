"""The family derivations as catalogue entries: one per family's entropy, one per KL pair and support case.

They join ``symxent prove NAME`` / ``symxent prove --families``, ``symxent derive NAME`` and the
``derivations/`` folder, numbered after the identity catalogue (from 101).

>>> names = [e.name for e in entries()]
>>> "kl_normal_normal" in names and "entropy_gamma" in names and "kl_uniform_uniform_outside1" in names
True
"""

from __future__ import annotations

from functools import cache, partial

from ..identities import Identity
from .derivations import entropy_derivation, generic, kl_derivation, kl_name, support_cases, _shared
from .registry import ENTROPIES, PAIRS

__all__ = ["entries", "find"]


@cache
def entries() -> tuple[Identity, ...]:
    """Every family derivation, entropies first, then the KL pairs in registry order."""
    out: list[Identity] = []
    number = 101
    for cls in ENTROPIES:
        out.append(Identity(number, f"entropy_{cls.__name__.lower()}", f"H({cls.__name__}) from -E[log p(X)]",
                            partial(entropy_derivation, cls)))
        number += 1
    for p_cls, q_cls in PAIRS:
        P, _ = generic(p_cls, "1", _shared(p_cls, q_cls, None))
        Q, _ = generic(q_cls, "2", _shared(p_cls, q_cls, None))
        for case, (kind, _, _) in enumerate(support_cases(P, Q)):
            what = "= +oo: the support of P is not inside that of Q" if kind == "outside" else \
                "from E_P[log p(X) - log q(X)]"
            out.append(Identity(number, kl_name(p_cls, q_cls, case), f"KL({p_cls.__name__} || {q_cls.__name__}) {what}",
                                partial(kl_derivation, p_cls, q_cls, case)))
            number += 1
    return tuple(out)


def find(name: str) -> Identity | None:
    """The family derivation called ``name``, or None."""
    return next((e for e in entries() if e.name == name), None)
