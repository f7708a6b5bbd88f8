"""Read claims typed by a user into SymPy objects, through an allow-list (never ``eval``).

The text is parsed by Python's :mod:`ast` module and walked node by node; only the nodes,
names and functions below are accepted, and each builds its SymPy object directly, so no text
is ever executed. Numbers are exact: ``0.1`` is 1/10.

Grammar
-------
The accepted forms::

    numbers        2, 0.1, 1/3, 2.5e-3 (exact)
    constants      pi, e, oo (also inf)
    operators      + - * / ** and parentheses
    symbols        any other lower-case name (p, z, sigma, mu1): a real number whose
                   domain where may state
    sizes          n (events of the n-event distributions), N (samples), K (classes): positive integers
    distributions  P, Q, R, M, ... (one other capital letter): an n-event distribution
                   p[i], i = 1..n with positive entries summing to 1; or a list [a, b, 1 - a - b];
                   or Bernoulli(a) for [a, 1 - a]
    measures       H(P) entropy, H(P, Q) or CE(P, Q) cross-entropy, KL(P, Q), JS(P, Q),
                   each with an optional base=2; BCE(y, q); gaussian_nll(y, mu, sigma) and
                   mse(y, y_hat) (numbers or lists of samples)
    functions      log(x), log(x, b), ln, log2, log10, exp, sqrt, abs,
                   max, min, sigmoid, softplus
    sums           Sum(f, i, 1, n) with subscripts x[i]

>>> read_expression("log(1 + exp(-abs(z)))")
log(1 + exp(-Abs(z)))
>>> read_expression("0.1 * H([0.5, 0.5], base=2)")
1/10
"""

from __future__ import annotations

import ast
import contextvars
from typing import Any, Callable

import sympy as sp

from . import measures
from .derivation.quantities import JS, KL, BCE, CrossEntropy, Entropy, Sigmoid, distribution
from .distributions import SymbolicDistribution
from .errors import ParseError, SymxentError
from .inputs import parse_number

__all__ = ["read_expression", "parse_where", "MAX_LENGTH", "FUNCTIONS"]

MAX_LENGTH = 2000
_MAX_NODES = 400
_MAX_EXPONENT = 1000
_CONSTANTS = {"pi": sp.pi, "e": sp.E, "E": sp.E, "oo": sp.oo, "inf": sp.oo}
# sizes: n is the number of events of the n-event distributions; N samples, K classes
_SIZES = {"n": distribution("p").n, "N": sp.Symbol("N", integer=True, positive=True),
          "K": sp.Symbol("K", integer=True, positive=True)}


def _need(args: list, count: int | tuple, name: str) -> None:
    counts = (count,) if isinstance(count, int) else count
    if len(args) not in counts:
        raise ParseError(f"{name}() takes {' or '.join(map(str, counts))} arguments, got {len(args)}")


def _log(args: list, kw: dict) -> sp.Expr:
    _need(args, (1, 2), "log")
    return sp.log(args[0]) if len(args) == 1 else sp.log(args[0]) / sp.log(args[1])


def _measure(kind: str) -> Callable:
    def build(args: list, kw: dict) -> sp.Expr:
        base = kw.get("base", sp.E)
        _need(args, (1, 2) if kind == "H" else 2, kind)
        if all(isinstance(a, SymbolicDistribution) for a in args):
            p, *rest = args
            if kind == "H" and not rest:
                return Entropy(p.base, p.index, p.n, base)
            q = rest[0]
            if kind in ("H", "CE"):
                return CrossEntropy(p.base, q.base, p.index, p.n, base)
            if kind == "KL":
                return KL(p.base, q.base, p.index, p.n, base)
            return JS(p.base, q.base, p.index, p.n) / (1 if base == sp.E else sp.log(base))
        if any(isinstance(a, SymbolicDistribution) for a in args):
            raise ParseError(f"{kind}(): mix of an n-event distribution and a list")
        lists = [_as_list(a, kind) for a in args]
        seen = _LISTS.get()
        if seen is not None:  # the claim's lists are distributions: verify states it
            seen.extend(tuple(v) for v in lists if any(getattr(x, "free_symbols", None) for x in v))
        if kind == "H" and len(lists) == 1:
            return measures.entropy(lists[0], base=base)
        if kind in ("H", "CE"):
            return measures.cross_entropy(*lists, base=base)
        if kind == "KL":
            return measures.kl_divergence(*lists, base=base)
        m = [(a + b) / 2 for a, b in zip(*lists)]
        return (measures.kl_divergence(lists[0], m, base=base) + measures.kl_divergence(lists[1], m, base=base)) / 2
    return build


