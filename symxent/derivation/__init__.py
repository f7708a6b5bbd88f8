"""The proof engine: derivations as chains of verified steps.

:class:`Proof` builds a :class:`Derivation` step by step; each step cites a rule of
:mod:`symxent.derivation.rules`, which checks it (with its side conditions) as it is added.
"""

from .core import Assumption, Derivation, Step, compose_relations
from .engine import Proof, combine

__all__ = ["Assumption", "Derivation", "Step", "compose_relations", "Proof", "combine"]
