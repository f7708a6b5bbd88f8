"""Issue 10: claims typed over concrete lists, their implicit simplex, sides starting with "-",
and the one-way layering of the engine below the renderers."""

from __future__ import annotations

import ast
import pathlib

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.cli import main
from symxent.derivation.quantities import unfold
from symxent.derivation.verify import verify
from symxent.parsing import parse_where, read_expression


def read_domain(name: str, dom: str) -> sp.Set:
    return parse_where(f"{name} in {dom}")[1]

W2 = {"p": "(0, 1)", "q": "(0, 1)"}
W3 = {k: "(0, 1)" for k in "abcd"}
P2, Q2 = "[p, 1 - p]", "[q, 1 - q]"
P3, Q3 = "[a, b, 1 - a - b]", "[c, d, 1 - c - d]"
TUTORIAL = ("[1/10, 2/5, 1/2]", "[4/5, 3/20, 1/20]")
SOFTMAX = "[exp(z)/(exp(z) + exp(w)), exp(w)/(exp(z) + exp(w))]"

CLAIMS = [  # lhs, rhs, relation, where, expected verdict
    (f"H({P2}, {Q2})", f"H({P2}) + KL({P2}, {Q2})", "=", W2, "proved"),
    (f"H({P3}, {Q3})", f"H({P3}) + KL({P3}, {Q3})", "=", W3, "proved"),
    (f"H({TUTORIAL[0]}, {TUTORIAL[1]})", f"H({TUTORIAL[0]}) + KL({TUTORIAL[0]}, {TUTORIAL[1]})", "=", {}, "proved"),
    (f"KL({P2}, {Q2})", "0", ">=", W2, "proved"),
    (f"KL({P3}, {Q3})", "0", ">=", W3, "proved"),
    (f"H({P2})", "log(2)", "<=", W2, "proved"),
    (f"H({P3})", "log(3)", "<=", W3, "proved"),
    (f"H({P2}, {Q2})", f"H({P2})", ">=", W2, "proved"),
    (f"H({P2}, base=2)", "1", "<=", W2, "proved"),
    (f"KL({P2}, {Q2}, base=2)", "0", ">=", W2, "proved"),
    (f"H({P2}, base=2)", f"H({P2})/log(2)", "=", W2, "proved"),
    (f"KL({P2}, {P2})", "0", "=", W2, "proved"),
    ("H(Bernoulli(p), Bernoulli(q))", "BCE(p, q)", "=", W2, "proved"),
    ("-log(q)", "BCE(1, q)", "=", W2, "proved"),
    (f"KL({P2}, {Q2})", "0", "<=", W2, "disproved"),
    (f"KL({P3}, {Q3})", "0", "<=", W3, "disproved"),
    (f"H({P2})", "log(2)", ">=", W2, "disproved"),
    (f"H({P3})", "log(2)", "<=", W3, "disproved"),
    (f"KL({P2}, {Q2})", f"KL({Q2}, {P2})", "=", W2, "disproved"),
    (f"H({P3}, {Q3})", f"H({Q3}, {P3})", "=", W3, "disproved"),
    (f"H({P2}, {Q2})", f"H({P2})", "<", W2, "disproved"),
    # bases 2, e and 10
    (f"KL({P2}, {Q2}, base=10)", "0", ">=", W2, "proved"),
    (f"H({P2}, base=10)", "log(2)/log(10)", "<=", W2, "proved"),
    (f"H({P2}, base=10)", "0", ">=", W2, "proved"),
    (f"H({P2}, {Q2}, base=2)", f"H({P2}, base=2) + KL({P2}, {Q2}, base=2)", "=", W2, "proved"),
    (f"H({P3}, {Q3}, base=10)", f"H({P3}, base=10) + KL({P3}, {Q3}, base=10)", "=", W3, "proved"),
    (f"H({P2}, base=2)", f"H({P2}, base=10)*log(10)/log(2)", "=", W2, "proved"),
    ("H([1/2, 1/4, 1/4], base=2)", "3/2", "=", {}, "proved"),
    ("KL([1/2, 1/2], [1/4, 3/4])", "0", ">=", {}, "proved"),
    (f"H({P2}, {Q2}, base=10)", f"H({P2}) + KL({P2}, {Q2})", "=", W2, "disproved"),
    (f"H({P2}, base=2)", "1/2", "<=", W2, "disproved"),
    ("H([1/2, 1/4, 1/4], base=2)", "1", "=", {}, "disproved"),
    ("KL([1/2, 1/2], [1/4, 3/4])", "0", "<=", {}, "disproved"),
    # Jensen-Shannon, Pinsker: the inequality tactics
    (f"JS({P2}, {Q2})", "0", ">=", W2, "proved"),
    (f"JS({P2}, {Q2})", "log(2)", "<=", W2, "proved"),
    (f"JS({P2}, {Q2}, base=2)", "1", "<=", W2, "proved"),
    (f"JS({P2}, {Q2}, base=10)", "log(2)/log(10)", "<=", W2, "proved"),
    (f"JS({P3}, {Q3})", "0", ">=", W3, "proved"),
    (f"JS({P3}, {Q3})", "log(2)", "<=", W3, "proved"),
    (f"JS({P2}, {Q2})", f"JS({Q2}, {P2})", "=", W2, "proved"),
    (f"KL({P2}, {Q2})", "2*(p - q)**2", ">=", W2, "proved"),
    (f"KL({P2}, {Q2})", "3*(p - q)**2", ">=", W2, "disproved"),
    (f"JS({P2}, {Q2})", "log(2)/2", "<=", W2, "disproved"),
    (f"JS({P2}, {Q2})", f"KL({P2}, {Q2})/2", "=", W2, "disproved"),
    (f"JS({P3}, {Q3})", f"KL({P3}, {Q3})", ">=", W3, "disproved"),
    # more 2- and 3-event forms
    (f"H({P2})", "H([1 - p, p])", "=", W2, "proved"),
    (f"KL({P2}, {Q2})", "p*log(p/q) + (1 - p)*log((1 - p)/(1 - q))", "=", W2, "proved"),
    (f"H({P2}, {Q2})", "BCE(p, q)", "=", W2, "proved"),
    (f"H({P3})", "0", ">=", W3, "proved"),
    (f"KL({P3}, {P3})", "0", "=", W3, "proved"),
    (f"H({P3})", "log(3)", ">=", W3, "disproved"),
    (f"H({P2})", "p*log(2)", "<=", W2, "disproved"),
    (f"KL({P2}, {Q2})", f"KL({Q2}, {P2})", "<=", W2, "disproved"),
    (f"H({P3}, {Q3})", f"H({Q3})", ">=", W3, "disproved"),
    # logits: sigmoid, softplus and a softmax list
    ("BCE(y, sigmoid(z))", "softplus(z) - y*z", "=", {"y": "[0, 1]"}, "proved"),
    ("H([1, 0], [sigmoid(z), 1 - sigmoid(z)])", "softplus(-z)", "=", {}, "proved"),
    (f"H([1, 0], {SOFTMAX})", "log(exp(z) + exp(w)) - z", "=", {}, "proved"),
    ("BCE(y, sigmoid(z))", "softplus(-z) - y*z", "=", {"y": "[0, 1]"}, "disproved"),
    (f"H([1, 0], {SOFTMAX})", "log(exp(z) + exp(w)) - w", "=", {}, "disproved"),
]


