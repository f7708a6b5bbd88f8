"""Read a rendered formula back, to check that what is printed *means* the step's expression.

A golden string only says the LaTeX is what it was; it cannot say that ``\\tfrac{1}{3} -\\log_{10} 2``
reads as a difference where a product was meant. :func:`roundtrip_failures` prints every step of
a derivation, parses the LaTeX back with SymPy's LaTeX parser (the ANTLR backend, package
``antlr4-python3-runtime==4.11``) after translating symxent's notation (:data:`TRANSLATION`), and
compares the result with the step's expression.

How a reading is compared
-------------------------
* Each *atom* of the step (a symbol, ``p_{i}``, ``\\delta_{c k}``) is read on its own, and the
  reading of the whole formula is written back in the step's atoms; two atoms that print alike
  are reported (the reader could not tell them apart).
* The quantities are read by name: ``H(P)``, ``H_{2}(P, Q)``, ``D_{\\mathrm{KL}}(P \\,\\|\\, Q)``,
  ``\\operatorname{JS}``, ``\\operatorname{BCE}``, ``\\sigma`` become symxent's objects again, with
  the base the subscript says, and are then unfolded into their definitions.
* The two expressions are equal when they are the same tree; otherwise both are evaluated at
  random *concrete instances*: every size (the ``n`` of ``\\sum_{i=1}^{n}``) and free index gets a
  small integer, the sums, products, derivatives and Kronecker deltas are carried out, and every
  remaining value (``p_{1}``, ``q_{2}``, ``y``, ``\\sigma``) gets a random rational in (0, 1).
  The difference must vanish to 25 of the 30 digits mpmath computes (SymPy's ``evalf``, which
  tracks its own precision), at each of three points where it is defined. A formula with an
  integral (the families' derivations) is compared as a tree only: when the trees differ it is
  counted as undecided, because quadrature to 30 digits takes minutes.

A formula the parser cannot read at all is a failure when it is a formula of numbers, and is
counted as *undecided* when it is symbolic (:func:`roundtrip_report` lists them). The plain text
is read back by symxent's own parser (:func:`text_roundtrip_failures`) after a translation of the
same kind (``sum_{i=1}^{n} body`` -> ``Sum(body, i, 1, n)``, ``p_i`` -> ``p[i]``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator

import sympy as sp
from sympy.core.function import AppliedUndef

from ..derivation import Derivation
from ..derivation.quantities import BCE, JS, KL, CrossEntropy, Entropy, Quantity, Sigmoid
from ..errors import UnsupportedError
from .latex import latex
from .notation import BaseLog, CrossEntropyOf, EntropyOf, KLDivergenceOf, LogLossOf

__all__ = ["TRANSLATION", "RoundTripFailure", "RoundTripReport", "latex_to_sympy", "roundtrip_failures",
           "text_roundtrip_failures", "roundtrip_report"]

#: symxent's notation -> what SymPy's LaTeX parser reads (regular expression, replacement).
TRANSLATION: tuple[tuple[str, str], ...] = (
    (r"\\tfrac", r"\\frac"),
    (r"\\bigl\(", r"\\left("), (r"\\bigr\)", r"\\right)"),
    (r"D_\{\\mathrm\{KL\}\}\^\{\((.+?)\)\}\(", r"\\Delta_{\1}("),  # D_KL^{(2)}(P || Q): KL in base 2
    (r"D_\{\\mathrm\{KL\}\}\(", r"\\Delta("),      # D_KL(P || Q): one function of two arguments
    (r"\\operatorname\{JS\}", r"\\Upsilon"),
    (r"\\operatorname\{BCE\}", r"\\Xi"),
    (r"\\mathcal\{L\}\(", r"\\Lambda("),           # the log loss L(y, q)
    (r"\s*\\,\\\|\\,\s*", ", "),                   # P \,\|\, Q -> P, Q
    (r"\\left\|", "|"), (r"\\right\|", "|"),       # |z|: the parser drops what follows \left| ... \right|
    (r"\\sum_\{\\substack\{1 \\leq (\w) \\leq (\w)\\\\1 \\leq (\w) \\leq (\w)\}\}",
     r"\\sum_{\1=1}^{\2} \\sum_{\3=1}^{\4}"),     # a double sum over 1 <= k <= K, 1 <= m <= N
    (r"_\{(\w),", r"_{\1 "),                       # q_{m,x_{m}}: a subscript of two indices
    # y (1 - q), \lambda (...): a product, not a function applied (the printer leaves a space)
    (r"(?<![\\\w])((?!\\(?:ln|log|exp|sum|prod|max|min|cdot|frac)\b)\\?[a-zA-Z]+(?:_\{[^{}]*\})?) \\left\(",
     r"\1 \\cdot \\left("),
    (r"\\,", " "), (r"\\quad", " "),
    (r"\\(log|ln)_([0-9a-zA-Z])", r"\\\1_{\2}"),  # \log_2 10: the parser would read the base as 210
)

#: Notation the parser misreads and the table does not translate yet: ``\\hat{y}_{i}`` (the parser
#: drops the sum around it), a family's ``\\operatorname{Normal}``, ``\\mathcal{N}``.
_OUTSIDE_TABLE = re.compile(r"\\hat\{|\\operatorname\{(?!JS\}|BCE\})|\\mathcal\{N\}")
_PARTIAL = re.compile(r"\\frac\{\\partial\}\{\\partial ((?:\\[a-zA-Z]+|[a-zA-Z])(?:_\{[^{}]*\}|_\w)?)\}")
_PLACEHOLDERS = ("varkappa", "varpi", "varsigma", "vartheta")

#: worked examples' notation heads -> the function the translated LaTeX parses to.
_HEADS = {EntropyOf: "H", CrossEntropyOf: "H", KLDivergenceOf: "Delta", LogLossOf: "Lambda"}


@dataclass(frozen=True)
class RoundTripFailure:
    """A rendered formula that does not read back as its step's expression."""

    step: int
    side: str
    rendered: str
    reason: str

    def __str__(self) -> str:
        return f"step {self.step} ({self.side}): {self.rendered}   {self.reason}"


