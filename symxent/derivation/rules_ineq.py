"""The rules of the inequality tactics (:mod:`symxent.derivation.tactics`), each with its own check.

Every rule here checks a step ``before REL after`` of the form ``before - after = c * G`` where
``G >= 0`` by the rule's law and the sign of the factor ``c`` gives REL:

- ``termwise_log``: ``ln u <= u - 1`` ("upper") or ``ln u >= 1 - 1/u`` ("lower"), summed with
  weights ``w_i >= 0`` (Gibbs' argument);
- ``log_sum``: the log-sum inequality ``sum a_i ln(a_i/b_i) >= A ln(A/B)`` (Jensen for ``x ln x``);
- ``one_variable``: ``F(x) >= F(a)`` on an interval domain of ``x``, because ``F'(x) = (x - a) h(x)``
  with ``h >= 0`` there, or ``F'(a) = 0`` and ``F'' >= 0`` there, or ``F' >= 0`` and ``a`` its left end
  (``F' <= 0``, its right end) — each sign by sign reasoning or certified interval arithmetic;
- ``list_sums``: an equality that holds once each list's entries are known to sum to 1.
"""

from __future__ import annotations

import sympy as sp

from .algebra import expand_logs, meet, split_linear
from .bound import bounded
from .context import Context
from .interval_sign import box_of, nonnegative_on
from .rules import Verdict, _in_domain, rule

__all__ = ["sum_substitutions", "nonnegative", "factor_sign"]


def factor_sign(factor, ctx: Context) -> int:
    """+1 / -1 when the sign of the factor is established (> 0 / < 0), else 0."""
    if ctx.facts.is_positive(factor):
        return 1
    if ctx.facts.is_positive(-factor):
        return -1
    return 0


def _relation_ok(relation: str, sign: int) -> bool:
    return (sign > 0 and relation == ">=") or (sign < 0 and relation == "<=")


def _multiple(before, after, factor, law) -> bool:
    return meet(split_linear(before - after), split_linear(sp.expand(factor * law)))


def _gap(kind: str, u):
    return (u - 1 - sp.log(u)) if kind == "upper" else (sp.log(u) - 1 + 1 / u)


@rule("termwise_log")
def _termwise_log(before, after, relation, ctx, terms, kind="upper", factor=sp.Integer(1)) -> Verdict:
    """``before - after = factor * sum w_i * gap(u_i)``, ``gap >= 0`` by ln u <= u - 1 (or >= 1 - 1/u)."""
    law = "ln u <= u - 1" if kind == "upper" else "ln u >= 1 - 1/u"
    for w, u in terms:
        if not ctx.facts.is_nonnegative(w):
            return "unverified", f"weight {w} >= 0 not established"
        if not ctx.facts.is_positive(u):
            return "unverified", f"{u} > 0 not established ({law} needs u > 0)"
    sign = factor_sign(factor, ctx)
    if not sign:
        return "unverified", f"the sign of the factor {factor} is not established"
    if not _multiple(before, after, factor, sp.Add(*(w * _gap(kind, u) for w, u in terms))):
        return "failed", f"the step is not {factor} times a weighted sum of {law} at the terms given"
    if not _relation_ok(relation, sign):
        return "failed", f"{law} with factor {factor} does not give {relation}"
    shown = ", ".join(f"u = {u}" for _, u in terms)
    return "verified", f"{law} for each {shown}, weights >= 0, times {factor}"


@rule("log_sum")
def _log_sum(before, after, relation, ctx, a, b, factor=sp.Integer(1)) -> Verdict:
    """``before - after = factor * (sum a_i ln(a_i/b_i) - A ln(A/B))`` with all a_i, b_i > 0."""
    for x in (*a, *b):
        if not ctx.facts.is_positive(x):
            return "unverified", f"{x} > 0 not established (the log-sum inequality needs positive terms)"
    sign = factor_sign(factor, ctx)
    if not sign:
        return "unverified", f"the sign of the factor {factor} is not established"
    A, B = sp.Add(*a), sp.Add(*b)
    law = sp.Add(*(x * sp.log(x / y) for x, y in zip(a, b))) - A * sp.log(A / B)
    if not _multiple(before, after, factor, law):
        return "failed", f"the step is not {factor} times the log-sum inequality at these terms"
    if not _relation_ok(relation, sign):
        return "failed", f"the log-sum inequality with factor {factor} does not give {relation}"
    return "verified", (f"log-sum inequality sum a_i ln(a_i/b_i) >= A ln(A/B) (Jensen, x ln x convex) "
                        f"for a = {list(a)}, b = {list(b)}, all > 0, times {factor}")


def nonnegative(e: sp.Expr, ctx: Context, var=None, domains: dict | None = None, strict: bool = False) -> str:
    """How ``e >= 0`` (``> 0``) is established on the domain: "sign reasoning", "interval arithmetic", or ""."""
    test = ctx.facts.is_positive if strict else ctx.facts.is_nonnegative
    for form in (e, bounded(sp.factor, e), bounded(sp.cancel, e)):
        if test(form):
            return "sign reasoning"
    box = box_of(sorted(e.free_symbols, key=str), domains or {})
    if box is not None and bounded(nonnegative_on, e, box, strict, seconds=2.0):
        return "interval arithmetic"
    return ""


