"""The rules a step may cite, each with its own check and side conditions.

A rule is a function ``check(before, after, relation, ctx, **params) -> (status, detail)``.
Equality rules rewrite both sides by the rule's own law (linearity of a sum, the logarithm laws
under positivity, unfolding a definition, differentiation, a proved lemma) and accept the step
when the two normal forms meet. Inequality rules (a lemma applied with a nonnegative factor,
termwise inside a sum, the minimum of a strictly convex function) check the sign conditions
they rely on. No rule calls ``simplify``; every SymPy call is bounded.
"""

from __future__ import annotations

import functools
from typing import Callable

import sympy as sp

from .algebra import (flatten_sums, flip_sign, expand_logs, meet, normalise_sums, powers_to_exp, resolve_cases, sift, single_sum,
                      split_linear)
from .bound import OutOfTime, bounded, time_limit
from .context import Context
from .core import StepStatus
from .quantities import unfold

__all__ = ["RULES", "check_step", "lemma_sign_ok"]

Verdict = tuple[StepStatus, str]
RULE_SECONDS = 5.0  # no step check runs longer: past it, the step is "unverified"
RULES: dict[str, Callable[..., Verdict]] = {}


def rule(name: str):
    def deco(fn):
        RULES[name] = fn
        return fn
    return deco


def check_step(name: str, before: sp.Expr, after: sp.Expr, relation: str, ctx: Context, params: dict) -> Verdict:
    """Run rule ``name``; a time bound or an error inside the check gives "unverified"."""
    if name not in RULES:
        return "unverified", f"no rule called {name!r}"
    try:
        with time_limit(RULE_SECONDS):
            return RULES[name](before, after, relation, ctx, **params)
    except OutOfTime as err:
        return "unverified", f"not checked: {err}"
    except (TypeError, ValueError, NotImplementedError, AttributeError) as err:
        return "unverified", f"not checked: {type(err).__name__}: {err}"


def _eq(ok: bool, relation: str, how: str, why_not: str = "the two sides do not meet") -> Verdict:
    if relation != "=":
        return "unverified", f"rule proves equalities, step claims {relation}"
    return ("verified", how) if ok else ("failed", why_not)


@rule("algebra")
def _algebra(before, after, relation, ctx) -> Verdict:
    return _eq(meet(before, after), relation, "both sides expand to the same polynomial expression")


@rule("definition")
def _definition(before, after, relation, ctx) -> Verdict:
    return _eq(meet(unfold(before), unfold(after)), relation, "unfolding the definitions gives the same expression")


@rule("log_laws")
def _log_laws(before, after, relation, ctx, unfold_definitions: bool = False) -> Verdict:
    """The logarithm laws (after writing out the definitions, when the step says so)."""
    if unfold_definitions:
        before, after = unfold(before), unfold(after)
    b, used_b, miss_b = expand_logs(before, ctx.facts)
    a, used_a, miss_a = expand_logs(after, ctx.facts)
    ok = meet(split_linear(b), split_linear(a))
    conditions = ", ".join(sorted(set(used_a + used_b))) or "none"
    if ok:
        return _eq(True, relation, f"logarithm laws with side conditions {conditions}")
    missing = sorted(set(miss_a + miss_b))
    return ("unverified", f"side conditions not established: {', '.join(missing)}") if missing else \
        _eq(False, relation, "")


@rule("sum_linearity")
def _sum_linearity(before, after, relation, ctx) -> Verdict:
    return _eq(meet(split_linear(before), split_linear(after)), relation,
               "linearity: a sum (integral) of a sum is the sum of the sums; constants factor out")


@rule("normalisation")
def _normalisation(before, after, relation, ctx) -> Verdict:
    if not ctx.totals:
        return "unverified", "no normalisation assumption (sum of p_i = 1) is stated"
    ok = meet(normalise_sums(before, ctx.totals), normalise_sums(after, ctx.totals))
    used = ", ".join(f"{k} = {v}" for k, v in ctx.totals.items())
    return _eq(ok, relation, f"substituted the normalisation lemma {used}")


