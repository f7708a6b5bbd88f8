"""The proof engine: derivations as chains of verified steps."""

from .core import Assumption, Derivation, Step, compose_relations

__all__ = ["Assumption", "Derivation", "Step", "compose_relations"]
