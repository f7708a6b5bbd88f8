"""What every parametric family shares: exact parameters, their domains, and the support.

A family is a small validated class. Its parameters are read exactly by
:func:`symxent.inputs.exact` (``"1e-200"`` is 10**-200, a float is its binary value, a SymPy
symbol passes through), each is checked against its domain, and a check raises
:class:`symxent.errors.DomainError` only when the constraint is provably false: a symbol may be
anything its assumptions allow. Parameter names and conventions are those of
``torch.distributions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import sympy as sp

from ..errors import DomainError, ShapeError, UnsupportedError, shown
from ..inputs import exact

__all__ = ["Domain", "Family", "REAL", "POSITIVE", "UNIT", "COUNT", "check_parameter", "x", "x_pos", "k"]

x = sp.Symbol("x", real=True)
"""The variable of a density on the real line."""
x_pos = sp.Symbol("x", positive=True)
"""The variable of a density whose support lies in ``(0, oo)``."""
k = sp.Symbol("k", integer=True, nonnegative=True)
"""The variable of every discrete mass function."""


@dataclass(frozen=True)
class Domain:
    """A parameter domain: the real line, ``(0, oo)``, ``[0, 1]`` or the counts ``{0, 1, ...}``."""

    name: str
    text: str
    interval: sp.Set
    integer: bool = False


REAL = Domain("real", "a real number", sp.Reals)
POSITIVE = Domain("positive", "> 0", sp.Interval.open(0, sp.oo))
UNIT = Domain("unit", "in [0, 1]", sp.Interval(0, 1))
COUNT = Domain("count", "a nonnegative integer", sp.Interval(0, sp.oo), integer=True)


def _provably_outside(value: sp.Expr, domain: Domain) -> bool:
    if value.is_extended_real is False:
        return True
    if domain.integer and (value.is_integer is False or value.is_negative):
        return True
    iv = domain.interval
    if iv == sp.Reals:
        return value.is_finite is False
    low = (value - iv.start).is_nonpositive if iv.left_open else (value - iv.start).is_negative
    high = iv.end != sp.oo and ((value - iv.end).is_nonnegative if iv.right_open else (value - iv.end).is_positive)
    return bool(low) or bool(high)


def check_parameter(value: Any, name: str, domain: Domain, family: str) -> sp.Expr:
    """Read ``value`` exactly and raise :class:`DomainError` if it is provably outside ``domain``.

    >>> check_parameter("1e-200", "scale", POSITIVE, "Normal") == sp.Rational(1, 10**200)
    True
    >>> check_parameter("0", "scale", POSITIVE, "Normal")
    Traceback (most recent call last):
    ...
    symxent.errors.DomainError: Normal: scale=0 must be > 0
    """
    v = exact(value, name)
    if _provably_outside(v, domain):
        raise DomainError(f"{family}: {name}={shown(v)} must be {domain.text}")
    return v


class Family:
    """Base class: a named parametric family with exact parameters.

    Subclasses declare ``PARAMS`` (name -> :class:`Domain`, in torch's order), ``kind``
    ("continuous" or "discrete") and the density; the derivations of
    :mod:`symxent.families.derivations` read only :meth:`density`, :meth:`support` and the
    moments of :mod:`symxent.families.moments`.
    """

    PARAMS: ClassVar[dict[str, Domain]] = {}
    kind: ClassVar[str] = "continuous"
    positive_support: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = list(self.PARAMS)
        if len(args) > len(names):
            raise ShapeError(f"{type(self).__name__} takes {len(names)} parameters ({', '.join(names)}), "
                             f"got {len(args)}")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in self.PARAMS:
                raise UnsupportedError(f"{type(self).__name__}: unknown parameter {key}={shown(value)} "
                                       f"(expected {', '.join(names)})")
            if key in given:
                raise ShapeError(f"{type(self).__name__}: parameter {key} given twice")
            given[key] = value
        missing = [n for n in names if n not in given]
        if missing:
            raise ShapeError(f"{type(self).__name__}: missing parameter(s) {', '.join(missing)}")
        self.params = {n: check_parameter(given[n], n, d, type(self).__name__) for n, d in self.PARAMS.items()}
        self._validate()

    def _validate(self) -> None:
        """Constraints between parameters (``low < high``); the single ones are already checked."""

    # --- what a family is -------------------------------------------------------------------
    def __getattr__(self, name: str) -> sp.Expr:
        params = self.__dict__.get("params", {})
        if name in params:
            return params[name]
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.params == self.params

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.params.values())))

    def __repr__(self) -> str:
        inside = ", ".join(f"{n}={v}" for n, v in self.params.items())
        return f"{type(self).__name__}({inside})"

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def variable(self) -> sp.Symbol:
        return k if self.kind == "discrete" else x_pos if self.positive_support else x

    def support(self) -> tuple[sp.Expr, sp.Expr]:
        """The support as ``(low, high)``: an interval for a density, an integer range for a mass function."""
        raise NotImplementedError

    def support_set(self) -> sp.Set:
        """The support as a SymPy set (``Range``-like integers as an ``Interval`` of integers)."""
        lo, hi = self.support()
        if self.kind == "discrete":
            return sp.Range(lo, hi + 1) if hi != sp.oo else sp.Range(lo, sp.oo)
        return sp.Interval(lo, hi)

    def pdf(self) -> sp.Expr:
        """The density at its own variable."""
        return self.density(self.variable)

    def density(self, at: sp.Expr | None = None) -> sp.Expr:
        """The density (or mass function) on the support, at ``at`` (default: :attr:`variable`)."""
        return self._density(self.variable if at is None else at)

    def _density(self, at: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def limits(self) -> tuple:
        """``(variable, low, high)``: the limits of an integral (sum) over the support."""
        lo, hi = self.support()
        return (self.variable, lo, hi)

    def expectation(self, f: sp.Expr) -> sp.Expr:
        """``E[f(X)]`` as an unevaluated integral (sum) over the support.

        >>> from symxent.families import Exponential
        >>> Exponential(2).expectation(x_pos)
        Integral(2*x*exp(-2*x), (x, 0, oo))
        """
        body = f * self.density(self.variable)
        return (sp.Sum if self.kind == "discrete" else sp.Integral)(body, self.limits())

    def with_params(self, **params: sp.Expr) -> "Family":
        """The same family at other parameters (symbols, for the derivations)."""
        new = object.__new__(type(self))
        new.params = {n: params.get(n, v) for n, v in self.params.items()}
        return new

    # --- the measures, derived (see symxent.families.registry) -------------------------------
    def entropy(self) -> sp.Expr:
        """The differential (or Shannon) entropy in nats, from its derivation."""
        from .registry import entropy

        return entropy(self)

    def kl(self, other: "Family") -> sp.Expr:
        """``KL(self || other)`` in nats, from its derivation."""
        from .registry import kl_divergence

        return kl_divergence(self, other)

    def cross_entropy(self, other: "Family") -> sp.Expr:
        """``H(self, other) = H(self) + KL(self || other)`` in nats."""
        from .registry import cross_entropy

        return cross_entropy(self, other)