@dataclass
class RoundTripReport:
    """How many formulas were read back and found equal, which failed, which stayed undecided."""

    checked: int = 0
    failures: list[RoundTripFailure] = field(default_factory=list)
    undecided: list[RoundTripFailure] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.checked} formula(s) read back as their steps, {len(self.failures)} failed, "
                f"{len(self.undecided)} outside the parser's grammar")


def _parser():
    try:
        from sympy.parsing.latex import parse_latex
        import antlr4  # noqa: F401  (parse_latex's backend)
    except ImportError:
        raise UnsupportedError("the round-trip check needs antlr4-python3-runtime==4.11 "
                               "(pip install 'symxent[test]')") from None
    return parse_latex


def translate(tex: str) -> str:
    r"""``tex`` in the vocabulary of SymPy's LaTeX parser (:data:`TRANSLATION`).

    >>> translate(r"\operatorname{JS}(P, Q) \le \tfrac{1}{2} y \left(1 - q\right)")
    '\\Upsilon(P, Q) \\le \\frac{1}{2} y \\cdot \\left(1 - q\\right)'
    """
    for pattern, replacement in TRANSLATION:
        tex = re.sub(pattern, replacement, tex)
    return tex


def _read(tex: str) -> sp.Expr:
    """The parser's reading of translated ``tex``; ``\\frac{\\partial}{\\partial x}`` becomes ``d/dx``."""
    variables: dict[sp.Symbol, sp.Expr] = {}

    def derivative(match: re.Match) -> str:
        placeholder = _PLACEHOLDERS[min(len(variables), len(_PLACEHOLDERS) - 1)]
        variables[sp.Symbol(placeholder)] = _read(match.group(1))
        return rf"\frac{{d}}{{d\{placeholder}}}"

    tex = _PARTIAL.sub(derivative, tex)
    parsed = _parser()(tex)
    constants = {sp.Symbol("e"): sp.E, sp.Symbol("pi"): sp.pi}  # the parser reads \pi and e as symbols
    if parsed.free_symbols & set(constants):
        parsed = parsed.xreplace(constants)
    return parsed.xreplace(variables) if variables else parsed


def latex_to_sympy(tex: str) -> sp.Expr:
    """The expression a reader gets from ``tex``, in symxent's notation.

    >>> latex_to_sympy(r"\\tfrac{1}{3} \\left(-\\log_{10} 2\\right)")
    (-log(2, 10))/3
    """
    return _read(translate(tex))


# -- the step's vocabulary -------------------------------------------------------------------------

