"""Inequality tactics: proofs built step by step, each step checked by its rule.

A tactic writes the claim ``L REL R`` as ``L = R + c * X0`` (checked by ``list_sums``: the normal
form once each list sums to 1) and then moves ``X0 >= X1 >= ... >= 0`` by laws, each a step of
the derivation checked by its own rule (:mod:`symxent.derivation.rules_ineq`); the sign of ``c``
turns ``>=`` into ``<=``. The tactics:

- ``gibbs``: ``KL(P, Q) = -sum p_i ln(q_i/p_i) >= -sum p_i (q_i/p_i - 1) = 0`` (``ln x <= x - 1``);
- ``log_sum``: the log-sum inequality (Jensen) for ``KL(P, Q) >= 0``, ``H(P) <= log n`` and ``JS >= 0``;
- ``js_upper``: ``JS(P, Q) <= log 2`` by ``ln u >= 1 - 1/u`` term by term;
- ``one_variable``: ``F = +-(L - R) >= 0`` by the derivative's sign in one variable on its domain
  (the other symbols are parameters): ``F' = (x - a) h`` with ``h >= 0``, convexity, or monotonicity
  to a closed end point, then ``F(a) = 0``.

Each attempt says how far it got; :func:`prove` returns a proved derivation or those notes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from .bound import OutOfTime, bounded
from .core import Derivation, Relation
from .engine import Proof

__all__ = ["Attempt", "prove", "TACTICS"]

TACTICS = ("gibbs", "log_sum", "js_upper", "one_variable")


@dataclass(frozen=True)
class Attempt:
    """One tactic tried on a claim: its proof, or how far it got."""

    tactic: str
    derivation: Derivation | None
    reached: str

    @property
    def proved(self) -> bool:
        return self.derivation is not None and self.derivation.proved


def _scaled(R: sp.Expr, f: sp.Expr, X: sp.Expr) -> sp.Expr:
    return R if X == 0 else R + sp.Mul(f, X, evaluate=False)


def _chain(tactic: str, L, rel, R, assumptions, f, X0, moves) -> Attempt:
    """``L = R + f X0``, then each move ``(X_next, rule, why, params, relation)``; ``R`` at the end."""
    proof = Proof("claim", f"user claim, by the {tactic.replace('_', ' ')} tactic", L, rel, R, assumptions)
    proof.step(_scaled(R, f, X0), "list_sums", "the claim as a multiple of what the tactic bounds", refute_failed=False)
    if not proof.steps[-1].verified:
        return Attempt(tactic, None, f"the claim is not {f} times the tactic's form ({proof.steps[-1].detail})")
    for k, (X, rule, why, params, relation) in enumerate(moves, 2):
        proof.step(_scaled(R, f, X), rule, why, relation, refute_failed=False, **params)
        if not proof.steps[-1].verified:
            return Attempt(tactic, None, f"step {k} ({why}) not verified: {proof.steps[-1].detail}")
    if proof.current != R:
        proof.step(R, "list_sums", "each list sums to 1", refute_failed=False)
        if not proof.steps[-1].verified:
            return Attempt(tactic, None, f"the last step to {R} is not verified: {proof.steps[-1].detail}")
    d = proof.qed()
    return Attempt(tactic, d, "proved" if d.proved else f"the steps do not compose to {rel}")


def _rel(f) -> Relation:
    return ">=" if f.is_positive or (f.is_number and sp.N(f) > 0) else "<="


# -- the forms each list tactic bounds (X0 >= 0), with their moves --------------------------------

def _gibbs(P, Q, f):
    X0 = -sp.Add(*(p * sp.log(q / p) for p, q in zip(P, Q)))
    X1 = -sp.Add(*(sp.Mul(p, q / p - 1, evaluate=False) for p, q in zip(P, Q)))
    terms = tuple((p, q / p) for p, q in zip(P, Q))
    return X0, [(X1, "termwise_log", "ln x <= x - 1 term by term (Gibbs)",
                 {"terms": terms, "kind": "upper", "factor": f}, _rel(f))]


def _log_sum(a, b, f):
    X0 = sp.Add(*(x * sp.log(x / y) for x, y in zip(a, b)))
    A, B = sp.Add(*a), sp.Add(*b)
    return X0, [(A * sp.log(A / B), "log_sum", "log-sum inequality (Jensen)",
                 {"a": tuple(a), "b": tuple(b), "factor": f}, _rel(f))]


def _js_upper(P, Q, f):
    S = [p + q for p, q in zip(P, Q)]
    X0 = sp.Add(*(p * sp.log(s / p) + q * sp.log(s / q) for p, q, s in zip(P, Q, S)))
    X1 = sp.Add(*(sp.Mul(p, 1 - p / s, evaluate=False) + sp.Mul(q, 1 - q / s, evaluate=False)
                  for p, q, s in zip(P, Q, S)))
    X2 = sp.Add(*(2 * p * q / s for p, q, s in zip(P, Q, S)))
    terms = tuple(t for p, q, s in zip(P, Q, S) for t in ((p, s / p), (q, s / q)))
    return X0, [(X1, "termwise_log", "ln u >= 1 - 1/u term by term", {"terms": terms, "kind": "lower", "factor": f},
                 _rel(f)),
                (X2, "algebra", "each pair of terms is 2 p_i q_i / (p_i + q_i)", {}, "="),
                (sp.Integer(0), "sign_facts", "each term 2 p_i q_i / (p_i + q_i) >= 0", {}, _rel(f))]


def _forms(lists: tuple):
    """(tactic, name, builder) for each form over the claim's lists (pairs of equal length)."""
    for P in lists:
        n = len(P)
        yield "log_sum", f"log {n} - H({list(P)})", lambda f, P=P, n=n: _log_sum(P, [sp.Rational(1, n)] * n, f)
    for P, Q in itertools.permutations(lists, 2):
        if len(P) != len(Q):
            continue
        yield "gibbs", f"KL({list(P)}, {list(Q)})", lambda f, P=P, Q=Q: _gibbs(P, Q, f)
        yield "log_sum", f"KL({list(P)}, {list(Q)})", lambda f, P=P, Q=Q: _log_sum(P, Q, f)
    for P, Q in itertools.combinations(lists, 2):
        if len(P) != len(Q):
            continue
        M = [(p + q) / 2 for p, q in zip(P, Q)]
        yield "log_sum", f"2 JS({list(P)}, {list(Q)})", lambda f, P=P, Q=Q, M=M: _log_sum([*P, *Q], [*M, *M], f)
        yield "js_upper", f"2 log 2 - 2 JS({list(P)}, {list(Q)})", lambda f, P=P, Q=Q: _js_upper(P, Q, f)


