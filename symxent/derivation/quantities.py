"""The measures as unevaluated SymPy objects: ``H(P)``, ``H(P, Q)``, ``KL(P || Q)``, ``sigma(z)``.

A statement reads ``H(P, Q) = H(P) + KL(P || Q)``, not as three sums; unfolding one of these
objects into its definition is one proof step (rule ``definition``). The definitions are those
of :mod:`symxent.measures`, called on :class:`symxent.distributions.SymbolicDistribution`, so
each quantity is defined once. Each prints its own LaTeX (``_latex``).
"""

from __future__ import annotations

import sympy as sp

from .. import measures
from ..distributions import SymbolicDistribution, symbolic_distribution

__all__ = ["Quantity", "Entropy", "CrossEntropy", "KL", "JS", "BCE", "Sigmoid", "unfold", "H", "CE", "KLdiv",
           "distribution"]


def distribution(symbol: str, n: str = "n", index: str = "i") -> SymbolicDistribution:
    """The n-event distribution ``symbol[i]``, ``i = 1..n`` (shared n and index by default).

    >>> distribution("p").term()
    p[i]
    """
    return symbolic_distribution(symbol, n, index)


class Quantity(sp.Function):
    """Base class: an unevaluated measure; ``unfold()`` gives its definition."""

    is_real = True

    @classmethod
    def eval(cls, *args):  # safe: SymPy Function.eval hook (never evaluates on construction), not Python eval
        return None

    def unfold(self) -> sp.Expr:
        raise NotImplementedError


def _dist(base: sp.IndexedBase, index: sp.Symbol, n: sp.Symbol) -> SymbolicDistribution:
    return SymbolicDistribution(base, index, n, str(base.label).upper())


def _name(base: sp.IndexedBase) -> str:
    return str(base.label).upper()


def _sub(b: sp.Expr, printer) -> str:
    return "" if b == sp.E else "_{" + printer._print(b) + "}"


def _base_kw(b: sp.Expr, printer) -> str:
    """``, base=2`` as the user types it (nothing for base e): ``H(P, base=2)`` reads back as typed."""
    return "" if b == sp.E else f", base={printer._print(b)}"


class Entropy(Quantity):
    """``H_b(P)`` with args ``(p, i, n, b)``."""

    nargs = 4

    def unfold(self) -> sp.Expr:
        p, i, n, b = self.args
        return measures.entropy(_dist(p, i, n), base=b)

    def _latex(self, printer) -> str:
        return f"H{_sub(self.args[3], printer)}({_name(self.args[0])})"

    def _sympystr(self, printer) -> str:
        return f"H({_name(self.args[0])}{_base_kw(self.args[3], printer)})"


class CrossEntropy(Quantity):
    """``H_b(P, Q)`` with args ``(p, q, i, n, b)``."""

    nargs = 5

    def unfold(self) -> sp.Expr:
        p, q, i, n, b = self.args
        return measures.cross_entropy(_dist(p, i, n), _dist(q, i, n), base=b)

    def _latex(self, printer) -> str:
        return f"H{_sub(self.args[4], printer)}({_name(self.args[0])}, {_name(self.args[1])})"

    def _sympystr(self, printer) -> str:
        return f"H({_name(self.args[0])}, {_name(self.args[1])}{_base_kw(self.args[4], printer)})"


class KL(Quantity):
    """``KL_b(P || Q)`` with args ``(p, q, i, n, b)``."""

    nargs = 5

    def unfold(self) -> sp.Expr:
        p, q, i, n, b = self.args
        return measures.kl_divergence(_dist(p, i, n), _dist(q, i, n), base=b)

    def _latex(self, printer) -> str:
        return (f"D_{{\\mathrm{{KL}}}}{'' if self.args[4] == sp.E else '^{(' + printer._print(self.args[4]) + ')}'}"
                f"({_name(self.args[0])} \\,\\|\\, {_name(self.args[1])})")

    def _sympystr(self, printer) -> str:
        return f"KL({_name(self.args[0])} || {_name(self.args[1])}{_base_kw(self.args[4], printer)})"


class JS(Quantity):
    """Jensen-Shannon divergence ``JS(P, Q) = (KL(P || M) + KL(Q || M)) / 2``, ``M = (P + Q) / 2``,
    with args ``(p, q, i, n)``."""

    nargs = 4

    def unfold(self) -> sp.Expr:
        p, q, i, n = self.args
        pi, qi = p[i], q[i]
        mi = (pi + qi) / 2
        return (sp.Sum(pi * sp.log(pi / mi), (i, 1, n)) + sp.Sum(qi * sp.log(qi / mi), (i, 1, n))) / 2

    def _latex(self, printer) -> str:
        return f"\\operatorname{{JS}}({_name(self.args[0])}, {_name(self.args[1])})"

    def _sympystr(self, printer) -> str:
        return f"JS({_name(self.args[0])}, {_name(self.args[1])})"


class BCE(Quantity):
    """Binary cross-entropy ``BCE(y, q)`` of a label y and a prediction q."""

    nargs = 2

    def unfold(self) -> sp.Expr:
        return measures.binary_cross_entropy(*self.args)

    def _latex(self, printer) -> str:
        return f"\\operatorname{{BCE}}\\left({printer._print(self.args[0])}, {printer._print(self.args[1])}\\right)"


class Sigmoid(Quantity):
    """The logistic function ``sigma(z) = 1 / (1 + exp(-z))``."""

    nargs = 1

    def unfold(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))

    def _latex(self, printer) -> str:
        return f"\\sigma\\left({printer._print(self.args[0])}\\right)"

    def _sympystr(self, printer) -> str:
        return f"sigmoid({printer._print(self.args[0])})"

    def _eval_derivative(self, s):  # only through its definition: the engine unfolds first
        return sp.diff(self.unfold(), s)


def H(p: SymbolicDistribution, q: SymbolicDistribution | None = None, base: sp.Expr = sp.E) -> sp.Expr:
    """``H(P)`` or ``H(P, Q)`` as an unevaluated quantity.

    >>> P, Q = distribution("p"), distribution("q")
    >>> H(P, Q).unfold()
    -Sum(log(q[i])*p[i], (i, 1, n))
    """
    if q is None:
        return Entropy(p.base, p.index, p.n, base)
    return CrossEntropy(p.base, q.base, p.index, p.n, base)


def CE(p: SymbolicDistribution, q: SymbolicDistribution, base: sp.Expr = sp.E) -> sp.Expr:
    """Cross-entropy ``H(P, Q)`` (an alias of :func:`H` with two arguments)."""
    return H(p, q, base)


def KLdiv(p: SymbolicDistribution, q: SymbolicDistribution, base: sp.Expr = sp.E) -> sp.Expr:
    """``KL(P || Q)`` as an unevaluated quantity.

    >>> KLdiv(distribution("p"), distribution("q")).unfold()
    Sum(log(p[i]/q[i])*p[i], (i, 1, n))
    """
    return KL(p.base, q.base, p.index, p.n, base)


def unfold(expr: sp.Expr) -> sp.Expr:
    """Replace every quantity in ``expr`` by its definition (one level, repeated to a fixed point).

    >>> unfold(Sigmoid(sp.Symbol("z")))
    1/(1 + exp(-z))
    """
    for _ in range(8):
        found = list(expr.atoms(Quantity))
        if not found:
            return expr
        expr = expr.xreplace({q: q.unfold() for q in found})
    return expr