def _atoms(expr: sp.Expr) -> set[sp.Expr]:
    """What is read on its own: symbols, indexed entries, Kronecker deltas (not a quantity's arguments)."""
    out: set[sp.Expr] = set()

    def walk(e: sp.Basic) -> None:
        if isinstance(e, (Quantity, EntropyOf, CrossEntropyOf, KLDivergenceOf, LogLossOf)) and not isinstance(
                e, (BCE, Sigmoid)):
            return
        if isinstance(e, (sp.Indexed, sp.KroneckerDelta)) or (e.is_Symbol and not isinstance(e, sp.Dummy)):
            out.add(e)
            if isinstance(e, sp.Indexed):
                for i in e.indices:
                    walk(i)
            return
        for a in e.args:
            if isinstance(a, sp.Basic) and not isinstance(a, sp.IndexedBase):
                walk(a)

    walk(expr)
    return out


def _distributions(expr: sp.Expr) -> dict[str, tuple]:
    """The symbolic distributions a step names: ``"P"`` -> (p, i, n)."""
    out = {}
    for q in expr.atoms(Quantity):
        if isinstance(q, (Entropy, CrossEntropy, KL, JS)):
            n_dist = 1 if isinstance(q, Entropy) else 2
            index, size = q.args[n_dist], q.args[n_dist + 1]
            for base in q.args[:n_dist]:
                out[str(base.label).upper()] = (base, index, size)
    return out


class _Unreadable(Exception):
    """The reading names something the step does not have (a quantity of an unknown distribution)."""


def _requantify(parsed: sp.Expr, dists: dict[str, tuple], heads: bool) -> sp.Expr:
    """The parser's ``H(P)``, ``Delta_{2}(P, Q)``, ``Xi(y, q)``, ``sigma(z)`` as symxent's objects."""

    def base_of(name: str) -> sp.Expr:
        match = re.fullmatch(r"[A-Za-z]+_\{(.+)\}", name)
        return sp.E if match is None else _read(match.group(1))

    def dist(arg: sp.Expr) -> tuple:
        if not arg.is_Symbol or arg.name not in dists:
            raise _Unreadable(f"{arg} is not a distribution of the step")
        return dists[arg.name]

    def build(f: AppliedUndef) -> sp.Expr:
        name, args = f.func.__name__, f.args
        head = re.sub(r"_\{.*\}$", "", name)
        if heads and head in ("H", "Delta", "Lambda"):  # a worked example's names for its numbers
            cls = {("H", 1): EntropyOf, ("H", 2): CrossEntropyOf, ("Delta", 2): KLDivergenceOf,
                   ("Lambda", 2): LogLossOf}.get((head, len(args)))
            if cls is None or name != head:
                raise _Unreadable(f"{name}{args} is none of the example's quantities")
            return cls(*args)
        if head == "H" and len(args) in (1, 2):
            parts = [dist(a) for a in args]
            (p, i, n), b = parts[0], base_of(name)
            return Entropy(p, i, n, b) if len(args) == 1 else CrossEntropy(p, parts[1][0], i, n, b)
        if head == "Delta" and len(args) == 2:
            (p, i, n), (q, _, _) = dist(args[0]), dist(args[1])
            return KL(p, q, i, n, base_of(name))
        if name == "Upsilon" and len(args) == 2:
            (p, i, n), (q, _, _) = dist(args[0]), dist(args[1])
            return JS(p, q, i, n)
        if name == "Xi" and len(args) == 2:
            return BCE(*args)
        if name == "sigma" and len(args) == 1:
            return Sigmoid(*args)
        if name in ("max", "min") and args:
            return (sp.Max if name == "max" else sp.Min)(*args)
        raise _Unreadable(f"{name} is not a function symxent prints")

    return parsed.replace(lambda e: isinstance(e, AppliedUndef), build)


def _vocabulary(expr: sp.Expr, read: Callable[[sp.Expr], sp.Expr]) -> dict[sp.Expr, sp.Expr]:
    """The reading of each atom of ``expr`` -> the atom; ambiguous notation raises :class:`_Unreadable`."""
    table: dict[sp.Expr, sp.Expr] = {}
    for atom in sorted(_atoms(expr), key=sp.default_sort_key):
        reading = read(atom)
        if reading in table and table[reading] != atom:
            raise _Unreadable(f"{table[reading]} and {atom} print alike")
        table[reading] = atom
    return table


# -- concrete instances ---------------------------------------------------------------------------

def _unfold(expr: sp.Expr) -> sp.Expr:
    for _ in range(4):
        if not expr.has(Quantity):
            break
        expr = expr.replace(lambda e: isinstance(e, Quantity), lambda e: e.unfold())
    return expr.replace(lambda e: isinstance(e, BaseLog), lambda e: sp.log(e.args[0]) / sp.log(e.args[1]))