@rule("differentiate")
def _differentiate(before, after, relation, ctx) -> Verdict:
    def go(e):
        return unfold(e).replace(lambda x: isinstance(x, sp.Derivative),
                                 lambda d: sp.diff(unfold(d.expr), *d.variables))
    b = bounded(go, before)
    a = bounded(go, after)
    ok = meet(expand_logs(b, ctx.facts)[0], expand_logs(a, ctx.facts)[0])
    return _eq(ok, relation, "differentiated term by term (sum, product, quotient and chain rules)")


@rule("substitute")
def _substitute(before, after, relation, ctx, subs: dict) -> Verdict:
    for var, value in subs.items():
        if not (ctx.holds(sp.Eq(var, value)) or (var, value) in ctx.facts.equal):
            return "unverified", f"{var} = {value} is not an assumption of this derivation"
    return _eq(meet(before.xreplace(subs), after.xreplace(subs)), relation,
               "substituted " + ", ".join(f"{k} = {v}" for k, v in subs.items()))


@rule("evaluate")
def _evaluate(before, after, relation, ctx) -> Verdict:
    """Closed integrals, limits and derivatives SymPy computes (bounded), then compared."""
    b = bounded(lambda: before.doit(), seconds=3.0)
    a = bounded(lambda: after.doit(), seconds=3.0)
    return _eq(meet(b, a), relation, "evaluated by SymPy (bounded) and compared")


@rule("change_of_variables")
def _change_of_variables(before, after, relation, ctx, old: sp.Symbol, new: sp.Symbol, shift, scale) -> Verdict:
    """``x = shift + scale * t`` with ``scale > 0`` maps the real line onto itself."""
    if not ctx.facts.is_positive(scale):
        return "unverified", f"side condition {scale} > 0 not established"

    def sub(e):
        return e.replace(lambda x: isinstance(x, sp.Integral) and x.limits[0] == (old, -sp.oo, sp.oo),
                         lambda I: sp.Integral(unfold(I.function.xreplace({old: shift + scale * new})) * scale,
                                               (new, -sp.oo, sp.oo)))
    return _eq(meet(split_linear(sub(before)), split_linear(after)), relation,
               f"substituted {old} = {shift} + {scale} {new} (increasing, onto the real line)")


def lemma_sign_ok(lemma, subs: dict, ctx: Context) -> list[str]:
    """The lemma's side conditions at this instance that the context cannot establish."""
    missing = []
    statement = lemma.parts[0] if lemma.parts else lemma  # a lemma is cited by its main statement
    for a in statement.assumptions:
        subject = a.subject.xreplace(subs)
        if a.domain is not None and a.domain == sp.Interval.open(0, sp.oo):
            if not ctx.facts.is_positive(subject):
                missing.append(f"{subject} > 0")
        elif a.domain is not None:
            missing.append(f"{subject} in {a.domain}") if not _in_domain(subject, a.domain, ctx) else None
        if isinstance(a.relation, sp.Unequality):
            d = (a.relation.lhs - a.relation.rhs).xreplace(subs)
            if not ctx.facts.is_nonzero(d):
                missing.append(f"{d} != 0")
        elif a.relation is not None and not isinstance(a.relation, sp.Unequality):
            inst = a.relation.xreplace(subs)
            if not (ctx.holds(inst) or inst is sp.true or (isinstance(inst, sp.Equality) and meet(
                    normalise_sums(inst.lhs, ctx.totals), normalise_sums(inst.rhs, ctx.totals)))):
                missing.append(str(inst))
    return missing


def _in_domain(x, dom, ctx) -> bool:
    if dom == sp.Reals:
        return x.is_real is True
    if isinstance(dom, sp.Interval):
        lo_ok = dom.start == -sp.oo or (ctx.facts.is_positive(x - dom.start) if dom.left_open
                                         else ctx.facts.is_nonnegative(x - dom.start))
        hi_ok = dom.end == sp.oo or (ctx.facts.is_positive(dom.end - x) if dom.right_open
                                     else ctx.facts.is_nonnegative(dom.end - x))
        return bool(lo_ok and hi_ok)
    return False