def _lists(lhs: str, rhs: str, symbols: dict) -> list:
    seen: list = []
    for side in (lhs, rhs):
        read_expression(side, symbols, {}, seen)
    return seen


def _mp(value: sp.Expr, digits: int = 50) -> mpmath.mpf:
    """An independent evaluation: mpmath at 50 digits (or more) of the exact rational point."""
    with mpmath.workdps(digits):
        return mpmath.mpf(sp.lambdify([], value, "mpmath")())


@pytest.mark.parametrize("lhs, rhs, rel, where, expected", CLAIMS)
def test_typed_claims(lhs, rhs, rel, where, expected):
    result = verify(lhs, rhs, where, rel, seconds=60)  # a generous bound: the machine may be loaded (no timed tests)
    assert result.status == expected, result.detail
    if expected == "proved":
        assert result.derivation is not None and result.derivation.proved
        return
    point = result.counterexample
    symbols = {str(k): k for k in point}
    for entries in _lists(lhs, rhs, symbols):  # every list is a probability vector there (50 digits)
        with mpmath.workdps(50):
            values = [_mp(x.xreplace(point) if isinstance(x, sp.Basic) else sp.Integer(x)) for x in entries]
            assert all(0 < v <= 1 for v in values) and abs(sum(values) - 1) < mpmath.mpf(10) ** -45, (entries, point)
    for name, dom in where.items():
        sym = symbols.get(name)
        if sym is not None:
            assert read_domain(name, dom).contains(point[sym]) is sp.true
    with mpmath.workdps(50):
        diff = _mp(unfold(result.lhs).xreplace(point)) - _mp(unfold(result.rhs).xreplace(point))
        holds = {"=": abs(diff) < mpmath.mpf(10) ** -40, "<=": diff <= 0, ">=": diff >= 0, "<": diff < 0,
                 ">": diff > 0}[rel]
    assert not holds, (point, diff)