def _factors(L, R) -> list:
    logs = sorted({g for g in (L - R).atoms(sp.log) if not g.free_symbols and g.args[0].is_Rational
                   and g.args[0] > 1}, key=str)
    base = [sp.Integer(1)] + [1 / g for g in logs]
    return [s * c * b for b in base for c in (1, sp.Rational(1, 2), 2) for s in (1, -1)]


def _value(e: sp.Expr, point: dict):
    try:
        v = complex(sp.N(e.xreplace(point), 30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return v if abs(v.imag) < 1e-20 else None


def _factor_at(L, R, X0, points, candidates):
    """The candidate factor f with ``L - R = f X0`` at the sampled points (a filter, never a proof)."""
    if not points:
        return candidates
    pairs = [(_value(L - R, pt), _value(X0, pt)) for pt in points[:2]]
    pairs = [(d, x) for d, x in pairs if d is not None and x is not None and abs(x) > 1e-12]
    if not pairs:
        return candidates
    out = []
    for f in candidates:
        fv = complex(sp.N(f, 30))
        if all(abs(d - fv * x) <= 1e-12 * (1 + abs(d)) for d, x in pairs):
            out.append(f)
    return out


def _list_tactics(L, R, rel, assumptions, lists, points, notes: dict, only: tuple):
    want = {">=": 1, "<=": -1}[rel]
    candidates = _factors(L, R)
    for tactic, name, build in _forms(lists):
        if tactic not in only:
            continue
        signed = [f for f in candidates if (1 if sp.N(f) > 0 else -1) == want]
        X0, _ = build(sp.Integer(1))
        fits = _factor_at(L, R, X0, points, signed)
        if not fits:
            notes.setdefault(tactic, f"the claim is not a positive multiple of {name} >= 0 (nor of any other form)")
            continue
        for f in fits:
            X0, moves = build(f)
            attempt = _chain(tactic, L, rel, R, assumptions, f, X0, moves)
            if attempt.proved:
                return attempt
            notes[tactic] = f"with {name}: {attempt.reached}"
    return None


# -- one variable ---------------------------------------------------------------------------

def _one_variable(L, R, rel, assumptions, notes: dict):
    from .context import context_of
    from .rules_ineq import _domains

    s = sp.Integer(1) if rel == ">=" else sp.Integer(-1)
    F = s * (L - R)
    domains = _domains(context_of(assumptions))
    symbols = sorted((s_ for s_ in F.free_symbols if isinstance(domains.get(s_), sp.Interval)), key=str)
    if not symbols:
        notes["one_variable"] = "no symbol with an interval domain"
        return None
    reached = []

    def transcendental(var) -> bool:  # F' still has logs or exps of var: solve it last
        d1 = bounded(sp.diff, F, var)
        return any(var in g.free_symbols for g in d1.atoms(sp.log, sp.exp))

    for var in sorted(symbols, key=transcendental):
        dom = domains[var]
        try:
            d1 = bounded(sp.diff, F, var)
            roots = bounded(sp.solve, d1, var, seconds=2.0)
        except (OutOfTime, NotImplementedError, ValueError, TypeError):
            roots = []
        trials = [(a, m) for a in roots if isinstance(a, sp.Expr) and a.is_real is not False
                  for m in ("critical", "convex")]
        if dom.start.is_finite and not dom.left_open:
            trials.append((dom.start, "increasing"))
        if dom.end.is_finite and not dom.right_open:
            trials.append((dom.end, "decreasing"))
        if not trials:
            reached.append(f"in {var}: F' = {d1} has no critical point found in {dom} and no closed end point")
            continue
        for at, mode in trials:
            F_at = F.xreplace({var: at})
            if F_at != 0 and bounded(sp.expand, F_at) == 0:
                F_at = sp.Integer(0)
            proof = Proof("claim", f"user claim, by the one-variable tactic in {var}", L, rel, R, assumptions)
            proof.step(_scaled(R, s, F), "algebra", "the claim as F >= 0" if s > 0 else "the claim as F >= 0, F = R - L",
                       refute_failed=False)
            proof.step(_scaled(R, s, F_at), "one_variable", f"F({var}) >= F({at}) ({mode})", _rel(s),
                       refute_failed=False, var=var, at=at, F=F, factor=s, mode=mode)
            if not proof.steps[-1].verified:
                reached.append(f"in {var} at {at} ({mode}): {proof.steps[-1].detail}")
                continue
            if proof.current != R:
                proof.step(R, "list_sums", f"F({at}) = 0", refute_failed=False)
            if not proof.steps[-1].verified:
                reached.append(f"in {var}: F({at}) = {F_at} is not shown to be 0")
                continue
            d = proof.qed()
            if d.proved:
                return Attempt("one_variable", d, "proved")
    notes["one_variable"] = "; ".join(reached[:3])
    return None


def prove(L: sp.Expr, R: sp.Expr, rel: str, assumptions: tuple, lists: tuple = (), points: tuple = (),
          only: tuple = TACTICS) -> tuple[Derivation | None, dict]:
    """Try the tactics (those in ``only``) on ``L REL R``: a proved derivation, or {tactic: how far}.

    >>> p = sp.Symbol("p", real=True)
    >>> from symxent.derivation.context import in_interval
    >>> H = -p * sp.log(p) - (1 - p) * sp.log(1 - p)
    >>> d, notes = prove(H, sp.log(2), "<=", (in_interval(p, sp.Interval.open(0, 1)),), only=("one_variable",))
    >>> d.proved, d.steps[1].rule
    (True, 'one_variable')
    """
    notes: dict = {}
    if rel not in (">=", "<="):
        return None, {"all": f"the tactics prove >= and <=, not {rel}"}
    if lists and set(only) & {"gibbs", "log_sum", "js_upper"}:
        found = _list_tactics(L, R, rel, assumptions, tuple(lists), tuple(points), notes, tuple(only))
        if found is not None:
            return found.derivation, notes
    if "one_variable" in only:
        found = _one_variable(L, R, rel, assumptions, notes)
        if found is not None:
            return found.derivation, notes
    return None, {k: v for k, v in notes.items() if k in only}