def _orient(lemma_rel: str, sign: int, strict_ok: bool) -> set:
    """Relations ``before REL after`` that ``before - after = c (L - R)`` gives, c of this sign."""
    if lemma_rel == "=":
        return {"="}
    up = lemma_rel in (">=", ">")
    if sign < 0:
        up = not up
    strict = lemma_rel in ("<", ">") and strict_ok
    if up:
        return {">=", ">"} if strict else {">="}
    return {"<=", "<"} if strict else {"<="}


def _lemma_verdict(d: sp.Expr, relation: str, ctx: Context, lemma, subs: dict, factor) -> Verdict:
    if not lemma.proved:
        return "unverified", f"lemma {lemma.name} is not proved"
    missing = lemma_sign_ok(lemma, subs, ctx)
    if missing:
        return "unverified", f"side conditions of {lemma.name} not established: {', '.join(missing)}"
    statement = lemma.parts[0] if lemma.parts else lemma
    L, R = statement.lhs.xreplace(subs), statement.rhs.xreplace(subs)
    if not meet(split_linear(d), split_linear(factor * (L - R))):
        return "failed", f"the step is not {factor} times an instance of {lemma.name}"
    if statement.relation == "=":
        return _eq(True, relation, f"lemma {lemma.name}")
    if ctx.facts.is_positive(factor):
        sign, strict = 1, True
    elif ctx.facts.is_nonnegative(factor):
        sign, strict = 1, False
    elif ctx.facts.is_positive(-factor):
        sign, strict = -1, True
    elif ctx.facts.is_nonnegative(-factor):
        sign, strict = -1, False
    else:
        return "unverified", f"the sign of the factor {factor} is not established"
    if relation in _orient(statement.relation, sign, strict):
        return "verified", f"lemma {lemma.name} ({statement.lhs} {statement.relation} {statement.rhs}) at {subs}, times {factor}"
    return "failed", f"lemma {lemma.name} with factor {factor} does not give {relation}"


@rule("lemma")
def _lemma(before, after, relation, ctx, lemma, subs=None, factor=sp.Integer(1)) -> Verdict:
    """``before - after = factor * (L - R)`` for an instance ``L REL R`` of a proved lemma."""
    return _lemma_verdict(before - after, relation, ctx, lemma, subs or {}, factor)


def instantiate(expr: sp.Expr, lists: dict) -> sp.Expr:
    """A statement over n-event distributions at concrete lists: ``n = len``, ``p[k]`` the k-th entry.

    >>> from symxent.derivation.quantities import H, distribution
    >>> a = sp.Symbol("a")
    >>> P = distribution("p")
    >>> instantiate(H(P), {P.base: (a, 1 - a)})
    -a*log(a) - (1 - a)*log(1 - a)
    """
    sizes = {len(v) for v in lists.values()}
    if len(sizes) != 1:
        raise ValueError("the lists of one instance have one length")
    return _instantiated(expr, tuple(lists.items()), sizes.pop())


@functools.lru_cache(maxsize=512)
def _instantiated(expr: sp.Expr, items: tuple, size: int) -> sp.Expr:
    lists = dict(items)
    e = unfold(expr)
    ns = {lim[2] for s in e.atoms(sp.Sum) for lim in s.limits if isinstance(lim[2], sp.Symbol)}
    ns |= {x for x in e.free_symbols if isinstance(x, sp.Symbol) and x.name == "n" and x.is_integer}
    e = e.xreplace({n: sp.Integer(size) for n in ns}).doit()
    return e.xreplace({b[k + 1]: v for b, entries in lists.items() for k, v in enumerate(entries)})


def _is_distribution(entries: tuple, dom: sp.Set, ctx: Context) -> list[str]:
    """What is missing for ``entries`` to be a distribution: each in ``dom``, their sum 1."""
    missing = [f"{x} in {dom}" for x in entries if not _in_domain(x, dom, ctx)]
    total = sp.Add(*entries, evaluate=False)
    if not (sp.expand(total) == 1 or ctx.holds(sp.Eq(total, 1, evaluate=False))):
        missing.append(f"{sp.expand(total)} = 1")
    return missing


