"""Check a claim ``lhs REL rhs``: proved, disproved with a counterexample, or honestly undecided.

A disproof is a point of the declared domains (exact rationals; n-event distributions at n = 2
or 3 with rational entries) where the claim is false, decided by certified evaluation: the
difference of the two sides is enclosed in an interval that excludes 0 (or, for sums of logs of
rationals, shown exactly zero when a strict inequality is claimed), so it is never a
floating-point artefact. A proof is a derivation the engine checks: one normal-form step for
equalities, or an instance of a proved inequality of the catalogue. Everything is time-bounded:
what cannot be decided in time is "undecided".

>>> r = verify("H(P, Q)", "H(Q, P)")
>>> r.status, sorted(str(k) for k in r.counterexample)[:2]
('disproved', ['n', 'p[1]'])
>>> verify("H(P, Q)", "H(P) + KL(P, Q)").status
'proved'
"""

from __future__ import annotations

import functools
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

import sympy as sp

from ..errors import ParseError, SymxentError, UnsupportedError, shown
from ..timebound import CannotSend, in_worker
from .bound import OutOfTime, check_seconds, needs_worker, time_limit
from .context import context_of, in_interval, normalised
from .core import Assumption, Derivation
from .counterexample import certified_sign, search
from .engine import Proof
from .rules import check_step
from .sides import side_conditions, with_side_conditions
from .quantities import Quantity

__all__ = ["VerifyResult", "verify", "certified_sign"]

Status = Literal["proved", "disproved", "undecided"]
_RELATIONS = {"=": "=", "==": "=", "<=": "<=", ">=": ">=", "<": "<", ">": ">"}


@dataclass(frozen=True)
class VerifyResult:
    """The verdict on ``lhs REL rhs``.

    ``counterexample`` maps each symbol (and ``n``, ``p[1]``, ... for n-event distributions) to
    an exact value where the claim fails; ``values`` are the two sides there, certified to 20
    digits; ``derivation`` is the checked proof when there is one.
    """

    status: Status
    lhs: sp.Expr
    rhs: sp.Expr
    relation: str
    counterexample: dict | None = None
    values: tuple[str, str] | None = None
    derivation: Derivation | None = None
    detail: str = ""
    assumptions: tuple[Assumption, ...] = field(default=())

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    def __str__(self) -> str:
        """A human summary (``repr`` stays the dataclass's): the verdict, the claim, and why.

        >>> x = sp.Symbol("x")
        >>> print(VerifyResult("disproved", x, x + 1, "=", {x: 0}, ("0", "1"), detail="differ at x = 0"))
        disproved: x = x + 1
          counterexample: x = 0 (there lhs = 0, rhs = 1)
          differ at x = 0
        """
        lines = [f"{self.status}: {self.lhs} {self.relation} {self.rhs}"]
        if self.counterexample:
            point = ", ".join(f"{k} = {v}" for k, v in self.counterexample.items())
            there = f" (there lhs = {self.values[0]}, rhs = {self.values[1]})" if self.values else ""
            lines.append(f"  counterexample: {point}{there}")
        if self.detail:
            lines.append(f"  {self.detail}")
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        """Jupyter display: the verdict, with its proof or its counterexample."""
        from ..render.verdict import verdict_latex

        return verdict_latex(self)

    def _repr_markdown_(self) -> str:
        from ..render.verdict import verdict_markdown

        return verdict_markdown(self)


def _domains(where: Mapping | None, symbols: dict) -> dict:
    from ..parsing import parse_where

    out = {}
    for key, dom in (where or {}).items():
        name = str(key)
        if isinstance(dom, str):
            _, dom = parse_where(f"{name} in {dom}")
        if not isinstance(dom, sp.Set):
            raise ParseError(f"where[{name!r}]={shown(dom)} is not a SymPy set or a domain text like '(0, 1)'")
        sym = key if isinstance(key, sp.Symbol) else symbols.setdefault(name, sp.Symbol(name, real=True))
        out[sym] = dom
    return out