_LISTS: contextvars.ContextVar = contextvars.ContextVar("symxent_lists", default=None)


def _as_list(a: Any, name: str) -> list:
    if not isinstance(a, list):
        raise ParseError(f"{name}(): expected a distribution (P, a list [..] or Bernoulli(a)), got {a}")
    return a


def _plain(fn: Callable, count: int | tuple, name: str) -> Callable:
    def build(args: list, kw: dict) -> sp.Expr:
        _need(args, count, name)
        return fn(*args)
    return build


FUNCTIONS: dict[str, Callable[[list, dict], Any]] = {
    "log": _log, "ln": _plain(sp.log, 1, "ln"),
    "log2": _plain(lambda v: sp.log(v) / sp.log(2), 1, "log2"),
    "log10": _plain(lambda v: sp.log(v) / sp.log(10), 1, "log10"),
    "exp": _plain(sp.exp, 1, "exp"), "sqrt": _plain(sp.sqrt, 1, "sqrt"), "abs": _plain(sp.Abs, 1, "abs"),
    "max": lambda a, kw: sp.Max(*a), "min": lambda a, kw: sp.Min(*a),
    "sigmoid": _plain(Sigmoid, 1, "sigmoid"),
    "softplus": _plain(lambda v: sp.log(1 + sp.exp(v)), 1, "softplus"),
    "H": _measure("H"), "CE": _measure("CE"), "KL": _measure("KL"), "JS": _measure("JS"),
    "BCE": _plain(BCE, 2, "BCE"),
    "Bernoulli": _plain(lambda a: [a, 1 - a], 1, "Bernoulli"),
    "gaussian_nll": _plain(lambda y, mu, s: measures.gaussian_nll(y, mu, s), 3, "gaussian_nll"),
    "mse": _plain(lambda y, h: measures.mse(y, h), 2, "mse"),
}
_KEYWORDS = {"base"}
_BINOPS: dict[type[ast.operator], Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b}  # a power is bounded first (_BinOp)