@rule("instance")
def _instance(before, after, relation, ctx, lemma, lists, factor=sp.Integer(1)) -> Verdict:
    """``before - after = factor * (L - R)`` for a proved lemma ``L REL R`` over n-event
    distributions, instantiated at concrete lists (n = their length) that are distributions under
    the assumptions: every entry in the lemma's domain (checked from the sign facts), sum 1."""
    if not lemma.proved:
        return "unverified", f"lemma {lemma.name} is not proved"
    statement = lemma.parts[0] if lemma.parts else lemma
    missing = []
    for a in statement.assumptions:
        if a.domain is not None and isinstance(a.subject, sp.Indexed) and a.subject.base in lists:
            missing += _is_distribution(lists[a.subject.base], a.domain, ctx)
        elif isinstance(a.relation, sp.Equality) and isinstance(a.relation.lhs, sp.Sum) and \
                isinstance(a.relation.lhs.function, sp.Indexed) and a.relation.lhs.function.base in lists:
            continue  # the sum is checked with the entries
        else:
            return "unverified", f"side condition {a.text} of {lemma.name} is not about the lists"
    missing = list(dict.fromkeys(missing))
    if missing:
        return "unverified", f"the lists are not shown to be distributions: {', '.join(missing)}"
    try:
        inst = instantiate(statement.lhs - statement.rhs, lists)
    except ValueError as err:
        return "unverified", str(err)
    if not meet(split_linear(before - after), split_linear(factor * inst)):
        return "failed", f"the step is not {factor} times the instance of {lemma.name} at these lists"
    if ctx.facts.is_positive(factor):
        sign = 1
    elif ctx.facts.is_positive(-factor):
        sign = -1
    else:
        return "unverified", f"the sign of the factor {factor} is not established"
    if relation not in _orient(statement.relation, sign, True):
        return "failed", f"lemma {lemma.name} with factor {factor} does not give {relation}"
    shown = "; ".join(f"{str(b.label).upper()} = [{', '.join(map(str, v))}]" for b, v in lists.items())
    return "verified", (f"lemma {lemma.name} ({statement.lhs} {statement.relation} {statement.rhs}) at n = "
                        f"{len(next(iter(lists.values())))}, {shown}; each list is a distribution (entries in "
                        f"(0, 1] from the assumptions, sum 1), times {factor}")


@rule("termwise")
def _termwise(before, after, relation, ctx, lemma, subs, factor=sp.Integer(1)) -> Verdict:
    """Sum of inequalities: each term of ``before - after`` is ``factor`` times a lemma instance."""
    single = single_sum(before - after, split=False) or single_sum(before - after)
    if single is None:
        return "unverified", "before - after is not a single sum over common limits"
    body, limits = single
    status, detail = _lemma_verdict(body, relation, ctx, lemma, subs, factor)
    if status == "verified":
        detail = f"term by term, for every {limits[0][0]} = {limits[0][1]}..{limits[0][2]}: {detail}"
    return status, detail


@rule("sum_at_least_term")
def _sum_at_least_term(before, after, relation, ctx, index_value, lemma, subs, factor=sp.Integer(1)) -> Verdict:
    """A sum of nonnegative terms is at least its term at ``index_value`` (in the range)."""
    if relation != ">=" or not isinstance(before, sp.Sum) or len(before.limits) != 1:
        return "unverified", "expects Sum(...) >= one of its terms"
    i, lo, hi = before.limits[0]
    if not (ctx.facts.is_nonnegative(index_value - lo) and ctx.facts.is_nonnegative(hi - index_value)):
        return "unverified", f"{index_value} is not established to lie in {lo}..{hi}"
    status, detail = _lemma_verdict(before.function, ">=", ctx, lemma, subs, factor)
    if status != "verified":
        return status, f"terms not shown nonnegative: {detail}"
    if not meet(before.function.xreplace({i: index_value}), after):
        return "failed", f"{after} is not the term at {i} = {index_value}"
    return "verified", f"every term is nonnegative ({detail}); dropped all but {i} = {index_value}"


