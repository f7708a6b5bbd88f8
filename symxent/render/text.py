"""Plain text of expressions for the terminal: ``ln(4/5)``, ``log2(3)``, ``H(P, Q)``, ``p_i``.

Terms and factors are printed in the order the derivation stored them, as in the LaTeX.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.str import StrPrinter

from .latex import as_base_log
from .notation import BaseLog

__all__ = ["SymxentTextPrinter", "text"]


class SymxentTextPrinter(StrPrinter):
    """A :class:`sympy.printing.str.StrPrinter` with symxent's notation and no reordering.

    >>> x = sp.Symbol("x")
    >>> SymxentTextPrinter().doprint(sp.Add(BaseLog(sp.Rational(4, 5), 2), x, evaluate=False))
    'log2(4/5) + x'
    """

    _default_settings = {**StrPrinter._default_settings, "order": "none"}

    def _print(self, expr, **kwargs) -> str:
        if isinstance(expr, sp.Indexed):  # p_i, not the p[i] of Indexed's own _sympystr hook
            return self._print_Indexed(expr)
        return super()._print(expr, **kwargs)

    def _log(self, arg: sp.Expr, base: sp.Expr) -> str:
        if base == sp.E:
            head = "ln"
        elif base.is_Integer:
            head = f"log{base}"
        else:
            head = f"log_{self._print(base)}"
        return f"{head}({self._print(arg)})"

    def _print_log(self, expr: sp.log) -> str:
        return self._log(expr.args[0], sp.E)

    def _print_BaseLog(self, expr: BaseLog) -> str:
        return self._log(*expr.args)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        """``p_i``; an index that is not one name or number in braces: ``q_{x_m}``, ``q_{m,x_m}``."""
        indices = [self._print(i) for i in expr.indices]
        label = self._print(expr.base.label)
        if len(indices) == 1 and (expr.indices[0].is_Symbol or expr.indices[0].is_Integer):
            return f"{label}_{indices[0]}"
        return f"{label}_{{{','.join(indices)}}}"

    def _print_Max(self, expr: sp.Expr) -> str:  # as a user types it (symxent's parser reads max, min, abs)
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sp.Expr) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Abs(self, expr: sp.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = expr.name
        return name[:-3] + "\u0302" if name.endswith("hat") and len(name) == 4 else name

    def _print_Sum(self, expr: sp.Sum) -> str:
        (i, lo, hi), *more = expr.limits
        body = self._print(expr.function)
        if expr.function.is_Add:
            body = f"({body})"
        return f"sum_{{{self._print(i)}={self._print(lo)}}}^{{{self._print(hi)}}} {body}"

    def _print_EntropyOf(self, expr: sp.Expr) -> str:
        return f"H({self._print(expr.args[0])})"

    def _print_CrossEntropyOf(self, expr: sp.Expr) -> str:
        return "H({}, {})".format(*(self._print(a) for a in expr.args))

    def _print_KLDivergenceOf(self, expr: sp.Expr) -> str:
        return "KL({} || {})".format(*(self._print(a) for a in expr.args))

    def _print_LogLossOf(self, expr: sp.Expr) -> str:
        return "L({}, {})".format(*(self._print(a) for a in expr.args))

    def _print_Mul(self, expr: sp.Mul) -> str:
        factors = list(expr.args)
        base_log = as_base_log(factors)
        if base_log is not None:
            return self._print(base_log)
        if not factors[0].is_Rational or any(f.is_Pow and f.exp.is_negative for f in factors):
            return super()._print_Mul(expr)
        coeff, rest = factors[0], factors[1:]
        parts = [self._print(f) for f in rest]  # a sum or a factor's own minus sign gets brackets: (1/3)*(-log2(3))
        parts = [f"({t})" if f.is_Add or t.startswith("-") else t for f, t in zip(rest, parts)]
        body = "*".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return f"-{body}"
        sign, c = ("-", -coeff) if coeff < 0 else ("", coeff)
        head = self._print(c) if c.is_Integer else f"({self._print(c)})"
        return f"{sign}{head}*{body}"

    def _print_Infinity(self, expr: sp.Expr) -> str:
        return "infinity"

    def _print_NegativeInfinity(self, expr: sp.Expr) -> str:
        return "-infinity"

    def _print_Integral(self, expr: sp.Integral) -> str:
        if len(expr.limits) != 1 or len(expr.limits[0]) != 3:
            return super()._print_Integral(expr)
        x, lo, hi = expr.limits[0]
        return f"int_{{{self._print(lo)}}}^{{{self._print(hi)}}} ({self._print(expr.function)}) d{self._print(x)}"


def text(expr: sp.Basic) -> str:
    """Plain text of ``expr`` in symxent's notation.

    >>> p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> text(-sp.Sum(p[i] * sp.log(q[i]), (i, 1, n)))
    '-sum_{i=1}^{n} p_i*ln(q_i)'
    """
    return SymxentTextPrinter().doprint(expr)