def test_list_constraints_are_stated():
    result = verify(f"KL({P3}, {Q3})", "0", W3, ">=")
    texts = [a.text for a in result.assumptions]
    assert any("1 - a - b" in t.replace("- a - b + 1", "1 - a - b") for t in texts), texts
    assert sum("distribution" in t for t in texts) == 2
    detail = result.derivation.parts[-1].steps[-1].detail  # the claim is the last part, after its side conditions
    assert "n = 3" in detail and "distribution" in detail


def test_empty_feasible_set_is_said():
    result = verify("H([a, b])", "log(2)", {"a": "(0, 1/4)", "b": "(0, 1/4)"}, ">=")
    assert result.status == "undecided" and result.counterexample is None
    assert "feasible set may be empty" in result.detail


def test_python_api_form():
    from symxent.measures import cross_entropy, entropy, kl_divergence

    p, q = sp.symbols("p q", real=True)
    result = verify(cross_entropy([p, 1 - p], [q, 1 - q]), entropy([p, 1 - p]) + kl_divergence([p, 1 - p], [q, 1 - q]),
                    where={p: sp.Interval.open(0, 1), q: sp.Interval.open(0, 1)})
    assert result.status == "proved", result.detail


@pytest.mark.parametrize("argv", [
    ["verify", "-log(q)", "BCE(1, q)", "--where", "q in (0, 1)"],
    ["verify", "BCE(1, q)", "-log(q)", "--where", "q in (0, 1)"],
    ["verify", "--where", "q in (0, 1)", "--", "-log(q)", "BCE(1, q)"],
])
def test_cli_side_starting_with_minus(argv, capsys):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.startswith("proved") and not err


_LOW = ("derivation", "identities", "measures", "inputs", "distributions")