@rule("convex_minimum")
def _convex_minimum(before, after, relation, ctx, var, at) -> Verdict:
    """``f(x) >= f(a)`` on a domain where f' vanishes only at a and f'' > 0 (strict away from a)."""
    f = before
    d1 = bounded(sp.diff, f, var)
    d2 = bounded(sp.diff, d1, var)
    roots = bounded(sp.solve, d1, var)
    if set(roots) != {at}:
        return "failed", f"f'({var}) = {d1} vanishes at {roots}, not only at {at}"
    if not ctx.facts.is_positive(sp.factor_terms(d2)):
        return "unverified", f"f''({var}) = {d2} > 0 not established on the domain"
    if not meet(f.xreplace({var: at}), after):
        return "failed", f"f({at}) = {f.xreplace({var: at})}, not {after}"
    strict = ctx.facts.is_nonzero(var - at)
    allowed = {">=", ">"} if strict else {">="}
    if relation not in allowed:
        return "failed", f"convexity gives {' or '.join(sorted(allowed))}, step claims {relation}"
    return "verified", (f"f'({var}) = {d1} vanishes only at {var} = {at}; f''({var}) = {d2} > 0, so f is "
                        f"strictly convex and f({at}) = {after} is its minimum" + (", attained only there" if strict else ""))


@rule("sifting")
def _sifting(before, after, relation, ctx) -> Verdict:
    """``sum_k delta(k, a) f(k) = f(a)`` when ``a`` lies in the range of k."""
    b, miss_b = sift(before, ctx.facts)
    a, miss_a = sift(after, ctx.facts)
    if meet(b, a):
        return _eq(True, relation, "sifting property of the Kronecker delta (index in range)")
    missing = miss_a + miss_b
    return ("unverified", f"range not established: {', '.join(missing)}") if missing else _eq(False, relation, "")


@rule("cases")
def _cases(before, after, relation, ctx) -> Verdict:
    """max, min and |.| resolved by the sign the assumptions give their arguments."""
    ok = meet(resolve_cases(before, ctx.facts), resolve_cases(after, ctx.facts))
    return _eq(ok, relation, "resolved max/min/abs by the sign of their arguments in this case")


@rule("powers")
def _powers(before, after, relation, ctx) -> Verdict:
    """``b**x = exp(x log b)`` for b > 0."""
    ok = meet(powers_to_exp(unfold(before), ctx.facts), powers_to_exp(unfold(after), ctx.facts))
    return _eq(ok, relation, "b**x = exp(x log b) for a positive base b")


@rule("nonnegative_terms")
def _nonnegative_terms(before, after, relation, ctx) -> Verdict:
    """``before - after`` is a sum whose every term is >= 0 (or <= 0) by the assumptions."""
    single = single_sum(before - after)
    body = single[0] if single else sp.factor_terms(before - after)
    if relation == ">=" and ctx.facts.is_nonnegative(sp.factor(body)):
        return "verified", f"each term {body} is >= 0 under the assumptions"
    if relation == "<=" and ctx.facts.is_nonnegative(sp.factor(-body)):
        return "verified", f"each term {-body} is >= 0 under the assumptions"
    return "unverified", f"the sign of {body} is not established"


@rule("certified_order")
def _certified_order(before, after, relation, ctx) -> Verdict:
    """Two closed values compared exactly: the normal form of their difference is not zero
    (sums of logarithms of rationals have a unique one), and an enclosure gives its sign."""
    from ..exact import closed_form
    from ..exact.interval import enclose

    if before.free_symbols or after.free_symbols or relation not in ("<", ">", "!="):
        return "unverified", "expects two closed values and <, > or !="
    normal = closed_form(before - after)
    if normal is None:
        return "unverified", "the difference is outside the exact normal form (sums of logs of rationals)"
    if normal == 0:
        return "failed", "the two values are exactly equal"
    lo, hi = enclose(normal, 128)
    sign = ">" if lo > 0 else "<" if hi < 0 else None
    if sign is None or relation not in (sign, "!="):
        return "failed" if sign else "unverified", f"the difference {normal} encloses to [{float(lo)}, {float(hi)}]"
    return "verified", f"the difference is exactly {normal}, not zero, enclosed in [{float(lo):.6g}, {float(hi):.6g}]"


