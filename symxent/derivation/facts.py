"""A sign oracle: what the assumptions say about ``e > 0``, ``e >= 0`` and ``e != 0``.

Sound, not complete: it answers True only when SymPy's own assumptions or the stated facts
establish the sign through products, sums, powers, exponentials and finite sums; otherwise
False, and the rule that asked leaves its step unverified.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = ["Facts", "flip_sign"]

_DEPTH = 0  # how deep Facts._combination is (it recurses through is_positive)


@dataclass(frozen=True)
class Facts:
    """What the assumptions say about signs: expressions known > 0, >= 0, != 0, and = value."""

    positive: frozenset = field(default_factory=frozenset)
    nonnegative: frozenset = field(default_factory=frozenset)
    nonzero: frozenset = field(default_factory=frozenset)
    equal: tuple = ()  # (expr, value) pairs
    members: tuple = ()  # (symbol, low, high) integer ranges, e.g. j in 1..n

    def is_positive(self, e: sp.Expr) -> bool:
        """``e > 0`` follows from SymPy's assumptions and these facts (sound, not complete).

        >>> x = sp.Symbol("x")
        >>> Facts(positive=frozenset({x, 1 - x})).is_positive(x * (1 - x) + 2)
        True
        """
        if e.is_positive:
            return True
        if e in self.positive or sp.expand(e) in self.positive:
            return True
        if e.is_Mul:
            flipped = flip_sign(e)
            if flipped is not None:
                return self.is_positive(flipped)
            return all(self.is_positive(f) for f in e.args)
        if e.is_Add:
            return (all(self.is_nonnegative(t) for t in e.args) and any(self.is_positive(t) for t in e.args)) \
                or self._combination(e, strict=True)
        if e.is_Pow:
            base, ex = e.args
            return (self.is_positive(base) and ex.is_real) or (
                ex.is_Integer and ex.is_even and base.is_real and self.is_nonzero(base))
        if isinstance(e, sp.exp):
            return e.args[0].is_real is True
        if isinstance(e, sp.Sum) and len(e.limits) == 1:  # a nonempty range of positive terms
            _, lo, hi = e.limits[0]
            return self.is_nonnegative(hi - lo) and self.is_positive(e.function)
        return False

    def is_nonnegative(self, e: sp.Expr) -> bool:
        if e.is_nonnegative or self.is_positive(e):
            return True
        if e in self.nonnegative or sp.expand(e) in self.nonnegative:
            return True
        if e.is_Mul:
            flipped = flip_sign(e)
            if flipped is not None:
                return self.is_nonnegative(flipped)
            return all(self.is_nonnegative(f) for f in e.args)
        if e.is_Add:
            return all(self.is_nonnegative(t) for t in e.args) or self._combination(e, strict=False)
        if e.is_Pow:
            base, ex = e.args
            return (self.is_nonnegative(base) and ex.is_real) or (ex.is_Integer and ex.is_even and base.is_real)
        if isinstance(e, sp.Sum) and len(e.limits) == 1:
            return self.is_nonnegative(e.function)
        return False

    def _combination(self, e: sp.Expr, strict: bool) -> bool:
        """``e = c f + rest`` with ``f`` a known fact, ``c > 0`` rational and ``rest`` of known sign:
        ``2 - p - q = (1 - p) + (1 - q)`` (two levels deep at most).

        >>> p, q = sp.symbols("p q")
        >>> Facts(positive=frozenset({1 - p, 1 - q})).is_positive(1 - p / 2 - q / 2)
        True
        """
        global _DEPTH
        if _DEPTH >= 2:
            return False
        terms = e.as_coefficients_dict()
        try:
            _DEPTH += 1
            for f, f_strict in [*((f, True) for f in self.positive), *((f, False) for f in self.nonnegative)]:
                if not f.is_Add:
                    continue
                fd = f.as_coefficients_dict()
                t = next((t for t in fd if t in terms and t != 1), None)
                if t is None:
                    continue
                c = terms[t] / fd[t]
                if not (c.is_Rational and c > 0):
                    continue
                rest = sp.expand(e - c * f)
                if rest == 0:
                    if f_strict or not strict:
                        return True
                    continue
                if (self.is_positive(rest) if strict and not f_strict else self.is_nonnegative(rest)):
                    return True
            return False
        finally:
            _DEPTH = max(_DEPTH - 1, 0)  # never below 0, even if an alarm came before the increment

    def is_nonzero(self, e: sp.Expr) -> bool:
        if e.is_nonzero or self.is_positive(e) or self.is_positive(-e):
            return True
        if e in self.nonzero or -e in self.nonzero or sp.expand(e) in self.nonzero or sp.expand(-e) in self.nonzero:
            return True
        num, den = sp.together(e).as_numer_denom()
        if den != 1 and self.is_nonzero(den) and self.is_nonzero(sp.expand(num)):
            return True
        if e.is_Mul:
            return all(self.is_nonzero(f) for f in e.args)
        return False


def flip_sign(e: sp.Mul) -> sp.Expr | None:
    """``-c * (a - b) * r`` as ``c * (b - a) * r`` (a negative coefficient moved into a difference)."""
    coeff, rest = e.as_coeff_Mul()
    if not (coeff.is_negative and coeff.is_Number):
        return None
    factors = list(sp.Mul.make_args(rest))
    for k, f in enumerate(factors):
        if f.is_Add:
            factors[k] = sp.expand(-f)
            return sp.Mul(-coeff, *factors, evaluate=False)
        if f.is_Pow and f.base.is_Add and f.exp.is_Integer and f.exp.is_odd:
            factors[k] = sp.Pow(sp.expand(-f.base), f.exp, evaluate=False)
            return sp.Mul(-coeff, *factors, evaluate=False)
    return None
