"""Read a rendered formula back, to check that what is printed *means* the step's expression.

A golden string only says the LaTeX is what it was; it cannot say that ``\\tfrac{1}{3} -\\log_{10} 2``
reads as a difference where a product was meant. :func:`roundtrip_failures` prints every step of
a derivation, parses the LaTeX back with SymPy's LaTeX parser (the ANTLR backend, package
``antlr4-python3-runtime==4.11``) after translating symxent's notation (:data:`TRANSLATION`), and
compares the result with the step's expression: exactly when SymPy's simplification decides it,
otherwise by evaluating the difference to 30 digits at random exact points. The plain text is
read back with symxent's own parser where its grammar allows (:func:`text_roundtrip_failures`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import sympy as sp

from ..derivation import Derivation, Step
from ..errors import UnsupportedError
from .latex import latex
from .notation import BaseLog, CrossEntropyOf, EntropyOf, KLDivergenceOf, LogLossOf

__all__ = ["TRANSLATION", "RoundTripFailure", "latex_to_sympy", "roundtrip_failures", "text_roundtrip_failures"]

#: symxent's notation -> what SymPy's LaTeX parser reads (regular expression, replacement).
TRANSLATION: tuple[tuple[str, str], ...] = (
    (r"\\tfrac", r"\\frac"),
    (r"\\bigl\(", r"\\left("), (r"\\bigr\)", r"\\right)"),
    (r"D_\{\\mathrm\{KL\}\}\(", r"\\Delta("),      # D_KL(P || Q): one function of two arguments
    (r"\\mathcal\{L\}\(", r"\\Lambda("),           # the log loss L(y, q)
    (r"\s*\\,\\\|\\,\s*", ", "),                   # P \,\|\, Q -> P, Q
    (r"\\,", " "),
    (r"\\(log|ln)_([0-9a-zA-Z])", r"\\\1_{\2}"),  # \log_2 10: the parser would read the base as 210
)

#: symxent's quantity heads -> the function the translated LaTeX parses to.
_HEADS = {EntropyOf: "H", CrossEntropyOf: "H", KLDivergenceOf: "Delta", LogLossOf: "Lambda"}


@dataclass(frozen=True)
class RoundTripFailure:
    """A rendered formula that does not read back as its step's expression."""

    step: int
    side: str
    rendered: str
    reason: str

    def __str__(self) -> str:
        return f"step {self.step} ({self.side}): {self.rendered}   {self.reason}"


def _parser():
    try:
        from sympy.parsing.latex import parse_latex
        import antlr4  # noqa: F401  (parse_latex's backend)
    except ImportError:
        raise UnsupportedError("the round-trip check needs antlr4-python3-runtime==4.11 "
                               "(pip install 'symxent[test]')") from None
    return parse_latex


def latex_to_sympy(tex: str) -> sp.Expr:
    """The expression a reader gets from ``tex``, in symxent's notation.

    >>> latex_to_sympy(r"\\tfrac{1}{3} \\left(-\\log_{10} 2\\right)")
    (-log(2, 10))/3
    """
    for pattern, replacement in TRANSLATION:
        tex = re.sub(pattern, replacement, tex)
    parsed = _parser()(tex)
    return parsed.subs(sp.Symbol("e"), sp.E) if sp.Symbol("e") in parsed.free_symbols else parsed


def _named(expr: sp.Expr) -> sp.Expr:
    """The step's expression in the names a reader sees: ``p[i]`` -> the symbol ``p_{i}``, H(P, Q)."""
    expr = expr.replace(lambda e: isinstance(e, BaseLog), lambda e: sp.log(e.args[0]) / sp.log(e.args[1]))
    for head, name in _HEADS.items():
        expr = expr.replace(lambda e, h=head: isinstance(e, h), lambda e, n=name: sp.Function(n)(*e.args))
    names = {a: sp.Symbol(latex(a)) for a in expr.atoms(sp.Symbol, sp.Indexed)}
    return expr.xreplace(names)


def _plain(expr: sp.Expr) -> sp.Expr:
    expr = expr.xreplace({s: sp.Symbol(s.name) for s in expr.atoms(sp.Symbol)})
    return expr.doit() if expr.has(sp.Sum, sp.Product, sp.Integral, sp.Derivative) else expr


