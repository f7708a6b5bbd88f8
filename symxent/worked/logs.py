"""Logarithms of rationals expanded over primes, and sums of them collected: the exact closed form.

Every term of a worked example is ``c log_b r`` with rationals c and r. Writing ``r`` as a
product of primes gives ``log_b r = sum e_p log_b p`` (``log_b b = 1`` when b is a prime), and
collecting gives the unique closed form ``q + sum c_p log_b p``.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

from ..render.notation import BaseLog, ordered_add, ordered_mul

__all__ = ["expanded", "collected", "log_sum", "weighted_log"]


def _log_terms(r: sp.Rational, base: sp.Expr) -> tuple[list[sp.Expr], dict]:
    """``log_b r`` as terms ``+-e log_b p`` (numerator primes, then denominator), and their coefficients."""
    terms: list[sp.Expr] = []
    coeffs: dict = {}
    for part, sign in ((r.p, 1), (r.q, -1)):
        for prime, e in sorted(sp.factorint(part).items()):
            c = sp.Integer(sign * e)
            if base.is_Integer and prime == base:
                terms.append(c)
                coeffs[1] = coeffs.get(1, 0) + c
            else:
                terms.append(ordered_mul(c, BaseLog(sp.Integer(prime), base)) if c != -1 else -BaseLog(
                    sp.Integer(prime), base))
                coeffs[prime] = coeffs.get(prime, 0) + c
    return terms, coeffs


def expanded(c: sp.Rational, r: sp.Rational, base: sp.Expr) -> sp.Expr:
    terms, _ = _log_terms(r, base)
    if not terms:
        return sp.Integer(0)
    if len(terms) == 1 and terms[0].is_Rational:
        return c * terms[0]
    return ordered_mul(c, ordered_add(terms))


def collected(pairs: Sequence[tuple[sp.Rational, sp.Rational]], outer: sp.Rational, base: sp.Expr) -> sp.Expr:
    """``outer * sum c log_b r`` collected: a rational, then ``c_p log_b p`` by increasing prime."""
    total: dict = {}
    for c, r in pairs:
        for key, e in _log_terms(r, base)[1].items():
            total[key] = total.get(key, 0) + outer * c * e
    terms = [total.pop(1)] if total.get(1, 0) != 0 else []
    terms += [ordered_mul(total[p], BaseLog(sp.Integer(p), base)) if total[p] != -1 else
              -BaseLog(sp.Integer(p), base) for p in sorted(total) if total[p] != 0]
    return ordered_add(terms) if terms else sp.Integer(0)


def log_sum(pairs: Sequence[tuple[sp.Rational, sp.Rational]], f) -> sp.Expr:
    """``f(c, r)`` for every pair, summed in the order given (0 for none)."""
    return ordered_add([f(c, r) for c, r in pairs]) if pairs else sp.Integer(0)


def weighted_log(c: sp.Rational, r: sp.Rational, base: sp.Expr) -> sp.Expr:
    return ordered_mul(c, BaseLog(r, base))
