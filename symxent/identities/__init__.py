"""The identity catalogue: each family of identities registers itself here.

An :class:`Identity` has a name (as in the catalogue), a statement, the assumptions it needs,
and ``derive()``, which returns a :class:`symxent.derivation.Derivation`. Family modules call
:func:`register`; :func:`catalogue` lists them in catalogue order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..derivation import Derivation

__all__ = ["Identity", "register", "catalogue", "get"]


@dataclass(frozen=True)
class Identity:
    """A catalogue entry: ``number`` orders it, ``derive()`` proves it."""

    number: int
    name: str
    summary: str
    derive: Callable[[], Derivation]


_REGISTRY: dict[str, Identity] = {}


def register(number: int, name: str, summary: str) -> Callable[[Callable[[], Derivation]], Callable[[], Derivation]]:
    """Decorator: record ``derive`` as the proof of catalogue identity ``name``."""

    def decorate(derive: Callable[[], Derivation]) -> Callable[[], Derivation]:
        if name in _REGISTRY:
            raise RuntimeError(f"identity {name!r} registered twice")
        _REGISTRY[name] = Identity(number, name, summary, derive)
        return derive

    return decorate


def _load_families() -> None:
    """Import every family module once, so that each registers its identities."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def catalogue() -> list[Identity]:
    """Every registered identity, in catalogue order."""
    _load_families()
    return sorted(_REGISTRY.values(), key=lambda i: i.number)


def get(name: str) -> Identity:
    """The identity called ``name`` (KeyError-free: raises SymxentError with the known names)."""
    from ..errors import SymxentError

    _load_families()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(i.name for i in catalogue())
        raise SymxentError(f"name={name!r} is not a catalogue identity (known: {known})") from None