def _read(side: Any, symbols: dict, dists: dict, name: str, lists: list | None = None) -> sp.Expr:
    from ..parsing import read_expression

    if isinstance(side, str):
        return read_expression(side, symbols, dists, lists)
    if isinstance(side, (int, sp.Expr)):
        return sp.Integer(side) if isinstance(side, int) else side
    raise UnsupportedError(f"{name}={shown(side)} must be a string or a SymPy expression")


def verify(lhs: Any, rhs: Any, where: Mapping | None = None, relation: str = "=", *,
           seconds: float = 10.0, samples: int = 40, seed: int = 0) -> VerifyResult:
    """Decide ``lhs REL rhs`` over the domains of ``where`` (SymPy sets, or texts like "(0, 1)").

    Symbols without a domain are real. Capital letters in text (``P``, ``Q``) are n-event
    distributions; see :mod:`symxent.parsing` for the grammar.

    >>> verify("KL(P, Q)", "0", relation=">=").status
    'proved'
    >>> verify("log(x)", "x - 1", {"x": "(0, oo)"}, "<=").status
    'proved'
    >>> verify("exp(x)", "1 + x", relation=">=").status
    'undecided'
    """
    where = _where_mapping(where)
    seconds = check_seconds(seconds)
    rel = _RELATIONS.get(relation)
    if rel is None:
        raise ParseError(f"relation={relation!r} is not one of =, <=, >=, <, >")
    symbols: dict = {}
    dists: dict = {}
    for key, dom in (where or {}).items():  # symbols get their domains before the text is read
        symbols[str(key)] = key if isinstance(key, sp.Symbol) else sp.Symbol(str(key), real=True)
    lists: list = []
    L, R = _read(lhs, symbols, dists, "lhs", lists), _read(rhs, symbols, dists, "rhs", lists)
    lists += [v for v in _api_lists(lhs, rhs) if v not in lists]
    domains = _domains(where, symbols)
    bases = _distribution_bases(L, R)
    assumptions = _assumptions(domains, bases) + list_assumptions(lists, domains)
    if needs_worker():  # off the main thread: no SIGALRM here, so SymPy's loops run in a worker, killed in time
        try:
            return in_worker("symxent.derivation.verify:verify", (lhs, rhs, where, relation),
                             {"seconds": seconds, "samples": samples, "seed": seed}, seconds=seconds,
                             prepare="symxent.derivation.verify:_prepare" if rel != "=" else "symxent.identities:catalogue")
        except OutOfTime:
            return VerifyResult("undecided", L, R, rel, detail=f"time bound of {seconds:g} s reached (worker process stopped)",
                                assumptions=assumptions)
        except CannotSend:
            pass  # arguments that do not pickle: run here, under the cooperative deadline only
    from ..identities import catalogue

    catalogue()  # import the catalogue's modules before the clock starts: an alarm inside an import breaks it
    if rel != "=":
        _inequalities()  # derived once per process (cached), outside the claim's own time bound
    deadline = time.monotonic() + seconds
    stats: dict = {}
    try:
        with time_limit(seconds):
            found = search(L, R, rel, domains, bases, samples, seed, tuple(lists), stats)
            if found is not None:
                point, values = found
                return VerifyResult("disproved", L, R, rel, point, values, None,
                                    f"false at {_show(point)}" if point else "false: the two closed values compare the other way", assumptions)
            derivation = _prove(L, R, rel, assumptions, deadline, cut := list[str](), tuple(lists), stats.get("points", ()))
            if derivation is not None and lists:
                base = _assumptions(domains, bases) + tuple(a for a in assumptions if a.domain is None)
                derivation = with_side_conditions(derivation, side_conditions(tuple(lists), base, assumptions))
            if derivation is not None:
                last = (derivation.parts[-1] if derivation.parts else derivation).steps[-1]
                return VerifyResult("proved", L, R, rel, None, None, derivation, last.detail, assumptions)
    except OutOfTime:
        return VerifyResult("undecided", L, R, rel, detail=f"time bound of {seconds:g} s reached",
                            assumptions=assumptions)
    except (OverflowError, RecursionError, ValueError) as err:  # numbers beyond what can be computed
        if isinstance(err, SymxentError):
            raise
        return VerifyResult("undecided", L, R, rel, detail=f"numbers too large to decide ({type(err).__name__})",
                            assumptions=assumptions)
    why = f"no counterexample at {samples} points of the domains, and no proof found by the normal form, " \
          "the catalogue's inequalities or the inequality tactics"
    if cut:
        why += " (" + "; ".join(cut) + ")"
    if lists and not stats.get("feasible"):
        why = ("no sampled point of the domains makes every list a probability vector (entries in (0, 1] "
               "summing to 1): the feasible set may be empty; no proof found")
    return VerifyResult("undecided", L, R, rel, detail=why, assumptions=assumptions)


