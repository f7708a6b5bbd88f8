"""LaTeX of expressions as a textbook writes them: SymPy's printer, taught symxent's notation.

``\\ln`` for natural logarithms and ``\\log_2``/``\\log_{10}``/``\\log_b`` in other bases,
``\\ln \\tfrac{4}{5}`` instead of ``\\log{\\left(\\frac{4}{5} \\right)}``, ``H(P, Q)`` and
``D_{\\mathrm{KL}}(P \\,\\|\\, Q)``, and the terms of every sum and product in the order the
derivation stored them (``order="none"``: no canonical reordering).
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .notation import BaseLog

__all__ = ["SymxentLatexPrinter", "latex", "log_latex", "latex_lines", "visible_width"]


def _is_atomic(arg: sp.Expr) -> bool:
    """Arguments a logarithm takes without brackets: ``\\ln x``, ``\\ln p_{i}``, ``\\ln 2``."""
    return bool(arg.is_Symbol or arg.is_Indexed or (arg.is_Integer and arg.is_nonnegative)
                or arg in (sp.pi, sp.E))


def _is_small_fraction(arg: sp.Expr) -> bool:
    return bool(arg.is_Rational and not arg.is_Integer and arg.is_positive)


class SymxentLatexPrinter(LatexPrinter):
    """A :class:`sympy.printing.latex.LatexPrinter` with symxent's notation.

    >>> x = sp.Symbol("x", positive=True)
    >>> print(SymxentLatexPrinter().doprint(sp.log(sp.Rational(4, 5)) + sp.log(x)))
    \\ln \\tfrac{4}{5} + \\ln x
    """

    _default_settings = {**LatexPrinter._default_settings, "order": "none", "long_frac_ratio": 4}

    def _log_head(self, base: sp.Expr) -> str:
        if base == sp.E:
            return r"\ln"
        text = self._print(base)
        return rf"\log_{text}" if len(text) == 1 else rf"\log_{{{text}}}"

    def _log(self, arg: sp.Expr, base: sp.Expr, exp: str | None = None) -> str:
        head = self._log_head(base)
        if exp is not None:
            head = f"{head}^{{{exp}}}"
        if _is_atomic(arg):
            return f"{head} {self._print(arg)}"
        if _is_small_fraction(arg):
            return rf"{head} \tfrac{{{arg.p}}}{{{arg.q}}}"
        num, den = sp.fraction(arg)
        if den != 1 and _is_atomic(num) and _is_atomic(den):
            return rf"{head} \frac{{{self._print(num)}}}{{{self._print(den)}}}"
        return rf"{head}\left({self._print(arg)}\right)"

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        """Terms in the stored order; a term's own leading minus becomes the sign, nothing is negated.

        (SymPy's printer negates terms, and negating an unevaluated product can distribute it.)
        """
        return " ".join(self.signed_terms(expr))

    def signed_terms(self, expr: sp.Add) -> list[str]:
        """``["a", "+ b", "- c", "+ \\left(d - e\\right)"]``: each term with the sign that joins it."""
        out = []
        for k, term in enumerate(expr.args):
            tex = self._print(term)
            if term.is_Add or (term.is_Relational if hasattr(term, "is_Relational") else False):
                tex = rf"\left({tex}\right)"
            if k == 0:
                out.append(tex)
            elif tex.startswith("-"):
                out.append(f"- {tex[1:].lstrip()}")
            else:
                out.append(f"+ {tex}")
        return out

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        indices = ",".join(self._print(i) for i in expr.indices)
        return f"{self._print(expr.base.label)}_{{{indices}}}"

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        return self._log(expr.args[0], sp.E, exp)

    def _print_BaseLog(self, expr: BaseLog, exp: str | None = None) -> str:
        return self._log(expr.args[0], expr.args[1], exp)

    def _print_EntropyOf(self, expr: sp.Expr, exp: str | None = None) -> str:
        return self._power(rf"H({self._print(expr.args[0])})", exp)

    def _print_CrossEntropyOf(self, expr: sp.Expr, exp: str | None = None) -> str:
        p, q = (self._print(a) for a in expr.args)
        return self._power(f"H({p}, {q})", exp)

    def _print_KLDivergenceOf(self, expr: sp.Expr, exp: str | None = None) -> str:
        p, q = (self._print(a) for a in expr.args)
        return self._power(rf"D_{{\mathrm{{KL}}}}({p} \,\|\, {q})", exp)

    def _print_LogLossOf(self, expr: sp.Expr, exp: str | None = None) -> str:
        y, q = (self._print(a) for a in expr.args)
        return self._power(rf"\mathcal{{L}}({y}, {q})", exp)

    @staticmethod
    def _power(tex: str, exp: str | None) -> str:
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not expr.is_Mul:  # sympy prints x**-1 through _print_Mul
            return super()._print_Mul(expr)
        factors = list(expr.args)
        base_log = as_base_log(factors)
        if base_log is not None:
            return self._print(base_log)
        coeff = factors[0] if factors[0].is_Rational else None
        if coeff is None or len(factors) == 1 or coeff.is_Integer and coeff not in (1, -1):
            return self._print_factors(factors) if _all_plain(factors) else super()._print_Mul(expr)
        rest = factors[1:]
        if not _all_plain(rest):  # a fraction: the coefficient joins it, as in -(x - m)^2 / (2 sigma^2)
            return super()._print_Mul(expr)
        rest_tex = self._print_factors(rest)
        if rest_tex.startswith("-"):  # \tfrac{1}{3} (-\log 2), never \tfrac{1}{3} -\log 2
            rest_tex = rf"\left({rest_tex}\right)"
        if coeff.is_Integer:  # +1 or -1
            return f"{'-' if coeff == -1 else ''}{rest_tex}"
        sign = "-" if coeff < 0 else ""
        return rf"{sign}\tfrac{{{abs(coeff.p)}}}{{{coeff.q}}} {rest_tex}"

    def _print_Rational(self, expr: sp.Rational) -> str:
        if expr.is_Integer:
            return str(expr)
        sign = "-" if expr < 0 else ""
        return rf"{sign}\tfrac{{{abs(expr.p)}}}{{{expr.q}}}"

    def _print_factors(self, factors: list) -> str:
        """A product of factors with no denominators, in the stored order, bracketed sums last.

        A textbook writes ``p_{i} \\left(1 - p_{i}\\right)``, not ``\\left(1 - p_{i}\\right) p_{i}``.
        """
        if any(f.is_Add for f in factors):
            atoms = [f for f in factors if f.is_Symbol or f.is_Indexed or f.is_Number]
            factors = atoms + [f for f in factors if f not in atoms]
        parts = []
        for i, f in enumerate(factors):
            tex = self._print(f)
            last = i == len(factors) - 1
            if f.is_Add or (isinstance(f, (sp.log, BaseLog)) and not last and not _is_atomic(f.args[0])) or (
                    i > 0 and tex.startswith("-")):  # x (-y): a factor's own minus sign is not a subtraction
                tex = rf"\left({tex}\right)"
            elif isinstance(f, (sp.log, BaseLog)) and not last:
                head, _, arg = tex.partition(" ")
                tex = rf"{head}({arg})"
            parts.append(tex)
        text = " ".join(parts)
        if factors and factors[0] == -1:
            return "-" + " ".join(parts[1:])
        return text


def _all_plain(factors: list) -> bool:
    """No factor is a denominator (negative power) or a non-integer rational."""
    return all(not (f.is_Pow and f.exp.is_negative) and not (f.is_Rational and not f.is_Integer) for f in factors)


def as_base_log(factors: list) -> BaseLog | sp.Expr | None:
    """``c * log(x) * log(b)**-1`` as ``c * BaseLog(x, b)``, the way a reader writes it."""
    dens = [f for f in factors if f.is_Pow and f.exp == -1 and isinstance(f.base, sp.log)]
    logs = [f for f in factors if isinstance(f, sp.log)]
    if len(dens) != 1 or len(logs) != 1:
        return None
    others = [f for f in factors if f is not dens[0] and f is not logs[0]]
    if not all(f.is_Rational for f in others):
        return None
    term = BaseLog(logs[0].args[0], dens[0].base.args[0])
    coeff = sp.Mul(*others)
    return term if coeff == 1 else sp.Mul(coeff, term, evaluate=False)


def latex(expr: sp.Basic, **settings) -> str:
    """LaTeX of ``expr`` in symxent's notation.

    >>> p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> print(latex(-sp.Sum(p[i] * sp.log(q[i]), (i, 1, n))))
    -\\sum_{i=1}^{n} p_{i} \\ln q_{i}
    >>> print(latex(sp.log(3) / sp.log(2)))
    \\log_2 3
    """
    return SymxentLatexPrinter(settings).doprint(expr)


def log_latex(base: sp.Expr) -> str:
    """The logarithm's head in ``base``: ``\\ln``, ``\\log_2``, ``\\log_{10}``.

    >>> print(log_latex(sp.E), log_latex(sp.Integer(2)), log_latex(sp.Integer(10)))
    \\ln \\log_2 \\log_{10}
    """
    return SymxentLatexPrinter()._log_head(base)


_WIDTH = 36  # visible characters of one display line, beside its justification


def visible_width(tex: str) -> int:
    """A rough count of the characters ``tex`` shows (spacing, brackets and braces do not count)."""
    import re

    t = re.sub(r"\\(?:left|right|bigl|bigr|tfrac|frac|mathrm|text|quad|,)", "", tex)
    t = re.sub(r"\\[a-zA-Z]+", "xx", t)  # \ln, \log, \sum show about two characters
    return len(re.sub(r"[{}_^ ]", "", t))


def latex_lines(expr: sp.Expr, width: int = _WIDTH) -> list[str]:
    """``expr`` as one or more display lines, broken between the terms of a long sum.

    A sum (or a factor times a sum) wider than ``width`` is cut after whole terms, inside
    ``\\bigl( ... \\bigr)`` so that the brackets may span lines; a term that is itself too wide
    is cut the same way.

    >>> x = sp.symbols("x1:5")
    >>> latex_lines(sp.Add(*x, evaluate=False), width=6)
    ['x_{1} + x_{2}', '+ x_{3} + x_{4}']
    """
    printer = SymxentLatexPrinter()
    whole = printer.doprint(expr)
    if visible_width(whole) <= width:
        return [whole]
    head, total = _split_factor(expr, printer)
    if total is None:
        return [whole]
    pieces: list[str] = []
    for k, term in enumerate(total.args):
        sub = latex_lines(term, width)
        if term.is_Add:  # a bracketed sum inside the sum
            sub = [rf"\left({sub[0]}\right)"] if len(sub) == 1 else [rf"\bigl({sub[0]}", *sub[1:-1],
                                                                         rf"{sub[-1]}\bigr)"]
        if k == 0:
            pieces += sub
        elif sub[0].startswith("-"):
            pieces += [f"- {sub[0][1:].lstrip()}", *sub[1:]]
        else:
            pieces += [f"+ {sub[0]}", *sub[1:]]
    lines, current = [], ""
    for piece in pieces:
        if current and visible_width(current + piece) > width:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
    lines.append(current)
    if len(lines) == 1:  # the sum fits once its factor is set aside: nothing to break
        return [whole]
    if head is None:
        return lines
    lines[0] = rf"{head}\bigl({lines[0]}"
    lines[-1] = rf"{lines[-1]}\bigr)"
    return lines


def _split_factor(expr: sp.Expr, printer: SymxentLatexPrinter) -> tuple[str | None, sp.Add | None]:
    """(the factor's LaTeX, the sum) of ``factor * sum``; (None, sum) for a bare sum."""
    if expr.is_Add:
        return None, expr
    if not expr.is_Mul:
        return None, None
    sums = [f for f in expr.args if f.is_Add]
    if len(sums) != 1:
        return None, None
    rest = [f for f in expr.args if f is not sums[0]]
    factor = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    if factor == -1:
        return "-", sums[0]
    return printer.doprint(factor), sums[0]