def _domains(ctx: Context) -> dict:
    return {a.subject: a.domain for a in ctx.assumptions if a.domain is not None and a.subject.is_Symbol}


def _defined(F: sp.Expr, ctx: Context) -> list[str]:
    """Conditions for F to be differentiable on the domain that are not established."""
    missing = [f"{g.args[0]} > 0" for g in F.atoms(sp.log) if not ctx.facts.is_positive(g.args[0])]
    missing += [f"{p.base} != 0" for p in F.atoms(sp.Pow) if p.exp.is_negative and not ctx.facts.is_nonzero(p.base)]
    missing += [f"{p.base} > 0" for p in F.atoms(sp.Pow) if not p.exp.is_Integer and not ctx.facts.is_positive(p.base)]
    return missing


@rule("one_variable")
def _one_variable(before, after, relation, ctx, var, at, F, factor=sp.Integer(1), mode="critical") -> Verdict:
    """``before - after = factor * (F - F(at))`` and ``F(x) >= F(at)`` for x in its interval domain."""
    domains = _domains(ctx)
    dom = domains.get(var)
    if not isinstance(dom, sp.Interval):
        return "unverified", f"{var} has no interval domain"
    if mode in ("critical", "convex") and not _in_domain(at, dom, ctx):
        return "unverified", f"{var} = {at} is not established to lie in {dom}"
    if mode == "increasing" and not (at == dom.start and not dom.left_open):
        return "unverified", f"an increasing F is least at the left end of a closed domain, not at {at}"
    if mode == "decreasing" and not (at == dom.end and not dom.right_open):
        return "unverified", f"a decreasing F is least at the right end of a closed domain, not at {at}"
    missing = _defined(F, ctx)
    if missing:
        return "unverified", f"F is not shown differentiable on the domain: {', '.join(missing)}"
    sign = factor_sign(factor, ctx)
    if not sign:
        return "unverified", f"the sign of the factor {factor} is not established"
    F_at = F.xreplace({var: at})
    if not _multiple(before, after, factor, F - F_at):
        return "failed", f"the step is not {factor} times F - F({at})"
    d1 = bounded(sp.diff, F, var)
    if mode == "critical":
        h = bounded(sp.cancel, d1 / (var - at))
        if h.has(sp.log) or not meet(h * (var - at), d1):
            return "unverified", f"F'({var}) = {d1} is not ({var} - {at}) times a function free of logarithms"
        how = nonnegative(h, ctx, var, domains)
        why = f"F'({var}) = ({var} - {at}) * h with h = {h} >= 0 on {dom} ({how})"
    elif mode == "convex":
        if not meet(expand_logs(d1.xreplace({var: at}), ctx.facts)[0], 0):
            return "unverified", f"F'({at}) = {d1.xreplace({var: at})} is not shown to be 0"
        d2 = bounded(sp.diff, d1, var)
        how = nonnegative(d2, ctx, var, domains)
        why = f"F'({at}) = 0 and F''({var}) = {d2} >= 0 on {dom} ({how}): F is convex, least at {at}"
    else:
        how = nonnegative(d1 if mode == "increasing" else -d1, ctx, var, domains)
        why = f"F'({var}) = {d1} {'>=' if mode == 'increasing' else '<='} 0 on {dom} ({how}), endpoint {var} = {at}"
    if not how:
        return "unverified", f"not established: {why.replace(' ()', '')}"
    if not _relation_ok(relation, sign):
        return "failed", f"F(x) >= F({at}) with factor {factor} does not give {relation}"
    return "verified", why + f"; so F({var}) >= F({at}), times {factor}"


def sum_substitutions(ctx: Context) -> dict:
    """For each stated ``Eq(sum of entries, 1)`` not identically true, one symbol solved for
    (``b = 1 - a`` from ``a + b = 1``)."""
    subs: dict = {}
    for a in ctx.assumptions:
        r = a.relation
        if not (isinstance(r, sp.Equality) and r.rhs == 1 and isinstance(r.lhs, sp.Add)):
            continue
        total = sp.expand(r.lhs.xreplace(subs))
        if total == 1:
            continue
        for s in sorted(total.free_symbols, key=str):
            coeff = total.coeff(s)
            if coeff.is_Number and coeff != 0 and not (total - coeff * s).has(s):
                subs = {k: v.xreplace({s: (1 - (total - coeff * s)) / coeff}) for k, v in subs.items()}
                subs[s] = (1 - (total - coeff * s)) / coeff
                break
    return subs


@rule("list_sums")
def _list_sums(before, after, relation, ctx) -> Verdict:
    """``before = after`` once each list's entries sum to 1 (stated, or identically)."""
    from .rules import normal_form

    subs = sum_substitutions(ctx)
    b, _ = normal_form(before.xreplace(subs), ctx)
    a, _ = normal_form(after.xreplace(subs), ctx)
    if relation != "=":
        return "unverified", f"rule proves equalities, step claims {relation}"
    if meet(b, a):
        used = ", ".join(f"{k} = {v}" for k, v in subs.items())
        sums = "each list's entries sum to 1" + (f" ({used}); then " if used else "; then ") if ctx.totals or any(
            isinstance(x.relation, sp.Equality) for x in ctx.assumptions) else ""
        return "verified", sums + "the normal form (log laws under the sign facts) of both sides agrees"
    return "failed", "the two sides differ even with each list summing to 1"