def _module_level_imports(tree: ast.Module, package: str) -> list[str]:
    names = []
    for node in tree.body:  # module level only: imports inside functions are lazy
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            names.append(".".join(base + ([node.module] if node.module else [])))
            names += [f"{names[-1]}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


def test_engine_does_not_import_renderers_at_module_level():
    root = pathlib.Path(__file__).resolve().parents[1] / "symxent"
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = rel.parts
        if parts[1].removesuffix(".py") not in _LOW:
            continue
        package = ".".join(parts[:-1]) if parts[-1] != "__init__" else ".".join(parts[:-1])
        for name in _module_level_imports(ast.parse(path.read_text()), package):
            if name.startswith("symxent.render") or name.startswith("symxent.worked"):
                offenders.append(f"{'/'.join(parts)}: {name}")
    assert not offenders, offenders
    assert any(root.joinpath("derivation").glob("*.py"))


def test_python_api_lists_are_distributions():
    from symxent.measures import entropy, js_divergence, kl_divergence

    p, q = sp.symbols("p q", real=True)
    where = {p: sp.Interval.open(0, 1), q: sp.Interval.open(0, 1)}
    result = verify(kl_divergence([p, 1 - p], [q, 1 - q]), 0, where=where, relation=">=")
    assert result.status == "proved", result.detail
    assert sum("distribution" in a.text for a in result.assumptions) == 2
    assert verify(entropy([p, 1 - p]), sp.log(2), where=where, relation="<=").proved
    wrong = verify(js_divergence([p, 1 - p], [q, 1 - q]), 0, where=where, relation="<=")
    assert wrong.status == "disproved"
    assert all(0 < v < 1 for v in wrong.counterexample.values())


def test_api_lists_count_only_where_their_logs_occur():
    from symxent.measures import entropy

    a = sp.Symbol("a", real=True)
    entropy([a, 1 - a])  # the claim below has log(a) but not log(1 - a): this call is not part of it
    result = verify(a * sp.log(a), a * sp.log(a), where={a: sp.Interval.open(0, 3)})
    assert not any("distribution" in x.text for x in result.assumptions)


def test_side_conditions_are_checked_steps_of_the_derivation():
    from symxent.render.api import repr_latex
    from symxent.render.markdown import derivation_markdown

    result = verify(f"KL({P3}, {Q3})", "0", W3, ">=")
    d = result.derivation
    sides = [p for p in d.parts if p.name.startswith("claim.side")]
    assert len(sides) == 2 * (3 * 2 + 1) and d.parts[-1] not in sides
    for part in sides:
        assert part.proved and len(part.steps) == 1 and part.steps[0].verified
    rules = {(sp.sstr(p.lhs, order="none"), p.relation): p.steps[0].rule for p in sides}
    assert rules[("a", ">")] == "sign_facts"  # from a in (0, 1)
    assert rules[("1 - a - b", "<=")] == "sign_facts"  # a + b >= 0
    assert rules[("1 - a - b", ">")] == "assumption"  # only the list's own constraint
    assert rules[("a + b + (1 - a - b)", "=")] == "algebra"
    md = derivation_markdown(d)
    assert "is a distribution: 1 - a - b > 0" in md and "follows from the domains" in md
    assert r"1 - a - b &> 0" in repr_latex(d)


def test_side_condition_of_a_free_sum_is_its_stated_assumption():
    result = verify("H([x, y])", "log(2)", {}, "<=")
    sums = [p for p in result.derivation.parts if p.relation == "=" and p.rhs == 1]
    assert result.proved and sums and sums[0].steps[0].rule == "assumption" and sums[0].proved


IDENTITIES = [c for c in CLAIMS if c[2] == "=" and c[4] == "proved"]


@st.composite
def _simplex_point(draw) -> dict:
    """Exact random values: p, q in (0, 1); (a, b, 1-a-b) and (c, d, 1-c-d) on the open simplex;
    y in [0, 1]; logits z, w."""
    def unit():
        den = draw(st.integers(2, 10**6))
        return sp.Rational(draw(st.integers(1, den - 1)), den)

    def simplex():
        w = [draw(st.integers(1, 10**6)) for _ in range(3)]
        return [sp.Rational(x, sum(w)) for x in w[:2]]

    a, b = simplex()
    c, d = simplex()
    logit = st.fractions(min_value=-30, max_value=30, max_denominator=1000)
    return {"p": unit(), "q": unit(), "a": a, "b": b, "c": c, "d": d, "y": unit(),
            "z": sp.Rational(draw(logit)), "w": sp.Rational(draw(logit)), "x": unit(), "n": sp.Integer(2)}


@pytest.mark.parametrize("lhs, rhs, rel, where, expected", IDENTITIES)
@settings(max_examples=12, deadline=None)
@given(values=_simplex_point())
def test_proved_identities_hold_at_random_simplex_points(lhs, rhs, rel, where, expected, values):
    symbols = {k: sp.Symbol(k, real=True) for k in values}
    L, R = (unfold(read_expression(side, symbols, {}, [])) for side in (lhs, rhs))
    point = {symbols[k]: v for k, v in values.items()}
    with mpmath.workdps(110):  # 50 digits agree after the cancellation of 1 - sigmoid(30)
        left, right = _mp(L.xreplace(point), 110), _mp(R.xreplace(point), 110)
        assert abs(left - right) <= mpmath.mpf(10) ** -50 * max(1, abs(left)), (lhs, rhs, values, left, right)
