"""Notation objects that keep a derivation's steps as the reader expects to see them.

SymPy evaluates ``log(x, 2)`` into ``log(x)/log(2)`` and sorts the terms of every sum. A worked
example needs ``\\log_2 \\tfrac45`` and its terms in the order they were written, so the
expressions it builds use these unevaluated heads: :class:`BaseLog` (a logarithm in a named
base), and :class:`EntropyOf`, :class:`CrossEntropyOf`, :class:`KLDivergenceOf`, :class:`LogLossOf` (the
quantities, by the names of their arguments). :func:`to_sympy` turns any of them back into plain
SymPy so that the machine can check a step.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

__all__ = ["BaseLog", "EntropyOf", "CrossEntropyOf", "KLDivergenceOf", "LogLossOf", "to_sympy", "ordered_add",
           "ordered_mul"]


class BaseLog(sp.Function):
    """``log_b(x)``, kept unevaluated: ``BaseLog(x, 2)`` prints as ``\\log_2 x``.

    >>> BaseLog(sp.Rational(1, 8), 2).doit()
    -3
    >>> to_sympy(BaseLog(sp.Symbol("x", positive=True), sp.E))
    log(x)
    """

    nargs = 2

    @classmethod
    def eval(cls, x, base):  # safe: SymPy's Function.eval hook (returns None: never evaluates), not Python eval
        return None

    def doit(self, **hints):
        from ..logbase import log_in

        x, base = (a.doit(**hints) if hints.get("deep", True) else a for a in self.args)
        return log_in(x, base)

    def _eval_rewrite_as_log(self, x, base, **kwargs):
        return sp.log(x) if base == sp.E else sp.log(x) / sp.log(base)


class _Quantity(sp.Function):
    """An information quantity named by its arguments (symbols), never evaluated."""

    @classmethod
    def eval(cls, *args):  # safe: SymPy's Function.eval hook (returns None: never evaluates), not Python eval
        return None


class EntropyOf(_Quantity):
    """``H(P)``."""

    nargs = 1


class CrossEntropyOf(_Quantity):
    """``H(P, Q)``."""

    nargs = 2


class KLDivergenceOf(_Quantity):
    """``D_KL(P || Q)``."""

    nargs = 2


class LogLossOf(_Quantity):
    """``L(y, yhat)``: the mean binary cross-entropy of labels and predictions."""

    nargs = 2


def to_sympy(expr: sp.Expr) -> sp.Expr:
    """Plain SymPy: base logarithms rewritten as ``log(x)/log(b)``, sums and products done.

    >>> to_sympy(BaseLog(8, 2) + BaseLog(sp.Rational(1, 2), sp.E))
    3 - log(2)
    """
    plain = expr.replace(lambda e: isinstance(e, BaseLog), lambda e: e.doit())
    return plain.doit() if plain.has(sp.Sum, sp.Product) else plain


def ordered_add(terms: Sequence[sp.Expr]) -> sp.Expr:
    """A sum whose terms stay in the order given (one term is returned as it is).

    >>> x, y = sp.symbols("x y")
    >>> ordered_add([y, x]).args
    (y, x)
    """
    terms = list(terms)
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def ordered_mul(*factors: sp.Expr) -> sp.Expr:
    """A product whose factors stay in the order given; factors equal to 1 are dropped, 0 absorbs.

    >>> x, y = sp.symbols("x y")
    >>> ordered_mul(y, 1, x).args
    (y, x)
    """
    if any(f == 0 for f in factors):
        return sp.Integer(0)
    if all(f.is_Rational for f in map(sp.sympify, factors)):
        return sp.Mul(*factors)
    kept = [f for f in factors if f != 1]
    if not kept:
        return sp.Integer(1)
    return kept[0] if len(kept) == 1 else sp.Mul(*kept, evaluate=False)