def _api_lists(*sides: Any) -> list:
    """Lists given to ``entropy``/``cross_entropy``/``kl_divergence``/``js_divergence`` (Python
    API) whose call's logarithms all occur in the claim: distributions, as typed lists are."""
    from ..measures import lists_in

    exprs = [s for s in sides if isinstance(s, sp.Basic)]
    return lists_in(*exprs) if exprs else []


def _where_mapping(where: Any) -> Mapping | None:
    """``where`` as a mapping: a dict, or a list of texts ("p in (0, 1)") or of (symbol, domain) pairs."""
    from ..parsing import parse_where

    if where is None or isinstance(where, Mapping):
        return where
    if isinstance(where, str):
        return dict([parse_where(where)])
    try:
        items = list(where)
    except TypeError:
        raise UnsupportedError(f"where={shown(where)} must be a dict, or a list of domains like 'p in (0, 1)'") from None
    out = {}
    for i, item in enumerate(items):
        if isinstance(item, str):
            key, dom = parse_where(item)
        elif isinstance(item, tuple) and len(item) == 2:
            key, dom = item
        else:
            raise UnsupportedError(f"where[{i}]={shown(item)} must be a domain text like 'p in (0, 1)' "
                                   "or a (symbol, domain) pair")
        out[key] = dom
    return out


def _show(point: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items())


def _distribution_bases(*exprs: sp.Expr) -> list:
    """The IndexedBases that are n-event distributions (arguments of H, KL, ...)."""
    found = []
    for e in exprs:
        for q in e.atoms(Quantity):
            for a in q.args:
                if isinstance(a, sp.IndexedBase) and a not in found:
                    found.append(a)
    return found


def _dist(base: sp.IndexedBase):
    from .quantities import distribution
    return distribution(str(base.label))


def _assumptions(domains: dict, bases: list) -> tuple[Assumption, ...]:
    out = [in_interval(s, d) for s, d in domains.items() if d != sp.Reals]
    for b in bases:
        d = _dist(b)
        out += [in_interval(d.term(), sp.Interval.Lopen(0, 1)), normalised(d)]
    return tuple(out)


def list_assumptions(lists, domains: Mapping | None = None) -> tuple[Assumption, ...]:
    """The implicit constraints of lists used as distributions: entries in (0, 1], sum 1
    (an entry that is a symbol whose declared domain lies in (0, 1] is not restated).

    >>> a = sp.Symbol("a", real=True)
    >>> for x in list_assumptions([(a, 1 - a)]):
    ...     print(x.text)
    a \\in \\left(0, 1\\right]
    1 - a \\in \\left(0, 1\\right]
    a + \\left(1 - a\\right) = 1 \\quad \\text{(the list is a distribution)}
    """
    out: list[Assumption] = []
    unit = sp.Interval.Lopen(0, 1)
    for entries in lists:
        for x in entries:
            if domains is not None and x in domains and domains[x].is_subset(unit):
                continue
            if isinstance(x, sp.Expr) and x.free_symbols:
                a = in_interval(x, sp.Interval.Lopen(0, 1))
                if a not in out:
                    out.append(a)
        total = sp.Add(*entries, evaluate=False)
        shown = " + ".join(f"\\left({sp.latex(x)}\\right)" if isinstance(x, sp.Add) else sp.latex(x) for x in entries)
        out.append(Assumption(total, f"{shown} = 1 \\quad \\text{{(the list is a distribution)}}",
                              relation=sp.Eq(total, 1, evaluate=False)))
    return tuple(out)


# --- proofs ----------------------------------------------------------------------------------

def _equal(L, R, assumptions, name="claim", title="user claim") -> Derivation:
    return Proof(name, title, L, "=", R, assumptions).step(R, "normal_form", "normal form of both sides").qed()


