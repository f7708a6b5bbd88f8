"""The sign of an expression on a box of intervals, by interval arithmetic with bisection.

Each symbol ranges over an interval (its domain, closed up for the enclosure); the expression is
enclosed with mpmath's outward-rounded interval arithmetic on pieces of the box, bisecting the
widest side until every piece is certified ``>= 0`` (or ``> 0``) or the piece budget is spent.
Sound: a True answer means every point of the box satisfies the sign; False means "not shown".
"""

from __future__ import annotations

import mpmath
import sympy as sp
from mpmath import iv

__all__ = ["nonnegative_on", "box_of"]


def box_of(symbols, domains: dict) -> dict | None:
    """Finite closed ``(lo, hi)`` rational bounds of each symbol's interval domain, or None.

    >>> x = sp.Symbol("x")
    >>> box_of([x], {x: sp.Interval.open(0, 1)})
    {x: (0, 1)}
    """
    out = {}
    for s in symbols:
        dom = domains.get(s)
        if not isinstance(dom, sp.Interval) or not (dom.start.is_finite and dom.end.is_finite):
            return None
        out[s] = (sp.Rational(dom.start), sp.Rational(dom.end))
    return out


def _num(r: sp.Rational):
    return iv.mpf(int(r.p)) / iv.mpf(int(r.q)) if r.q != 1 else iv.mpf(int(r.p))


def _walk(e: sp.Expr, env: dict):
    if e.is_Rational:
        return _num(e)
    if e.is_Symbol:
        return env[e]
    if e.is_Add or e.is_Mul:
        vals = [_walk(a, env) for a in e.args]
        acc = vals[0]
        for v in vals[1:]:
            acc = acc + v if e.is_Add else acc * v
        return acc
    if e.is_Pow and e.exp.is_Integer:
        b = _walk(e.base, env)
        k = int(e.exp)
        if k < 0 and _lo(b) <= 0 <= _hi(b):
            raise ZeroDivisionError("a denominator's enclosure contains 0")
        return b ** k
    if isinstance(e, sp.log):
        a = _walk(e.args[0], env)
        if _lo(a) <= 0:
            raise ValueError("a logarithm's argument is not enclosed in (0, oo)")
        return iv.log(a)
    if isinstance(e, sp.exp):
        return iv.exp(_walk(e.args[0], env))
    if e is sp.E:
        return iv.exp(1)
    raise ValueError(f"no interval rule for {type(e).__name__}")


def _lo(x) -> mpmath.mpf:
    return mpmath.mpf(x.a)


def _hi(x) -> mpmath.mpf:
    return mpmath.mpf(x.b)


def nonnegative_on(e: sp.Expr, box: dict, strict: bool = False, pieces: int = 256, prec: int = 80) -> bool:
    """``e >= 0`` (``> 0`` if strict) at every point of ``box`` (symbol -> (lo, hi)), certified.

    >>> x = sp.Symbol("x")
    >>> nonnegative_on(x**2 - x + sp.Rational(1, 3), {x: (sp.Integer(0), sp.Integer(1))}, strict=True)
    True
    >>> nonnegative_on(x - sp.Rational(1, 2), {x: (sp.Integer(0), sp.Integer(1))})
    False
    """
    if e.free_symbols - set(box):
        return False
    todo = [dict(box)]
    spent = 0
    old = iv.prec
    try:
        iv.prec = prec
        while todo:
            piece = todo.pop()
            spent += 1
            if spent > pieces:
                return False
            try:
                value = _walk(e, {s: iv.mpf([_num(lo).a, _num(hi).b]) for s, (lo, hi) in piece.items()})
                low = _lo(value)
                if low > 0 or (low >= 0 and not strict):
                    continue
            except (ValueError, ZeroDivisionError, TypeError):
                pass
            widest = max(piece, key=lambda s: piece[s][1] - piece[s][0])
            lo, hi = piece[widest]
            if hi - lo < sp.Rational(1, 2**20):
                return False
            mid = (lo + hi) / 2
            todo += [{**piece, widest: (lo, mid)}, {**piece, widest: (mid, hi)}]
        return True
    finally:
        iv.prec = old
