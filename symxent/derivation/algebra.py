"""The cheap, structural rewrites steps are checked with.

Nothing here calls ``simplify``: every check is a normal form (``expand``), a rewrite whose
validity is a stated rule (linearity of a finite sum or an integral; the logarithm laws, each
applied only where its positivity side condition is established), and a comparison.
"""

from __future__ import annotations

import sympy as sp

from .bound import bounded
from .facts import Facts, flip_sign

__all__ = ["Facts", "flip_sign", "expand", "meet", "single_sum", "split_linear", "expand_logs", "normalise_sums", "sift",
           "resolve_cases", "powers_to_exp", "flatten_sums"]


def expand(e: sp.Expr, seconds: float = 2.0) -> sp.Expr:
    """``sp.expand`` under a time bound (raises :class:`OutOfTime` when reached)."""
    return bounded(sp.expand, e, seconds=seconds)


def meet(a: sp.Expr, b: sp.Expr) -> bool:
    """``a`` and ``b`` are equal as rational expressions: their difference expands to 0.

    >>> x = sp.Symbol("x")
    >>> meet((x + 1) ** 2, x**2 + 2 * x + 1)
    True
    """
    if a == b:
        return True
    d = expand(a - b)
    if d == 0:
        return True
    if bounded(_rational_zero, d):
        return True
    if d.has(sp.log):  # the same logarithm written two ways: normalise the arguments
        return bounded(_rational_zero, expand(_cancel_log_args(a) - _cancel_log_args(b)))
    return False


def _cancel_log_args(e: sp.Expr) -> sp.Expr:
    return e.replace(lambda x: isinstance(x, sp.log), lambda L: sp.log(sp.cancel(sp.together(L.args[0]))))


def _rational_zero(d: sp.Expr) -> bool:
    """``d`` is zero as a rational function (sums: their common summand is)."""
    if d.has(sp.Sum):
        single = single_sum(d)
        return single is not None and sp.cancel(sp.together(single[0])) == 0
    return sp.cancel(sp.together(d)) == 0


def single_sum(e: sp.Expr, split: bool = True):
    """``e`` as ``(summand, limits)`` of one Sum over the common limits, or None.

    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> single_sum(sp.Sum(i, (i, 1, n)) - 2 * sp.Sum(i**2, (i, 1, n)))
    (-2*i**2 + i, ((i, 1, n),))
    """
    limits, body = None, []
    for t in sp.Add.make_args(split_linear(e) if split else expand(e)):
        sums = [f for f in sp.Mul.make_args(t) if isinstance(f, sp.Sum)]
        if len(sums) != 1 or (limits is not None and sums[0].limits != limits):
            return None
        limits = sums[0].limits
        body.append(t / sums[0] * sums[0].function)
    return None if limits is None else (sp.Add(*body), limits)


def split_factors(term: sp.Expr, var: sp.Symbol) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """The factors of a product that do not involve ``var``, and those that do.

    >>> x, a = sp.symbols("x a")
    >>> split_factors(3 * a * x**2 * sp.log(x), x)
    ([3, a], [x**2, log(x)])
    """
    free: list[sp.Expr] = []
    bound: list[sp.Expr] = []
    for f in sp.Mul.make_args(term):
        (bound if f.has(var) else free).append(f)
    return free, bound


def _split_one(e: sp.Expr) -> sp.Expr:
    """One Sum or Integral over an Add: a sum of pieces, index-free factors pulled out."""
    var = e.limits[0][0]
    body = expand(e.function)
    out = []
    for term in sp.Add.make_args(body):
        free, bound = split_factors(term, var)
        inner = sp.Mul(*bound)
        if bound:
            out.append(sp.Mul(*free) * e.func(inner, *e.limits))
        elif isinstance(e, sp.Sum):  # a sum of a constant: the constant times the number of terms
            _, lo, hi = e.limits[0]
            out.append(sp.Mul(*free) * (hi - lo + 1))
        else:
            out.append(sp.Mul(*free) * e.func(sp.Integer(1), *e.limits))
    return sp.Add(*out)


def split_linear(e: sp.Expr) -> sp.Expr:
    """Linearity of finite sums and of integrals, innermost first.

    >>> i, n = sp.symbols("i n", integer=True, positive=True)
    >>> p = sp.IndexedBase("p")
    >>> split_linear(sp.Sum(2 * p[i] - p[i] ** 2, (i, 1, n)))
    2*Sum(p[i], (i, 1, n)) - Sum(p[i]**2, (i, 1, n))
    """
    if not e.args:
        return e
    rebuilt = e.func(*(split_linear(a) for a in e.args)) if not isinstance(e, (sp.Sum, sp.Integral)) else \
        e.func(split_linear(e.function), *e.limits)
    if isinstance(rebuilt, (sp.Sum, sp.Integral)) and len(rebuilt.limits) == 1:
        return _split_one(rebuilt)
    return rebuilt