def _by_cases(L, R, assumptions) -> Derivation | None:
    """Split on the sign of each symbol inside |.|, max or min (at most two), then normal forms."""
    from .engine import combine

    inside = set()
    for f in (L - R).atoms(sp.Abs, sp.Max, sp.Min):
        inside |= {a for a in f.free_symbols if isinstance(a, sp.Symbol)}
    if not inside or len(inside) > 2:
        return None
    names = sorted(inside, key=str)
    halves = (sp.Interval(0, sp.oo), sp.Interval.open(-sp.oo, 0))
    parts: list[Derivation] = []
    for signs in itertools.product(halves, repeat=len(names)):
        case = tuple(in_interval(v, h) for v, h in zip(names, signs))
        label = ", ".join(f"{v} {'>= 0' if h == halves[0] else '< 0'}" for v, h in zip(names, signs))
        part = _equal(L, R, assumptions + case, f"claim.case{len(parts) + 1}", f"case {label}")
        if not part.proved:
            return None
        parts.append(part)
    return combine("claim", "user claim, case by case", tuple(parts))


def _in_time(deadline: float) -> None:
    """An outer time bound, once spent, is spent: checked between attempts as well."""
    if time.monotonic() > deadline:
        raise OutOfTime("time bound reached")


def _prove(L, R, rel, assumptions, deadline: float = float("inf"), cut: list | None = None,
           lists: tuple = (), points: tuple = ()) -> Derivation | None:
    d = _equal(L, R, assumptions)
    if cut is not None and "time bound" in d.steps[0].detail:
        cut.append("the normal form was cut by its time bound")
    _in_time(deadline)
    if not d.proved and rel == "=":
        d = _by_cases(L, R, assumptions) or d
        _in_time(deadline)
    if d.proved and rel in ("=", "<=", ">="):
        return d
    if rel == "=":
        return None
    if not (L - R).free_symbols:  # two closed values: an exact comparison
        for strict in (">", "<"):
            d = Proof("claim", "user claim", L, rel, R, assumptions).step(
                R, "certified_order", "exact comparison of the two values", strict, refute_failed=False).qed()
            if d.proved:
                return d
    ctx = context_of(assumptions)
    found = _by_instance(L, R, rel, assumptions, ctx, deadline, lists, points)  # the claim's lists first: cheap to match
    if found is not None:
        return found
    points = tuple(points)[:2]
    d_values = [_numeric(L - R, pt) for pt in points]
    for lemma in _inequalities():
        statement = lemma.parts[0] if lemma.parts else lemma
        for subs in _matchings(statement, L, R):
            inst = (statement.lhs - statement.rhs).xreplace(subs)
            for factor in (sp.Integer(1), sp.Integer(-1)):
                _in_time(deadline)
                if not inst.atoms(Quantity) and not _may_be_multiple(d_values, inst, factor, points):
                    continue
                params = {"lemma": lemma, "subs": subs, "factor": factor}
                if check_step("lemma", L, R, rel, ctx, params)[0] != "verified":
                    continue  # try the next instance (no counterexample search for a mere mismatch)
                d = Proof("claim", "user claim", L, rel, R, assumptions).step(
                    R, "lemma", f"catalogue: {lemma.name}", rel, **params).qed()
                if d.proved:
                    return d
    return _by_tactics(L, R, rel, assumptions, deadline, lists, points, cut)


def _by_tactics(L, R, rel, assumptions, deadline: float, lists: tuple, points: tuple,
                cut: list | None) -> Derivation | None:
    """The inequality tactics (termwise ln x <= x - 1, log-sum, one variable); what each reached
    goes to ``cut`` for the undecided verdict."""
    from .tactics import prove

    _in_time(deadline)
    d, notes = prove(L, R, rel, assumptions, lists, tuple(points)[:2])
    if d is not None and d.proved:
        return d
    if cut is not None and notes:
        cut.append("tactics: " + "; ".join(f"{k}: {v}" for k, v in notes.items()))
    return None