class _Reader:
    def __init__(self, text: str, symbols: dict[str, sp.Symbol]) -> None:
        self.text = text
        self.symbols = symbols
        self.distributions: dict[str, SymbolicDistribution] = {}
        self.nodes = 0

    def read(self, node: ast.AST) -> Any:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise ParseError(f"expression too large (more than {_MAX_NODES} nodes)")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise ParseError(f"{ast.get_source_segment(self.text, node) or type(node).__name__!r} is not allowed here")
        return method(node)

    def _Expression(self, node: ast.Expression) -> Any:
        return self.read(node.body)

    def _Constant(self, node: ast.Constant) -> sp.Expr:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ParseError(f"value={node.value!r} is not a number")
        segment = ast.get_source_segment(self.text, node) or repr(node.value)
        if "e" in segment.lower() and abs(int(segment.lower().split("e")[1] or 0)) > _MAX_EXPONENT:
            raise ParseError(f"number={segment!r} has an exponent beyond ±{_MAX_EXPONENT}")
        return parse_number(segment.replace("_", ""), "number")

    def _Name(self, node: ast.Name) -> Any:
        name = node.id
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in _SIZES:
            return self.symbols.setdefault(name, _SIZES[name])
        if len(name) == 1 and name.isupper():
            if name not in self.distributions:
                self.distributions[name] = distribution(name.lower())
            return self.distributions[name]
        if name in FUNCTIONS:
            raise ParseError(f"{name!r} is a function: call it, e.g. {name}(x)")
        if name not in self.symbols:
            self.symbols[name] = sp.Symbol(name, real=True)
        return self.symbols[name]

    def _UnaryOp(self, node: ast.UnaryOp) -> sp.Expr:
        value = self._scalar(self.read(node.operand))
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return value
        raise ParseError("only unary + and - are allowed")

    def _BinOp(self, node: ast.BinOp) -> sp.Expr:
        if type(node.op) not in _BINOPS:
            raise ParseError(f"operator {type(node.op).__name__} is not allowed (use + - * / **)")
        a, b = self._scalar(self.read(node.left)), self._scalar(self.read(node.right))
        if isinstance(node.op, ast.Pow):
            if b.is_Number and abs(b) > _MAX_EXPONENT:
                raise ParseError(f"exponent={b} is beyond ±{_MAX_EXPONENT}")
            if a.is_Rational and b.is_Number and (int(a.p).bit_length() + int(a.q).bit_length()) * abs(b) > 100_000:
                raise ParseError(f"{ast.get_source_segment(self.text, node)!r} is too large a number")
            return a**b
        if isinstance(node.op, ast.Div) and b == 0:
            raise ParseError(f"division by zero in {ast.get_source_segment(self.text, node)!r}")
        return _BINOPS[type(node.op)](a, b)

    def _List(self, node: ast.List) -> list:
        if len(node.elts) > 100:
            raise ParseError("lists hold at most 100 entries")
        return [self._scalar(self.read(e)) for e in node.elts]

    _Tuple = _List

    def _Subscript(self, node: ast.Subscript) -> sp.Expr:
        if not isinstance(node.value, ast.Name) or not node.value.id.islower():
            raise ParseError("subscripts are written x[i], on a lower-case name")
        index = self._scalar(self.read(node.slice))
        return sp.IndexedBase(node.value.id, real=True)[index]

    def _Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name):
            raise ParseError("only plain function calls like log(x) are allowed")
        name = node.func.id
        if name == "Sum":
            return self._sum(node)
        if name not in FUNCTIONS:
            raise ParseError(f"function={name!r} is not known (known: {', '.join(sorted(FUNCTIONS))}, Sum)")
        kw = {}
        for k in node.keywords:
            if k.arg not in _KEYWORDS:
                raise ParseError(f"keyword {k.arg!r} is not allowed (only base=...)")
            kw[k.arg] = self._scalar(self.read(k.value))
        args = [self.read(a) for a in node.args]
        try:
            return FUNCTIONS[name](args, kw)
        except SymxentError:
            raise
        except (TypeError, ValueError) as err:
            raise ParseError(f"{name}(): {err}") from None

    def _sum(self, node: ast.Call) -> sp.Expr:
        if len(node.args) != 4 or not isinstance(node.args[1], ast.Name):
            raise ParseError("write sums as Sum(f, i, 1, n)")
        index = sp.Symbol(node.args[1].id, integer=True)
        self.symbols[node.args[1].id] = index
        body, lo, hi = (self._scalar(self.read(a)) for a in (node.args[0], node.args[2], node.args[3]))
        return sp.Sum(body, (index, lo, hi))

    def _scalar(self, value: Any) -> sp.Expr:
        if isinstance(value, (list, SymbolicDistribution)):
            raise ParseError("a distribution can only be an argument of H, CE, KL or JS")
        return value