def _log_factors(arg: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """``arg`` as a product of powers ``base**exponent`` (numerator and denominator)."""
    out: list[tuple[sp.Expr, sp.Expr]] = []
    for f in sp.Mul.make_args(arg):
        base, ex = f.as_base_exp()
        if base.is_Rational and base.is_positive and base != 1:
            out.extend((sp.Integer(pr), ex * k) for pr, k in sp.factorrat(base).items())
        else:
            out.append((base, ex))
    return out


def _positive_factors(factors: list, facts: Facts) -> list:
    """Factors known negative with an integer exponent flipped to positive ones, ``(p - 1)/(q - 1)`` as
    ``(1 - p)/(1 - q)``, when the signs cancel (else the factors unchanged: the law needs them positive).

    >>> p, q = sp.symbols("p q", real=True)
    >>> _positive_factors([(p - 1, sp.Integer(1)), (q - 1, sp.Integer(-1))], Facts(positive=frozenset({1 - p, 1 - q})))
    [(1 - p, 1), (1 - q, -1)]
    """
    out, sign = [], 1
    for base, ex in factors:
        if base.is_Number and base.is_negative and ex.is_Integer:
            sign *= (-1) ** int(ex)
            if base != -1:
                out.append((-base, ex))
        elif ex.is_Integer and not facts.is_positive(base) and facts.is_positive(sp.expand(-base)):
            sign *= (-1) ** int(ex)
            out.append((sp.expand(-base), ex))
        else:
            out.append((base, ex))
    return out if sign == 1 else factors


def expand_logs(e: sp.Expr, facts: Facts) -> tuple[sp.Expr, list[str], list[str]]:
    """The logarithm laws, applied where their side conditions hold.

    ``log(a b) = log a + log b`` and ``log(a**k) = k log a`` need ``a > 0`` (and b > 0, k real);
    ``log(exp(u)) = u`` needs u real. Returns the rewritten expression, the side conditions
    established, and those that could not be (where the law was not applied).

    >>> x, y = sp.symbols("x y", positive=True)
    >>> expand_logs(sp.log(x / y**2), Facts())[0]
    log(x) - 2*log(y)
    """
    used: list[str] = []
    missing: list[str] = []

    def rewrite(node: sp.Expr) -> sp.Expr:
        arg = node.args[0]
        if isinstance(arg, sp.exp):
            if arg.args[0].is_real:
                used.append(f"{arg.args[0]} real")
                return arg.args[0]
            missing.append(f"{arg.args[0]} real")
            return node
        if isinstance(arg, sp.Product) and len(arg.limits) == 1:
            if facts.is_positive(arg.function):
                used.append(f"{arg.function} > 0")
                return sp.Sum(rewrite(sp.log(arg.function, evaluate=False)), *arg.limits)
            missing.append(f"{arg.function} > 0")
            return node
        factors = _log_factors(arg)
        if len(factors) == 1 and factors[0][1] == 1:
            return node
        factors = _positive_factors(factors, facts)
        ok = True
        for base, ex in factors:
            if not (facts.is_positive(base) and ex.is_real):
                missing.append(f"{base} > 0")
                ok = False
        if not ok:
            return node
        used.extend(f"{base} > 0" for base, _ in factors if not base.is_Number)
        return sp.Add(*(ex * rewrite(sp.log(base, evaluate=False)) if isinstance(base, sp.exp)
                        else ex * sp.log(base) for base, ex in factors))

    out = bounded(lambda: e.replace(lambda x: isinstance(x, sp.log), rewrite))
    return out, sorted(set(used)), sorted(set(missing))


def normalise_sums(e: sp.Expr, totals: dict) -> sp.Expr:
    """Replace each ``Sum(p[i], (i, 1, n))`` known to be 1 by 1 (after splitting sums)."""
    return split_linear(e).xreplace(totals)


def sift(e: sp.Expr, facts: Facts) -> tuple[sp.Expr, list[str]]:
    """``Sum(delta(k, a) f(k), (k, lo, hi)) = f(a)`` where ``lo <= a <= hi`` is established.

    Returns the rewritten expression and the range conditions that could not be established.

    >>> k, K, c = sp.symbols("k K c", integer=True, positive=True)
    >>> q = sp.IndexedBase("q")
    >>> sift(sp.Sum(sp.KroneckerDelta(k, c) * q[k], (k, 1, K)), Facts(nonnegative=frozenset({K - c})))
    (q[c], [])
    """
    missing: list[str] = []

    def inner(function: sp.Expr, limit: tuple) -> sp.Expr | None:
        k, lo, hi = limit
        out = []
        for term in sp.Add.make_args(expand(function)):
            deltas = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta) and f.has(k)]
            if len(deltas) != 1:
                return None
            a = deltas[0].args[1] if deltas[0].args[0] == k else deltas[0].args[0]
            if a.has(k) or not (facts.is_nonnegative(a - lo) and facts.is_nonnegative(hi - a)):
                missing.append(f"{lo} <= {a} <= {hi}")
                return None
            out.append((term / deltas[0]).xreplace({k: a}))
        return sp.Add(*out)

    def one(s: sp.Sum) -> sp.Expr:  # the innermost index first (SymPy merges nested sums)
        done = inner(s.function, s.limits[0])
        if done is None:
            return s
        return sp.Sum(done, *s.limits[1:]) if len(s.limits) > 1 else done

    return e.replace(lambda x: isinstance(x, sp.Sum), one), missing