def _sizes_and_indices(exprs: list[sp.Expr]) -> tuple[set[sp.Symbol], set[sp.Symbol]]:
    sizes, indices = set(), set()
    for e in exprs:
        for s in e.atoms(sp.Sum, sp.Product):
            for limit in s.limits:
                for bound in limit[1:]:
                    sizes |= bound.free_symbols
        for a in e.atoms(sp.Indexed):
            for i in a.indices:
                indices |= {s for s in i.free_symbols if s.is_Symbol}
        for k in e.atoms(sp.KroneckerDelta):
            indices |= k.free_symbols
    free = set().union(*(e.free_symbols for e in exprs))
    return sizes & free, (indices & free) - sizes


def _instance(exprs: list[sp.Expr], rng: random.Random) -> list[sp.Expr]:
    """Both expressions at one concrete instance: sizes, indices, then every value, chosen at random."""
    sizes, indices = _sizes_and_indices(exprs)
    integers = {s: sp.Integer(rng.randint(2, 4)) for s in sorted(sizes, key=str)}
    integers.update({s: sp.Integer(rng.randint(1, 2)) for s in sorted(indices, key=str)})
    # integrals are left to the numerical evaluation (SymPy would try them symbolically)
    done = [e.xreplace(integers).doit(integrals=False) if integers or e.has(sp.Derivative, sp.Sum, sp.Product)
            else e for e in exprs]
    # one value per printed name: the parser's p[1] is real where the step's may be positive
    by_name: dict[str, sp.Expr] = {}
    out = []
    for e in done:
        values = {}
        free = [a for a in e.atoms(sp.Indexed, sp.Symbol, AppliedUndef) if not a.is_Symbol or a in e.free_symbols]
        for a in sorted(free, key=sp.default_sort_key):
            values[a] = by_name.setdefault(str(a), sp.Rational(rng.randint(1, 96), 97))
        # indexed values first: an index symbol must not be replaced inside p[i] before p[i] itself
        out.append(e.xreplace({k: v for k, v in values.items() if not k.is_Symbol}).xreplace(values))
    return out


def _differs(read: sp.Expr, meant: sp.Expr, rng: random.Random) -> str | None:
    """Why ``read`` is not ``meant``; None when equal. Raises :class:`_Unreadable` when undecidable."""
    if read == meant:
        return None
    read_u, meant_u = _unfold(read), _unfold(meant)
    if read_u == meant_u:
        return None
    if read_u.has(sp.Integral) or meant_u.has(sp.Integral):  # quadrature to 30 digits takes minutes
        raise _Unreadable("an integral: compared as a tree only, and the trees differ")
    decided = 0
    for _ in range(6):
        a, b = _instance([read_u, meant_u], rng)
        va, vb = sp.N(a, 30), sp.N(b, 30)
        if not (va.is_Number and vb.is_Number and va.is_finite and vb.is_finite):
            continue
        if abs(va - vb) > sp.Float(10) ** -25 * max(abs(vb), 1):
            return f"reads as {read}, which differs from {meant} (by {sp.N(va - vb, 6)} at a concrete instance)"
        decided += 1
        if decided == 3:
            return None
    if decided:
        return None
    raise _Unreadable("no concrete instance where both sides are finite numbers")


# -- the checks -----------------------------------------------------------------------------------

def _steps(d: Derivation):
    yield from d.steps
    for part in d.parts:
        yield from _steps(part)


def _formulas(d: Derivation) -> Iterator[tuple[int, str, sp.Expr]]:
    for k, step in enumerate(_steps(d), 1):
        yield k, "before", step.before
        yield k, "after", step.after


def _has_heads(expr: sp.Expr) -> bool:
    return any(isinstance(e, tuple(_HEADS)) for e in sp.preorder_traversal(expr))


def _symbolic(expr: sp.Expr) -> bool:
    return bool(expr.free_symbols) or expr.has(Quantity)