def _numeric(e: sp.Expr, point: dict) -> complex | None:
    """``e`` at ``point`` to 30 digits (a filter only: a mismatch skips a candidate, never proves)."""
    try:
        return complex(sp.N(e.xreplace(point), 30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _may_be_multiple(d_values: list, inst: sp.Expr, factor: sp.Expr, points: tuple) -> bool:
    """``d = factor * inst`` is not refuted numerically at the sampled feasible points."""
    for value, point in zip(d_values, points):
        other = _numeric(factor * inst, point)
        if value is None or other is None:
            continue
        if abs(value - other) > 1e-15 * (1 + abs(value)):
            return False
    return True


def _by_instance(L, R, rel, assumptions, ctx, deadline: float, lists: tuple, points: tuple = ()) -> Derivation | None:
    """A catalogue inequality over n-event distributions, cited at the claim's lists (n = len)."""
    from .rules import instantiate

    if not lists:
        return None
    points = tuple(points)[:2]
    d_values = [_numeric(L - R, pt) for pt in points]
    logs = sorted({g for g in (L - R).atoms(sp.log) if not g.free_symbols and g.args[0].is_Rational
                   and g.args[0] > 1}, key=str)  # a base b: the claim is 1/log(b) times the lemma
    factors = [sp.Integer(1), sp.Integer(-1)] + [s / g for g in logs for s in (1, -1)]
    for lemma in _inequalities():
        statement = lemma.parts[0] if lemma.parts else lemma
        bases = _distribution_bases(statement.lhs, statement.rhs)
        if not bases:
            continue
        for chosen in itertools.product(lists, repeat=len(bases)):
            if len({len(v) for v in chosen}) != 1:
                continue
            try:
                inst = instantiate(statement.lhs - statement.rhs, dict(zip(bases, chosen)))
            except ValueError:
                continue
            for factor in factors:
                _in_time(deadline)
                if not _may_be_multiple(d_values, inst, factor, points):
                    continue
                params = {"lemma": lemma, "lists": dict(zip(bases, chosen)), "factor": factor}
                if check_step("instance", L, R, rel, ctx, params)[0] != "verified":
                    continue
                n = len(chosen[0])
                d = Proof("claim", "user claim", L, rel, R, assumptions).step(
                    R, "instance", f"catalogue: {lemma.name} at n = {n}, each list a distribution", rel,
                    **params).qed()
                if d.proved:
                    return d
    return None


def _prepare() -> None:
    """A worker's preparation for inequalities: the catalogue and its inequalities (cached)."""
    _inequalities()


@functools.lru_cache(maxsize=1)
def _inequalities() -> tuple[Derivation, ...]:
    from ..identities import catalogue
    from ..identities._common import ln_le_x_minus_1

    out = [ln_le_x_minus_1()]
    for ident in catalogue():
        d = ident.derive()
        for part in (d.parts or (d,)):
            if part.relation in ("<=", ">=", "<", ">") and part.proved and not any(
                    isinstance(a.relation, sp.Unequality) for a in part.assumptions):
                out.append(part)
    return tuple(out)


def _matchings(statement: Derivation, L: sp.Expr, R: sp.Expr):
    """Substitutions of the lemma's scalar symbols and distributions by those of the claim."""
    claim_syms = sorted((L - R).free_symbols - set(_distribution_bases(L, R)), key=str)
    lemma_syms = sorted(s for s in (statement.lhs - statement.rhs).free_symbols
                        if isinstance(s, sp.Symbol) and not s.is_integer and s.name not in ("p", "q"))
    lemma_bases = _distribution_bases(statement.lhs, statement.rhs)
    claim_bases = _distribution_bases(L, R)
    base_maps = [dict(zip(lemma_bases, perm)) for perm in itertools.permutations(claim_bases, len(lemma_bases))] \
        if len(claim_bases) >= len(lemma_bases) else []
    if lemma_bases and not base_maps:
        return  # the lemma is about distributions the claim does not have: no instance can match
    sym_maps = [dict(zip(lemma_syms, perm)) for perm in itertools.permutations(claim_syms, len(lemma_syms))] \
        if len(claim_syms) >= len(lemma_syms) else []
    for bm in base_maps or [{}]:
        for sm in sym_maps or [{}]:
            yield {**bm, **sm}