@rule("swap_sums")
def _swap_sums(before, after, relation, ctx) -> Verdict:
    """Finite sums over independent ranges commute (and a factor free of an index moves inside)."""
    ok = meet(flatten_sums(split_linear(before)), flatten_sums(split_linear(after)))
    return _eq(ok, relation, "exchanged two finite sums over independent ranges")


def normal_form(e: sp.Expr, ctx: Context) -> tuple[sp.Expr, list[str]]:
    """Definitions unfolded, cases resolved, powers as exponentials, log laws, linearity, normalisation."""
    e = resolve_cases(unfold(e), ctx.facts)
    e = e.replace(lambda x: isinstance(x, sp.log), lambda L: sp.log(bounded(_tidy, L.args[0])))
    e, _, missing = expand_logs(e, ctx.facts)
    e, _, more = expand_logs(powers_to_exp(e, ctx.facts), ctx.facts)
    return normalise_sums(e, ctx.totals), missing + more


def _tidy(arg: sp.Expr) -> sp.Expr:
    """A log's argument as one factored fraction (so the log laws can split it)."""
    if arg.has(sp.Sum, sp.Integral) or not arg.free_symbols:
        return arg
    factored = sp.factor(sp.cancel(sp.together(arg)))
    if factored.is_Mul:  # -p/(p - 1) as p/(1 - p): a sign moved into a difference
        flipped = flip_sign(factored)
        return flipped if flipped is not None else factored
    return factored


@rule("normal_form")
def _normal_form(before, after, relation, ctx) -> Verdict:
    """Both sides brought to one normal form by the equality rules above, under the assumptions."""
    b, miss_b = normal_form(before, ctx)
    a, miss_a = normal_form(after, ctx)
    if meet(b, a):
        return _eq(True, relation, "definitions, cases, b**x = exp(x log b), log laws (side conditions "
                   "established), linearity and normalisation bring both sides to the same expression")
    missing = sorted(set(miss_a + miss_b))
    return ("unverified", f"the normal forms differ; side conditions not established: {', '.join(missing)}") \
        if missing else ("unverified", "the normal forms differ")


@rule("sign_facts")
def _sign_facts(before, after, relation, ctx) -> Verdict:
    """``before REL after`` because the sign of their difference follows from the assumptions."""
    d = before - after if relation in (">", ">=") else after - before
    if relation not in (">", ">=", "<", "<="):
        return "unverified", f"rule proves inequalities, step claims {relation}"
    strict = relation in (">", "<")
    test = ctx.facts.is_positive if strict else ctx.facts.is_nonnegative
    if test(d) or test(sp.expand(d)) or test(sp.factor(d)):
        return "verified", f"{d} {'>' if strict else '>='} 0 follows from the assumptions (sign reasoning)"
    return "unverified", f"the sign of {d} is not established"


@rule("assumption")
def _assumption(before, after, relation, ctx) -> Verdict:
    """``before REL after`` is one of the stated assumptions (or what a stated domain says)."""
    wanted = {"=": sp.Eq, ">": sp.Gt, ">=": sp.Ge, "<": sp.Lt, "<=": sp.Le}.get(relation)
    if wanted is None:
        return "unverified", f"no such relation {relation}"
    for a in ctx.assumptions:
        if a.relation is not None and a.relation == wanted(before, after, evaluate=False):
            return "verified", f"stated assumption: {a.text}"
        if a.domain is not None and a.subject == before and _domain_gives(a.domain, relation, after):
            return "verified", f"stated assumption: {before} in {a.domain}"
    return "unverified", f"{before} {relation} {after} is not a stated assumption"


def _domain_gives(dom, relation: str, bound) -> bool:
    """``x in dom`` gives ``x REL bound`` (the interval's endpoint on that side, open or closed)."""
    if not isinstance(dom, sp.Interval):
        return False
    if relation in (">", ">="):
        end, is_open, beyond = dom.start, dom.left_open, dom.start > bound
    elif relation in ("<", "<="):
        end, is_open, beyond = dom.end, dom.right_open, dom.end < bound
    else:
        return False
    if not end.is_finite:
        return False
    return bool(beyond) or (end == bound and (is_open or relation in (">=", "<=")))


from . import rules_ineq  # noqa: E402,F401  (registers the inequality tactics' rules; it imports this module)