def resolve_cases(e: sp.Expr, facts: Facts) -> sp.Expr:
    """``max``, ``min`` and ``|.|`` resolved where the facts decide the sign of their arguments.

    >>> z = sp.Symbol("z", real=True)
    >>> resolve_cases(sp.Max(z, 0) + sp.Abs(z), Facts(nonnegative=frozenset({z})))
    2*z
    """
    def pick(m):
        a, b = m.args if len(m.args) == 2 else (None, None)
        if a is None:
            return m
        d = a - b if isinstance(m, sp.Max) else b - a
        if facts.is_nonnegative(d):
            return a
        if facts.is_nonnegative(-d):
            return b
        return m

    def absolute(x):
        if facts.is_nonnegative(x.args[0]):
            return x.args[0]
        if facts.is_nonnegative(-x.args[0]):
            return -x.args[0]
        return x

    e = e.replace(lambda x: isinstance(x, sp.Abs), absolute)
    return e.replace(lambda x: isinstance(x, (sp.Max, sp.Min)), pick)


def powers_to_exp(e: sp.Expr, facts: Facts) -> sp.Expr:
    """``b**x = exp(x log b)`` for a positive base b other than e and a non-integer exponent."""
    def conv(pw):
        b, x = pw.args
        if b != sp.E and not x.is_Integer and facts.is_positive(b):
            return sp.exp(x * sp.log(b))
        return pw
    return e.replace(lambda x: x.is_Pow, conv)


def _ordered(s: sp.Sum) -> sp.Sum:
    """A sum over several independent ranges, its limits in a fixed order."""
    variables = {lim[0] for lim in s.limits}
    if any(lim[1].has(*variables) or lim[2].has(*variables) for lim in s.limits):
        return s
    return sp.Sum(s.function, *sorted(s.limits, key=lambda lim: str(lim[0])))


def flatten_sums(e: sp.Expr) -> sp.Expr:
    """Nested finite sums with independent ranges as one sum over both indices (order-free).

    ``Sum(g(k) Sum(h(m, k), m), k) = Sum(g(k) h(m, k), k, m)``: finite sums commute and a factor
    free of the inner index moves inside.

    >>> k, m, K, N = sp.symbols("k m K N", integer=True, positive=True)
    >>> a = sp.IndexedBase("a")
    >>> flatten_sums(sp.Sum(sp.Sum(a[m, k], (m, 1, N)), (k, 1, K))) == flatten_sums(
    ...     sp.Sum(sp.Sum(a[m, k], (k, 1, K)), (m, 1, N)))
    True
    """
    def one(s: sp.Sum) -> sp.Expr:
        outer_vars = {lim[0] for lim in s.limits}
        terms = []
        for term in sp.Add.make_args(expand(s.function)):
            inner = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
            if len(inner) != 1 or any(lim[1].has(*outer_vars) or lim[2].has(*outer_vars) for lim in inner[0].limits):
                terms.append(sp.Sum(term, *s.limits))
                continue
            rest = term / inner[0]
            if rest.has(*(lim[0] for lim in inner[0].limits)):
                terms.append(sp.Sum(term, *s.limits))
                continue
            terms.append(_ordered(sp.Sum(rest * inner[0].function, *s.limits, *inner[0].limits)))
        return sp.Add(*(_ordered(t) if isinstance(t, sp.Sum) else t for t in terms))

    return e.replace(lambda x: isinstance(x, sp.Sum), one)