def _check_latex(k: int, side: str, expr: sp.Expr, rng: random.Random, report: RoundTripReport) -> None:
    tex = latex(expr)
    heads = _has_heads(expr)
    if _OUTSIDE_TABLE.search(tex):
        report.undecided.append(RoundTripFailure(k, side, tex, "notation outside the table (\\hat, a family's name)"))
        return
    try:
        table = _vocabulary(expr, lambda atom: latex_to_sympy(latex(atom)))
        read = _requantify(latex_to_sympy(tex), _distributions(expr), heads).xreplace(table)
    except UnsupportedError:
        raise
    except _Unreadable as exc:
        report.failures.append(RoundTripFailure(k, side, tex, f"reads as something else: {exc}"))
        return
    except Exception as exc:  # the parser's own exceptions: the formula does not read at all
        failure = RoundTripFailure(k, side, tex, f"does not parse ({type(exc).__name__})")
        (report.undecided if _symbolic(expr) else report.failures).append(failure)
        return
    try:
        why = _differs(read, expr, rng)
    except _Unreadable as exc:
        report.undecided.append(RoundTripFailure(k, side, tex, str(exc)))
        return
    if why is None:
        report.checked += 1
    else:
        report.failures.append(RoundTripFailure(k, side, tex, why))


def roundtrip_report(d: Derivation, *, seed: int = 0, text: bool = True) -> RoundTripReport:
    """Every rendered formula of ``d`` read back (LaTeX, and plain text unless ``text=False``).

    >>> from symxent.identities import catalogue
    >>> d = next(i for i in catalogue() if i.name == "ce_decomposition").derive()
    >>> r = roundtrip_report(d)
    >>> r.failures, r.undecided, r.checked > 10
    ([], [], True)
    """
    rng, report = random.Random(seed), RoundTripReport()
    for k, side, expr in _formulas(d):
        _check_latex(k, side, expr, rng, report)
        if text:
            _check_text(k, side, expr, rng, report)
    return report


def roundtrip_failures(d: Derivation, *, seed: int = 0) -> list[RoundTripFailure]:
    """Every step's rendered LaTeX that does not read back as the step's expression.

    >>> from symxent.worked import worked_measure
    >>> roundtrip_failures(worked_measure("cross-entropy", ["1/3", "2/3"], ["1/2", "1/2"], base=10).derivation)
    []
    """
    return roundtrip_report(d, seed=seed, text=False).failures


# -- plain text -----------------------------------------------------------------------------------

_TEXT_SUM = re.compile(r"sum_\{(\w+)=([^{}]+)\}\^\{([^{}]+)\} ")


def _sum_body_end(s: str, start: int) -> int:
    """Where a sum's body ends: at a + or - between terms, a comma or a closing bracket at its level."""
    depth, k, previous = 0, start, ""
    while k < len(s):
        ch = s[k]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return k
            depth -= 1
        elif depth == 0 and ch == ",":
            return k
        elif depth == 0 and ch in "+-" and previous not in ("", "*", "/", "(", "e", "E") and s[k - 1] == " ":
            return k
        if not ch.isspace():
            previous = ch
        k += 1
    return k


def text_to_grammar(shown: str) -> str:
    """The plain text in the grammar of :mod:`symxent.parsing`.

    >>> text_to_grammar("-sum_{i=1}^{n} p_i*ln(q_i) + ln(n)")
    '-Sum((p[i]*log(q[i])), i, 1, n) + log(n)'
    >>> text_to_grammar("KL(P || Q) + log2(x)")
    'KL(P , Q) + (1/log(2))*log(x)'
    """
    s = re.sub(r"\blog(\d+)\(", r"(1/log(\1))*log(", shown)
    s = re.sub(r"\bln\(", "log(", s).replace("||", ",")
    while True:
        matches = list(_TEXT_SUM.finditer(s))
        if not matches:
            break
        m = matches[-1]  # the innermost (rightmost) sum first
        end = _sum_body_end(s, m.end())
        body = s[m.end():end].rstrip()
        s = f"{s[:m.start()]}Sum(({body}), {m.group(1)}, {m.group(2)}, {m.group(3)}){' ' if end < len(s) and s[end] in '+-' else ''}{s[end:]}"
    for _ in range(3):  # q_{x_m}: the inner subscript first
        s = re.sub(r"\b([a-z][a-z0-9]*)_([a-z0-9]+)\b(?!\[)", r"\1[\2]", s)
        s = re.sub(r"\b([a-z][a-z0-9]*)_\{([^{},]+)\}", r"\1[\2]", s)
    return s


