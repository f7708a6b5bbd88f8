"""Certified evaluation: correctly rounded digits with a proof, not a hope.

The value is enclosed in an interval (:mod:`symxent.exact.interval`) and the working precision
is raised until both end points round to the same N-digit decimal and the same float64. Rounding
is monotone, so every number in the interval, the true value included, rounds to that decimal.
Rational values are rounded exactly, and sums of logarithms are first put in the exact normal
form of :mod:`symxent.exact.loglinear`, which decides when such a value is exactly zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from numbers import Integral
from typing import Any, Iterable

import sympy as sp

from ..errors import InvalidNumberError, PrecisionError, shown
from ..inputs import as_fraction, exact
from ..timebound import CannotSend, OutOfTime, check_seconds, checkpoint, hard_deadline, in_worker, needs_worker, remaining
from .interval import enclose
from .loglinear import closed_form
from .rounding import FLOAT64, FORMATS, format_decimal, round_binary, round_decimal

__all__ = ["CertifiedValue", "evaluate", "MAX_DIGITS", "DEFAULT_SECONDS"]

MAX_DIGITS = 10_000
"""The most significant digits :func:`evaluate` certifies; asking for more is an error."""

DEFAULT_SECONDS = 60.0
"""The default time bound of :func:`evaluate` (a typical call takes milliseconds)."""

_GUARD_BITS = 32
_ESCALATIONS = 6  # the working precision doubles at most this many times


@dataclass(frozen=True)
class CertifiedValue:
    """A real value, correctly rounded to ``digits`` significant digits, with its enclosure.

    ``str()`` is the correctly rounded decimal (``"inf"`` for +oo); ``float()`` the correctly
    rounded float64; ``lower <= value <= upper`` (equal when the value is a known rational).
    """

    expr: sp.Expr
    digits: int
    decimal: str
    lower: Fraction | float
    upper: Fraction | float
    float64: float
    floats: dict = field(default_factory=dict)  # format name -> correctly rounded value (exact)

    @property
    def is_exact(self) -> bool:
        """True when the enclosure is a single known number (a rational or an infinity)."""
        return self.lower == self.upper

    def __str__(self) -> str:
        return self.decimal

    def __float__(self) -> float:
        return self.float64

    def __repr__(self) -> str:
        return f"CertifiedValue({self.decimal!r}, digits={self.digits})"

    def _display_tex(self) -> str:
        """The simplified closed form (when the log-linear normal form is shorter), ``=``/``\\approx``, the digits."""
        simple = closed_form(self.expr) if self.decimal not in ("inf", "-inf") else None
        shown = simple if simple is not None and sp.count_ops(simple) < sp.count_ops(self.expr) else self.expr
        if self.decimal in ("inf", "-inf"):
            return f"{sp.latex(shown)} = {self.decimal.replace('inf', chr(92) + 'infty')}"
        exact = self.is_exact and Fraction(Decimal(self.decimal)) == self.lower
        return f"{sp.latex(shown)} {'=' if exact else chr(92) + 'approx'} {self.decimal}"

    def _repr_latex_(self) -> str:
        """Jupyter display: the simplified expression, ``=`` or ``\\approx``, and the certified decimal.

        >>> print(evaluate(sp.Rational(1, 3), 4)._repr_latex_())
        $\\frac{1}{3} \\approx 0.3333$
        >>> print(evaluate(sp.log(8) / sp.log(2) + sp.log(3) - sp.log(3), 3)._repr_latex_())
        $3 = 3.00$
        """
        return f"${self._display_tex()}$"

    def _repr_markdown_(self) -> str:
        """Jupyter and GitHub Markdown: the same display, and how many digits are certified.

        >>> print(evaluate(sp.log(2), 5)._repr_markdown_())
        $$\\log{\\left(2 \\right)} \\approx 0.69315$$
        <BLANKLINE>
        (5 significant digits, certified)
        """
        return f"$${self._display_tex()}$$\n\n({self.digits} significant digits, certified)"


def _check_digits(digits: Any) -> int:
    if isinstance(digits, bool) or not isinstance(digits, Integral) or not 1 <= int(digits) <= MAX_DIGITS:
        raise PrecisionError(f"digits={shown(digits)} must be an integer from 1 to {MAX_DIGITS}")
    return int(digits)


def evaluate(expr: Any, digits: int = 15, *, formats: Iterable[str] = (),
             seconds: float = DEFAULT_SECONDS) -> CertifiedValue:
    """Evaluate a closed expression, certified and correctly rounded to ``digits`` digits.

    ``formats`` names extra binary formats (``"float32"``, ``"bfloat16"``, ``"float16"``) whose
    correctly rounded values go in ``.floats``, beside ``float64`` which is always there.
    ``seconds`` bounds the wall-clock time (default :data:`DEFAULT_SECONDS`, at most an hour):
    past it, a :class:`~symxent.errors.PrecisionError` says so. The bound is checked
    cooperatively by the evaluator and, for SymPy's own loops (a ``Sum``'s ``doit``), by
    ``SIGALRM`` on the main thread; off the main thread the call runs in a worker process that is
    killed at the bound (:func:`symxent.timebound.in_worker`). Inside an earlier deadline (a
    proof's), that one governs and its ``OutOfTime`` passes through.

    >>> v = evaluate(sp.log(2), digits=30)
    >>> str(v)
    '0.693147180559945309417232121458'
    >>> float(v)
    0.6931471805599453
    >>> str(evaluate(sp.Rational(1, 3), digits=5))
    '0.33333'
    """
    digits = _check_digits(digits)
    seconds = check_seconds(seconds)
    if remaining() <= seconds:  # an outer deadline is earlier: it governs
        return _evaluate(expr, digits, formats)
    try:
        if needs_worker():  # off the main thread: SymPy's loops (a Sum's doit) run in a worker, killed in time
            try:
                return in_worker("symxent.exact.evaluate:evaluate", (expr, digits),
                                 {"formats": tuple(formats), "seconds": seconds}, seconds=seconds)
            except CannotSend:
                pass  # arguments that do not pickle: here, under the cooperative deadline only
        with hard_deadline(seconds):
            return _evaluate(expr, digits, formats)
    except OutOfTime:
        raise PrecisionError(f"could not certify {digits} digits of {_brief(expr)} within seconds={seconds:g}") from None


def _brief(expr: Any) -> str:
    """The expression for an error message, without printing a huge one (that can take seconds)."""
    args = getattr(expr, "args", ())
    if isinstance(expr, sp.Basic) and (len(args) > 12 or sum(1 for _ in sp.preorder_traversal(expr)) > 200):
        kind = {"Add": "a sum", "Mul": "a product"}.get(type(expr).__name__, f"an expression ({type(expr).__name__})")
        return f"{kind} of {len(args)} terms"
    text = str(expr)
    return text if len(text) <= 80 else text[:77] + "..."


def _evaluate(expr: Any, digits: int, formats: Iterable[str]) -> CertifiedValue:
    names = ("float64", *(f for f in formats if f != "float64"))
    for name in names:
        if name not in FORMATS:
            raise PrecisionError(f"formats={shown(name)} is not one of {', '.join(FORMATS)}")
    e = exact(expr, "expr")
    if e.has(sp.Sum):
        e = e.doit()
    if e.has(sp.nan, sp.zoo):
        raise InvalidNumberError(f"{e} is not a number")
    if e in (sp.oo, -sp.oo):
        inf = float(e)
        return CertifiedValue(e, digits, "inf" if inf > 0 else "-inf", inf, inf, inf, {n: inf for n in names})
    normal = closed_form(e)
    if normal is not None and normal.is_Rational:
        return _of_rational(e, digits, as_fraction(normal), names)
    if e.is_Rational:
        return _of_rational(e, digits, as_fraction(e), names)
    return _escalate(e, normal if normal is not None else e, digits, names)


def _escalate(original: sp.Expr, e: sp.Expr, digits: int, names: tuple) -> CertifiedValue:
    prec = int(digits * 3.33) + _GUARD_BITS
    for _ in range(_ESCALATIONS + 1):
        checkpoint()
        lo, hi = enclose(e, prec)
        result = _rounded(original, digits, lo, hi, names)
        if result is not None:
            return result
        prec *= 2
    raise PrecisionError(
        f"could not certify {digits} digits of {_brief(original)} at {prec // 2} bits: the value may be "
        "exactly zero or a rounding tie that this evaluator cannot decide"
    )


def _of_rational(e: sp.Expr, digits: int, value: Fraction, names: tuple) -> CertifiedValue:
    """An exact rational: both ends are the value, so every rounding is decided."""
    certified = _rounded(e, digits, value, value, names)
    assert certified is not None  # lo == hi: the two ends cannot round apart
    return certified


def _rounded(e: sp.Expr, digits: int, lo: Fraction, hi: Fraction, names: tuple) -> CertifiedValue | None:
    """The certified value if ``[lo, hi]`` rounds to one decimal and one value of each format."""
    m, x = round_decimal(lo, digits)
    if (m, x) != round_decimal(hi, digits):
        return None
    floats = {}
    for name in names:
        a, b = round_binary(lo, FORMATS[name]), round_binary(hi, FORMATS[name])
        if a != b:
            return None
        floats[name] = a
    return CertifiedValue(e, digits, format_decimal(m, x, digits), lo, hi, float(floats["float64"]), floats)
