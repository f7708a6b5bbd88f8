"""Exact normal form of sums of rational multiples of logarithms of rationals.

Every finite entropy, cross-entropy, KL divergence or log loss of rational inputs is
``r + (sum_p c_p log p) / log B``: a rational r, rational coefficients c_p over primes p, and the
base B. Since the logarithms of the primes are linearly independent over the rationals
(Lindemann), this form is unique once the part proportional to ``log B`` is moved into r, which
decides exactly whether such a value is zero and gives the closed form users expect
(``H(P, Q) = 8/5 + (log 5 - 2/5 log 3)/log 2`` for worked example 1).
"""

from __future__ import annotations

from collections import defaultdict

import sympy as sp

from ..timebound import checkpoint

from ..timebound import checkpoint

__all__ = ["closed_form"]

_ONE = "1"


class _NotLogLinear(Exception):
    pass


def closed_form(expr: sp.Expr) -> sp.Expr | None:
    """The canonical ``r + (sum c_p log p)/log B`` of ``expr``, or None outside that class.

    >>> closed_form(sp.log(6) - sp.log(2) - sp.log(3))
    0
    >>> closed_form(sp.log(sp.Rational(1, 8)) / sp.log(2))
    -3
    """
    try:
        terms = _linear(expr)
    except _NotLogLinear:
        return None
    constant = terms.pop(_ONE, {}).get(_ONE, sp.Integer(0))
    terms = {base: _coprime(coeffs) for base, coeffs in terms.items()}
    parts = [constant]
    for base, coeffs in sorted(terms.items(), key=lambda kv: str(kv[0])):
        constant_part, rest = _reduce(base, coeffs)
        parts[0] += constant_part
        numerator = sp.Add(*(c * sp.log(p) for p, c in sorted(rest.items()) if c != 0))
        if numerator != 0:
            parts.append(numerator if base is None else sp.Mul(numerator, sp.Pow(sp.log(base), -1)))
    return sp.Add(*parts)


def _reduce(base, coeffs: dict) -> tuple[sp.Rational, dict]:
    """Move the multiple of log(base) out of the numerator: (rational part, what remains)."""
    if base is None:
        return sp.Integer(0), dict(coeffs)
    exps = sp.factorrat(base)
    p0 = min(exps)
    t = coeffs.get(p0, sp.Integer(0)) / exps[p0]
    rest = {p: coeffs.get(p, 0) - t * exps.get(p, 0) for p in set(coeffs) | set(exps)}
    return t, {p: c for p, c in rest.items() if c != 0}


def _add(acc: dict, other: dict, scale: sp.Rational = sp.Integer(1)) -> dict:
    for key, coeffs in other.items():
        slot = acc.setdefault(key, defaultdict(lambda: sp.Integer(0)))
        for p, c in coeffs.items():
            slot[p] += scale * c
    return acc


_TRIAL = 2**16  # trial division only: a 300-digit 1 - 1e-300 must not start a factorisation


def _factor(n: int) -> dict:
    """``n`` as powers of primes below the trial bound and of cofactors free of them (not factored)."""
    return {int(p): e for p, e in sp.factorint(n, limit=_TRIAL, use_rho=False, use_pm1=False,
                                               use_ecm=False).items()}


def _log_of(r: sp.Expr) -> dict:
    if not (r.is_Rational and r > 0):
        raise _NotLogLinear
    out: dict = defaultdict(lambda: sp.Integer(0))
    for p, e in _factor(int(r.p)).items():
        out[p] += e
    for p, e in _factor(int(r.q)).items():
        out[p] -= e
    return {sp.Integer(p): c for p, c in out.items() if c != 0}


def _coprime(coeffs: dict) -> dict:
    """The same sum of ``c log b`` over pairwise coprime bases b (large cofactors split by their gcds),
    so that the form stays unique: pairwise coprime integers > 1 are multiplicatively independent.

    >>> a, b = 2**61 - 1, 2**89 - 1  # two primes beyond the trial bound
    >>> _coprime({sp.Integer(a * b): 1, sp.Integer(a): -1}) == {sp.Integer(b): 1}
    True
    """
    items = {k: c for k, c in coeffs.items() if k != _ONE}
    changed = True
    while changed:
        changed = False
        keys = [k for k in items if k > _TRIAL]
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                g = sp.igcd(a, b)
                if g > 1:
                    for old in (a, b):
                        c = items.pop(old)
                        for part in (g, old // g):
                            if part != 1:
                                items[sp.Integer(part)] = items.get(sp.Integer(part), 0) + c
                    changed = True
                    break
            if changed:
                break
    out = {k: c for k, c in items.items() if c != 0}
    if _ONE in coeffs:
        out[_ONE] = coeffs[_ONE]
    return out


def _linear(e: sp.Expr, base=None) -> dict:
    """``{base_key: {prime or "1": coefficient}}`` for e divided by log(base)."""
    checkpoint()
    checkpoint()
    if e.is_Rational:
        if base is not None:
            raise _NotLogLinear
        return {_ONE: {_ONE: e}}
    if isinstance(e, sp.log):
        return {base: _log_of(e.args[0])}
    if e.is_Add:
        acc: dict = {}
        for a in e.args:
            _add(acc, _linear(a, base))
        return acc
    if e.is_Mul:
        return _linear_mul(e, base)
    raise _NotLogLinear


def _linear_mul(e: sp.Mul, base) -> dict:
    coeff, rest = sp.Integer(1), []
    for f in e.args:
        if f.is_Rational:
            coeff *= f
        elif f.is_Pow and f.exp == -1 and isinstance(f.base, sp.log) and base is None:
            base = _base_of(f.base.args[0])
        else:
            rest.append(f)
    if len(rest) != 1:
        raise _NotLogLinear
    return _add({}, _linear(rest[0], base), coeff)


def _base_of(b: sp.Expr) -> sp.Rational:
    if not (b.is_Rational and b > 0 and b != 1):
        raise _NotLogLinear
    return b