def _check_text(k: int, side: str, expr: sp.Expr, rng: random.Random, report: RoundTripReport) -> None:
    from ..parsing import read_expression
    from .text import text

    shown = text(expr)
    if "\u0302" in shown:  # ŷ: not a name symxent's parser reads
        report.undecided.append(RoundTripFailure(k, side, shown, "outside the grammar of symxent's parser"))
        return
    if expr.has(sp.Derivative, sp.Product, sp.Integral, sp.KroneckerDelta) or any(
            len(a.indices) > 1 for a in expr.atoms(sp.Indexed)):
        report.undecided.append(RoundTripFailure(k, side, shown, "outside the grammar of symxent's parser"))
        return
    try:
        read = read_expression(text_to_grammar(shown))
    except Exception as exc:
        failure = RoundTripFailure(k, side, shown, f"does not parse ({type(exc).__name__}: {exc})")
        (report.undecided if _symbolic(expr) else report.failures).append(failure)
        return
    try:
        meant = _as_parsed(expr)
        if _has_heads(expr):
            read = _heads_back(read)
        read = _rebased(read.xreplace(_by_name(read, meant)), _distributions(meant))
        why = _differs(read, meant, rng)
    except _Unreadable as exc:
        report.undecided.append(RoundTripFailure(k, side, shown, str(exc)))
        return
    if why is None:
        report.checked += 1
    else:
        report.failures.append(RoundTripFailure(k, side, shown, why))


def _as_parsed(expr: sp.Expr) -> sp.Expr:
    """The step's expression with the notation heads as the opaque functions the text names."""
    for head, name in {EntropyOf: "H", CrossEntropyOf: "H", KLDivergenceOf: "KL", LogLossOf: "L"}.items():
        expr = expr.replace(lambda e, h=head: isinstance(e, h), lambda e, n=name: sp.Function(n)(*e.args))
    return expr


def _heads_back(read: sp.Expr) -> sp.Expr:
    """A worked example's ``H(P, Q)`` names its numbers: the parser's quantity as the opaque function."""
    def back(q: Quantity) -> sp.Expr:
        if isinstance(q, Entropy):
            return sp.Function("H")(sp.Symbol(str(q.args[0].label).upper()))
        if isinstance(q, (CrossEntropy, KL)):
            return sp.Function("H" if isinstance(q, CrossEntropy) else "KL")(
                *(sp.Symbol(str(a.label).upper()) for a in q.args[:2]))
        raise _Unreadable(f"{q} is none of the example's quantities")

    return read.replace(lambda e: isinstance(e, (Entropy, CrossEntropy, KL, JS)), back)


def _rebased(read: sp.Expr, dists: dict[str, tuple]) -> sp.Expr:
    """The parser's ``H(P)`` on the step's distribution named P (the text does not say its n)."""
    def rebase(q: Quantity) -> sp.Expr:
        k = 1 if isinstance(q, Entropy) else 2
        labels = [str(a.label).upper() for a in q.args[:k]]
        if not all(label in dists for label in labels):
            raise _Unreadable(f"{q} names a distribution the step does not have")
        (p, i, n), bases = dists[labels[0]], [dists[label][0] for label in labels]
        return q.func(*bases, i, n, *q.args[k + 2:])

    return read.replace(lambda e: isinstance(e, (Entropy, CrossEntropy, KL, JS)), rebase)


def _by_name(read: sp.Expr, meant: sp.Expr) -> dict[sp.Expr, sp.Expr]:
    """The parser's symbols and entries -> the step's, by the name printed (the parser's symbols are
    real, the step's may be positive). Quantities (``H(P)``, ``KL(P || Q)``) are built by the parser
    from its own n-event distributions, and are re-based on the step's ``p[i]``, ``n``."""
    names: dict[str, sp.Expr] = {}
    for a in meant.atoms(sp.Symbol):
        names[a.name] = a
    for a in meant.atoms(sp.IndexedBase):
        names[str(a.label)] = a
    out: dict[sp.Expr, sp.Expr] = {}
    for a in read.atoms(sp.Symbol):
        if a.name in names and names[a.name] != a:
            out[a] = names[a.name]
    for a in read.atoms(sp.Indexed):  # sigma_1 is the symbol sigma_1 of a family, not an entry sigma[1]
        name = f"{a.base.label}_{a.indices[0]}" if len(a.indices) == 1 else ""
        if name in names and names[name].is_Symbol:
            out[a] = names[name]
    for a in read.atoms(sp.IndexedBase):
        if str(a.label) in names and names[str(a.label)] != a:
            out[a] = names[str(a.label)]
    return out


def text_roundtrip_failures(d: Derivation, *, seed: int = 0) -> list[RoundTripFailure]:
    """The same check for the plain text, read back by symxent's parser."""
    rng, report = random.Random(seed), RoundTripReport()
    for k, side, expr in _formulas(d):
        _check_text(k, side, expr, rng, report)
    return report.failures
