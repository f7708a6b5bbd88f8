"""The rules the family derivations add to the engine: support conditions and table moments.

``kl_on_support`` unfolds ``KL(P || Q)`` into the integral (sum) of ``p log(p/q)`` over the
support of P, after checking from the assumptions that it lies inside the support of Q (so q
is its formula there). ``support_mismatch`` proves ``KL(P || Q) = +oo``: it checks a piece of
the support of P of positive P-probability on which q vanishes. ``moment`` checks a table entry
``E[T(X)] = m`` by SymPy integration (summation): recorded once by ``scripts/record_moments.py``
(:mod:`.records`) for the shipped derivations, live under a time bound for any other.

The rules register themselves in :data:`symxent.derivation.rules.RULES` when this module is
imported (the engine never imports the families).
"""

from __future__ import annotations

import sympy as sp

from ..derivation.algebra import meet
from ..derivation.bound import OutOfTime, bounded
from ..derivation.rules import rule
from .records import lookup

__all__ = ["MOMENT_SECONDS", "inside", "pick_branch"]

MOMENT_SECONDS = 8.0   # a live integration (no record); check_step's own bound may end it sooner
RECORD_SECONDS = 180.0  # the bound of scripts/record_moments.py


def _le(facts, lo: sp.Expr, hi: sp.Expr) -> bool:
    """``lo <= hi`` from the facts (an infinite end point on the right side is always fine)."""
    if lo == -sp.oo or hi == sp.oo:
        return True
    if lo == sp.oo or hi == -sp.oo:
        return False
    return bool(facts.is_nonnegative(sp.expand(hi - lo)))


def inside(facts, p_support: tuple, q_support: tuple) -> list[str]:
    """What is missing for ``[a, b]`` (P) to lie inside ``[c, d]`` (Q)."""
    (a, b), (c, d) = p_support, q_support
    missing = []
    if not _le(facts, c, a):
        missing.append(f"{c} <= {a}")
    if not _le(facts, b, d):
        missing.append(f"{b} <= {d}")
    return missing


@rule("kl_on_support")
def _kl_on_support(before, after, relation, ctx):
    """``KL(P || Q)`` is the integral of ``p log(p/q)`` over supp P, q written out (supp P inside supp Q)."""
    if relation != "=" or not hasattr(before, "families"):
        return "unverified", "expects KL(P || Q) = its integral over the support of P"
    P, Q = before.families()
    missing = inside(ctx.facts, P.support(), Q.support())
    if missing:
        return "unverified", f"support of P not shown inside that of Q: {', '.join(missing)}"
    if not meet(before.unfold(), after):
        return "failed", "the integrand is not p log(p/q) over the support of P"
    return "verified", (f"definition of KL over supp P = [{P.support()[0]}, {P.support()[1]}], which lies inside "
                        f"supp Q = [{Q.support()[0]}, {Q.support()[1]}], where q is its formula")


@rule("support_mismatch")
def _support_mismatch(before, after, relation, ctx, piece: tuple):
    """``KL(P || Q) = +oo``: ``piece`` lies in supp P, outside supp Q, and has positive P-probability."""
    if relation != "=" or after != sp.oo or not hasattr(before, "families"):
        return "unverified", "expects KL(P || Q) = oo"
    P, Q = before.families()
    (a, b), (c, d) = P.support(), Q.support()
    lo, hi = piece
    f = ctx.facts
    if P.kind == "discrete":  # one point k0 of positive mass
        if lo != hi or not (_le(f, a, lo) and _le(f, lo, b)):
            return "unverified", f"the point {lo} is not shown in supp P"
        out = f.is_positive(sp.expand(c - lo)) or f.is_positive(sp.expand(lo - d))
        mass = P.density(lo)
        if not (out and f.is_positive(mass)):
            return "unverified", f"not shown: {lo} outside supp Q and P({lo}) = {mass} > 0"
        return "verified", (f"P gives the point k = {lo} probability {mass} > 0, and Q gives it 0: the term "
                            "p log(p/0) is +oo")
    ends_lo = lo.args if isinstance(lo, sp.Max) else (lo,)
    ends_hi = hi.args if isinstance(hi, sp.Min) else (hi,)
    length_ok = all(h == sp.oo or l == -sp.oo or f.is_positive(sp.expand(h - l)) for l in ends_lo for h in ends_hi)
    in_p = any(_le(f, a, l) for l in ends_lo) and any(_le(f, h, b) for h in ends_hi)
    out_q = any(_le(f, h, c) for h in ends_hi) or any(_le(f, d, l) for l in ends_lo)
    if not (length_ok and in_p and out_q):
        return "unverified", f"not shown: ({lo}, {hi}) has positive length, lies in supp P and outside supp Q"
    return "verified", (f"the interval ({lo}, {hi}) has positive length, lies inside supp P, where p > 0, and "
                        "outside supp Q, where q = 0: p log(p/q) = +oo on a set of positive probability")


def pick_branch(e: sp.Expr, facts, bounds: dict | None = None) -> sp.Expr | None:
    """A Piecewise result of SymPy reduced to the branch whose condition holds (or None)."""
    bounds = bounds or {}
    if not e.has(sp.Piecewise):
        return e

    def one(pw):
        for expr, cond in pw.args:
            if cond is sp.true or bounded(lambda: sp.simplify(cond), seconds=3.0) is sp.true:
                return expr
            if _cond_holds(cond, facts, bounds):
                return expr
            return None  # an undecided first condition: do not guess past it
        return None

    out = e
    for pw in sorted(e.atoms(sp.Piecewise), key=sp.count_ops):
        branch = one(pw)
        if branch is None:
            return None
        out = out.xreplace({pw: branch})
    return out


