"""Finite distributions with exact entries: a small validated class.

A check raises only when a constraint is provably false: a symbolic entry may be anything until
its assumptions say otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import sympy as sp

from ..errors import DomainError, NormalizationError, ShapeError, UnsupportedError, shown
from ..inputs import FloatReading, exact, exact_list

__all__ = ["Categorical", "as_distribution", "check_probability", "bernoulli"]


def check_probability(value: sp.Expr, name: str) -> sp.Expr:
    """Raise :class:`DomainError` if ``value`` is provably outside [0, 1]; return it.

    >>> check_probability(sp.Rational(1, 2), "q")
    1/2
    """
    if value.is_extended_real is False:
        raise DomainError(f"{name}={value} is not a real number")
    if value.is_negative or (value - 1).is_positive:
        raise DomainError(f"{name}={value} lies outside [0, 1]")
    return value


@dataclass(frozen=True)
class Categorical:
    """A distribution over n events, its probabilities as exact SymPy objects.

    Parameters
    ----------
    probs : sequence
        The probabilities; anything :func:`symxent.inputs.exact` reads, symbols included.
    name : str
        How errors and renderers call it (``"P"``, ``"Q"``).
    floats : {"binary", "shortest"}
        How Python floats are read.
    tol : number, optional
        Accept a sum that differs from 1 by at most ``tol`` (for float data); the entries are
        kept as given, never silently rescaled. Default: the sum must be exactly 1.
    normalize : bool
        Divide every entry by the exact sum. Explicit, never implied.

    >>> Categorical(["0.1", "0.4", "0.5"]).probs
    (1/10, 2/5, 1/2)
    >>> p = sp.Symbol("p", positive=True)
    >>> Categorical([p, 1 - p]).probs
    (p, 1 - p)
    """

    probs: tuple[sp.Expr, ...]
    name: str = "P"

    def __init__(self, probs: Iterable[Any], name: str = "P", *, floats: FloatReading = "binary",
                 tol: Any = None, normalize: bool = False) -> None:
        raw = list(probs) if not isinstance(probs, str) else probs
        from_floats = not isinstance(raw, str) and any(isinstance(v, float) or _is_numpy_float(v) for v in raw)
        values = exact_list(raw, name, floats=floats)
        if not values:
            raise ShapeError(f"{name} is empty: a distribution needs at least one event")
        values = [check_probability(v, f"{name}[{i}]") for i, v in enumerate(values)]
        total = sp.Add(*values)
        if normalize:
            if total.free_symbols or total == 0:
                raise NormalizationError(f"{name} cannot be normalised: its sum is {total}")
            values = [v / total for v in values]
        else:
            _check_sum(total, name, tol, from_floats and floats == "binary")
        object.__setattr__(self, "probs", tuple(values))
        object.__setattr__(self, "name", name)

    def __len__(self) -> int:
        return len(self.probs)

    def __iter__(self):
        return iter(self.probs)

    def __getitem__(self, i: int) -> sp.Expr:
        return self.probs[i]


def _is_numpy_float(v: Any) -> bool:
    return type(v).__module__ == "numpy" and hasattr(v, "as_integer_ratio")


def _check_sum(total: sp.Expr, name: str, tol: Any, from_floats: bool) -> None:
    defect = sp.simplify(total - 1) if total.free_symbols else total - 1
    if defect.free_symbols or defect == 0:
        return
    if tol is not None and abs(defect) <= exact(tol, "tol"):
        return
    hint = "" if tol is not None or not from_floats else (
        "; floats are read at their exact binary value: pass floats='shortest' to read 0.1 as 1/10,"
        " tol=... to accept a rounding defect, or normalize=True to rescale"
    )
    raise NormalizationError(f"{name} sums to {sp.N(total, 20)} (exactly {total}), not 1{hint}")


def as_distribution(p: Any, name: str, *, floats: FloatReading = "binary") -> Categorical:
    """A :class:`Categorical` from a Categorical or a sequence of probabilities."""
    if isinstance(p, Categorical):
        return p
    if isinstance(p, (str, bytes)) or not isinstance(p, (Sequence, Iterable)):
        if isinstance(p, str):
            return Categorical(p, name, floats=floats)
        raise UnsupportedError(f"{name}={shown(p)} is not a distribution (a sequence of probabilities)")
    return Categorical(p, name, floats=floats)


def bernoulli(q: Any, name: str = "q", *, floats: FloatReading = "binary") -> Categorical:
    """The two-event distribution ``[q, 1 - q]``.

    >>> bernoulli("0.8").probs
    (4/5, 1/5)
    """
    value = check_probability(exact(q, name, floats=floats), name)
    return Categorical([value, 1 - value], name)