def read_expression(text: str, symbols: dict[str, sp.Symbol] | None = None,
                     distributions: dict | None = None, lists: list | None = None) -> sp.Expr:
    """Parse ``text`` (the grammar of this module) into a SymPy expression.

    ``symbols`` maps names to the Symbols to use (e.g. with assumptions from their domains) and
    receives the new ones; ``distributions`` receives the n-event distributions named; ``lists``
    receives each list with symbolic entries passed to H, CE, KL or JS (as a tuple).

    >>> seen = []
    >>> read_expression("KL([p, 1 - p], [1/2, 1/2])", lists=seen) is not None, seen
    (True, [(p, 1 - p)])

    >>> read_expression("H(P, Q) - H(P)")
    H(P, Q) - H(P)
    """
    if not isinstance(text, str):
        raise ParseError(f"text={text!r} must be a string")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression of {len(text)} characters is longer than {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ParseError(f"text={text!r} is not an expression: {err.msg}") from None
    except (ValueError, MemoryError, RecursionError) as err:  # undecodable bytes of argv (surrogates), ...
        raise ParseError(f"text={text!r} is not an expression: {type(err).__name__}") from None
    reader = _Reader(text.strip(), symbols if symbols is not None else {})
    token = _LISTS.set([] if lists is not None else None)
    try:
        value = reader.read(tree)
        if lists is not None:
            lists.extend(v for v in _LISTS.get() if v not in lists)
    finally:
        _LISTS.reset(token)
    if distributions is not None:
        distributions.update(reader.distributions)
    if not isinstance(value, sp.Expr):
        raise ParseError(f"text={text!r} is not a number-valued expression")
    return value


def parse_where(text: str) -> tuple[str, sp.Set]:
    """A domain statement: ``"p in (0,1)"``, ``"y in {0, 1}"``, ``"z in R"``, ``"s > 0"``.

    >>> parse_where("p in (0, 1]")
    ('p', Interval.Lopen(0, 1))
    >>> parse_where("s > 0")
    ('s', Interval.open(0, oo))
    """
    t = text.strip()
    for op, make in ((">=", lambda v: sp.Interval(v, sp.oo)), ("<=", lambda v: sp.Interval(-sp.oo, v)),
                     (">", lambda v: sp.Interval.open(v, sp.oo)), ("<", lambda v: sp.Interval.open(-sp.oo, v))):
        if op in t:
            name, value = (s.strip() for s in t.split(op, 1))
            return _name(name, text), make(_endpoint(value, text))
    if " in " not in t:
        raise ParseError(f"where={text!r}: expected 'x in (a, b)', 'x in {{0, 1}}', 'x in R' or 'x > 0'")
    name, dom = (s.strip() for s in t.split(" in ", 1))
    return _name(name, text), _domain(dom, text)


def _name(name: str, text: str) -> str:
    if not name.isidentifier() or name in _CONSTANTS or name in FUNCTIONS:
        raise ParseError(f"where={text!r}: {name!r} is not a symbol name")
    return name


def _endpoint(value: str, text: str) -> sp.Expr:
    v = value.strip()
    if v in ("oo", "inf", "+oo", "+inf"):
        return sp.oo
    if v in ("-oo", "-inf"):
        return -sp.oo
    result = read_expression(v, {})
    if result.free_symbols:
        raise ParseError(f"where={text!r}: the bound {v!r} is not a number")
    return result


def _domain(dom: str, text: str) -> sp.Set:
    if dom in ("R", "reals", "Reals", "real"):
        return sp.Reals
    if dom.startswith("{") and dom.endswith("}"):
        return sp.FiniteSet(*(_endpoint(v, text) for v in dom[1:-1].split(",") if v.strip()))
    if len(dom) >= 2 and dom[0] in "([" and dom[-1] in ")]" and dom.count(",") == 1:
        lo, hi = (_endpoint(v, text) for v in dom[1:-1].split(","))
        if not lo < hi:
            raise ParseError(f"where={text!r}: empty interval")
        return sp.Interval(lo, hi, dom[0] == "(" or lo == -sp.oo, dom[-1] == ")" or hi == sp.oo)
    raise ParseError(f"where={text!r}: domain {dom!r} is not an interval, a finite set or R")