def _numeric(expr: sp.Expr) -> bool:
    """No free symbol outside the arguments of a named quantity (H(P, Q))."""
    from sympy.core.function import AppliedUndef

    core = expr.replace(lambda e: isinstance(e, AppliedUndef), lambda e: sp.Integer(1))
    return not core.free_symbols


def _differs(read: sp.Expr, meant: sp.Expr, rng: random.Random) -> str | None:
    """Why ``read`` is not ``meant`` (None when equal, or when nothing decides it).

    Only formulas of numbers are decided (a worked example's rows, names like ``H(P, Q)``); a formula
    with symbols is accepted when it reads back as the same expression, and otherwise: the parser reads ``\\frac{\\partial}{\\partial x}`` and symbolic sums
    in its own way, so a symbolic step that does not match exactly is left undecided.
    """
    if read == _plain(meant) or _plain(read) == _plain(meant):
        return None
    if not _numeric(meant):
        return None
    read, meant = _plain(read), _plain(meant)
    diff = sp.expand_log(read - meant, force=True)
    if sp.simplify(diff) == 0:
        return None
    symbols = sorted(diff.free_symbols, key=str)
    for _ in range(3):
        point = {s: sp.Rational(rng.randint(1, 97), 101) for s in symbols}
        value = sp.N(diff.xreplace(point), 30)
        if value.is_Number and value.is_finite:
            size = sp.N(read.xreplace(point), 30)
            scale = max(abs(size), 1) if size.is_Number else 1
            if abs(value) > sp.Float(10) ** -25 * scale:
                return f"reads as {read}, which differs from {meant} (by {sp.N(value, 6)} at {point})"
    return None


def _steps(d: Derivation):
    yield from d.steps
    for part in d.parts:
        yield from _steps(part)


def _check_expr(k: int, side: str, expr: sp.Expr, rng: random.Random) -> RoundTripFailure | None:
    if any(isinstance(e, sp.Function) and type(e).__module__.endswith("quantities") for e in sp.preorder_traversal(expr)):
        return None  # the catalogue's quantity heads have no reading in the parser's vocabulary
    tex = latex(expr)
    try:
        read = latex_to_sympy(tex)
    except UnsupportedError:
        raise
    except Exception as exc:  # the parser's own exceptions: the formula does not read at all
        if not _numeric(_named(expr)):
            return None  # a symbolic formula beyond the parser's grammar (q_{m,x_{m}}): undecided
        return RoundTripFailure(k, side, tex, f"does not parse ({type(exc).__name__})")
    why = _differs(read, _named(expr), rng)
    return None if why is None else RoundTripFailure(k, side, tex, why)


def roundtrip_failures(d: Derivation, *, seed: int = 0) -> list[RoundTripFailure]:
    """Every step's rendered LaTeX that does not read back as the step's expression.

    >>> from symxent.worked import worked_measure
    >>> roundtrip_failures(worked_measure("cross-entropy", ["1/3", "2/3"], ["1/2", "1/2"], base=10).derivation)
    []
    """
    rng, out = random.Random(seed), []
    for k, step in enumerate(_steps(d), 1):
        for side, expr in (("before", step.before), ("after", step.after)):
            failure = _check_expr(k, side, expr, rng)
            if failure is not None:
                out.append(failure)
    return out


def text_roundtrip_failures(d: Derivation, *, seed: int = 0) -> list[RoundTripFailure]:
    """The same check for the plain text, read back by symxent's parser (numeric steps only)."""
    from ..parsing import read_expression
    from .text import text

    rng, out = random.Random(seed), []
    for k, step in enumerate(_steps(d), 1):
        for side, expr in (("before", step.before), ("after", step.after)):
            plain = _named(expr)
            if plain.free_symbols or plain.atoms(sp.Function) - plain.atoms(sp.log):
                continue  # names and sums: outside the numeric grammar
            shown = text(expr)
            try:
                read = read_expression(re.sub(r"\blog(\d+)\(", r"(1/log(\1))*log(", shown))
            except Exception as exc:
                out.append(RoundTripFailure(k, side, shown, f"does not parse ({type(exc).__name__})"))
                continue
            why = _differs(read, plain, rng)
            if why is not None:
                out.append(RoundTripFailure(k, side, shown, why))
    return out
