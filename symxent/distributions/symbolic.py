"""Distributions over a symbolic number of events n, for statements that hold for every n.

The probabilities are ``p[i]`` of a SymPy ``IndexedBase``, for ``i`` from 1 to ``n``; measures over
them are ``Sum`` expressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["SymbolicDistribution", "symbolic_distribution"]


@dataclass(frozen=True)
class SymbolicDistribution:
    """``p[i]``, ``i = 1..n``: an n-event distribution with symbolic entries.

    Assumed (stated, not checked): ``0 <= p[i] <= 1`` and ``Sum(p[i], (i, 1, n)) == 1``.
    """

    base: sp.IndexedBase
    index: sp.Symbol
    n: sp.Symbol
    name: str

    def term(self, i: sp.Expr | None = None) -> sp.Expr:
        """The i-th probability (the distribution's own index by default)."""
        return self.base[self.index if i is None else i]

    def total(self) -> sp.Sum:
        """``Sum(p[i], (i, 1, n))``, which equals 1 by assumption."""
        return sp.Sum(self.term(), self.limits)

    @property
    def limits(self) -> tuple[sp.Symbol, sp.Integer, sp.Symbol]:
        return (self.index, sp.Integer(1), self.n)


def symbolic_distribution(symbol: str = "p", n: str | sp.Symbol = "n", index: str = "i",
                          name: str | None = None) -> SymbolicDistribution:
    """An n-event distribution ``symbol[index]`` for ``index = 1..n``.

    Two distributions meant to be compared share ``n`` and ``index``:

    >>> P = symbolic_distribution("p")
    >>> Q = symbolic_distribution("q")
    >>> from symxent import cross_entropy
    >>> cross_entropy(P, Q)
    -Sum(log(q[i])*p[i], (i, 1, n))
    """
    n_sym = n if isinstance(n, sp.Symbol) else sp.Symbol(n, integer=True, positive=True)
    i_sym = sp.Symbol(index, integer=True, positive=True)
    return SymbolicDistribution(sp.IndexedBase(symbol, positive=True), i_sym, n_sym,
                                name or symbol.upper())