def _cond_holds(cond, facts, bounds: dict) -> bool:
    if isinstance(cond, sp.And):
        return all(_cond_holds(c, facts, bounds) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_cond_holds(c, facts, bounds) for c in cond.args)
    if isinstance(cond, (sp.StrictGreaterThan, sp.StrictLessThan, sp.GreaterThan, sp.LessThan)):
        if isinstance(cond.lts, sp.Abs):  # |e| < c: both e < c and -e < c
            e, c = cond.lts.args[0], cond.gts
            return all(_cond_holds(cond.func(*((c, s) if cond.gts is cond.args[0] else (s, c))), facts, bounds)
                       for s in (e, -e))
        d = sp.expand(cond.gts - cond.lts)
        strict = isinstance(cond, (sp.StrictGreaterThan, sp.StrictLessThan))
        if (facts.is_positive(d) if strict else facts.is_nonnegative(d)):
            return True
        return _linear_bound_ok(d, bounds, strict)
    return False


def _linear_bound_ok(d: sp.Expr, bounds: dict, strict: bool) -> bool:
    """``d > 0`` for an expression linear in symbols with known open bounds: its worst case is >= 0."""
    syms = [s for s in d.free_symbols]
    if not syms or any(s not in bounds for s in syms) or not d.is_polynomial(*syms) or \
            sp.Poly(d, *syms).total_degree() != 1:
        return False
    worst = d
    for s in syms:
        c = d.coeff(s)
        if not c.is_number:
            return False
        lo, hi = bounds[s]
        end = lo if c > 0 else hi
        if not end.is_finite:
            return False
        worst = worst.xreplace({s: end})
    return bool(worst >= 0) if worst.is_number else False  # the bounds are open: >= 0 at an end is > 0 inside


def _substituted(integral: sp.Integral, sub: tuple, facts) -> sp.Integral | None:
    """``integral`` after ``x = g(t)``, t in (lo, hi), when g is monotone onto the same interval (else None)."""
    t, g, lo, hi = sub
    (v, a, b), body = integral.limits[0], integral.function
    dg = sp.diff(g, t)
    if facts.is_positive(dg):
        ends = (a, b)
    elif facts.is_positive(-dg):
        ends = (b, a)
    else:
        return None
    got = tuple(bounded(lambda e=e: sp.limit(g, t, e, "+" if e == lo else "-"), seconds=3.0) for e in (lo, hi))
    if got != ends:
        return None
    return sp.Integral(sp.expand(body.xreplace({v: g}) * abs(dg)) if dg.is_positive is not None else
                       body.xreplace({v: g}) * sp.Abs(dg), (t, lo, hi))


def _bounds(ctx) -> dict:
    """Open bounds of the symbols stated to lie in an open interval."""
    out = {}
    for a in ctx.assumptions:
        if a.subject.is_Symbol and isinstance(a.domain, sp.Interval) and a.domain.left_open and a.domain.right_open:
            out[a.subject] = (a.domain.start, a.domain.end)
    return out


_INTEGRATED: dict = {}
LIVE: list = []  # the integrals this process integrated live (no record): scripts/record_moments.py records them


def _integrated(before: sp.Expr) -> tuple[str, sp.Expr | None]:
    """SymPy's ``before.doit()`` with how it was obtained: from :mod:`~symxent.families.records` when
    recorded (the same verdict on every machine), else live under :data:`MOMENT_SECONDS`,
    remembered per process (None when out of time)."""
    rec = lookup(before)
    if rec is not None:
        return ("recorded", rec.value) if rec.status == "evaluated" else ("out_of_time", None)
    if before not in _INTEGRATED:
        LIVE.append(before)
        try:
            _INTEGRATED[before] = bounded(lambda: before.doit(), seconds=MOMENT_SECONDS)
        except OutOfTime:
            _INTEGRATED[before] = None
    done = _INTEGRATED[before]
    return ("live", done) if done is not None else ("out_of_time", None)


@rule("moment")
def _moment(before, after, relation, ctx, sub=None):
    """A table moment ``E[T(X)] = m``: SymPy integrates (sums), after the family's standardising
    substitution ``x = g(t)`` when there is one (monotone, onto the support); the results meet.
    SymPy's integration comes from the recorded run when there is one (see :mod:`.records`)."""
    if relation != "=":
        return "unverified", "moments are equalities"
    how = ""
    if sub is not None and isinstance(before, sp.Integral):
        moved = _substituted(before, sub, ctx.facts)
        if moved is not None:
            before, how = moved, f" after the substitution x = {sub[1]} (monotone, onto the support)"
    source, done = _integrated(before)
    if done is None:
        bound = MOMENT_SECONDS if lookup(before) is None else RECORD_SECONDS
        return "unverified", f"SymPy did not finish the integral within {bound:g} s (the table entry is " \
                             "checked numerically in the tests)"
    by = "evaluated by SymPy (recorded run, re-checked in the tests)" if source == "recorded" else \
        "evaluated by SymPy (bounded)"
    value = pick_branch(done, ctx.facts, _bounds(ctx))
    if value is None:
        return "unverified", f"SymPy's result depends on conditions not established: {done}"
    if value.has(sp.Integral, sp.Sum):
        return "unverified", "SymPy left the integral (sum) unevaluated (the table entry is checked numerically " \
                             "in the tests)"
    if meet(value, after):
        return "verified", by + " and compared" + how
    diff = bounded(lambda: sp.simplify(sp.gammasimp(value - after)), seconds=MOMENT_SECONDS)
    if diff == 0:
        return "verified", by + "; the difference simplifies to 0" + how
    return "unverified", f"SymPy gives {value}, not shown equal to the table entry"
