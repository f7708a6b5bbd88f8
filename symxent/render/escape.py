"""Prose inside LaTeX: special characters escaped, common Unicode mathematics spelled in TeX.

Justifications and assumptions are written by people (``"Σ p_i = 1"``, ``"σ > 0"``); pdflatex
only reads ASCII and Latin letters, so the mathematical characters become inline maths.
"""

from __future__ import annotations

import re
from typing import Callable

__all__ = ["tex_text", "tex_prose", "plain_text"]

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}"}

_MATH = {
    "∈": r"\in", "∉": r"\notin", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "→": r"\to",
    "∞": r"\infty", "∑": r"\sum", "Σ": r"\Sigma", "∏": r"\prod", "∫": r"\int", "∂": r"\partial",
    "∇": r"\nabla", "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "·": r"\cdot",
    "×": r"\times", "−": "-", "±": r"\pm", "√": r"\surd", "‖": r"\|", "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow", "∀": r"\forall", "∃": r"\exists", "α": r"\alpha", "β": r"\beta",
    "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "λ": r"\lambda", "μ": r"\mu", "π": r"\pi",
    "σ": r"\sigma", "θ": r"\theta", "ŷ": r"\hat{y}", "ₖ": "_k", "ᵢ": "_i", "₁": "_1", "₂": "_2",
    "²": "^2", "½": r"\tfrac12",
}
_MATH.update({"<": "<", ">": ">", "|": "|"})
_TEXT = {"—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\ldots{}"}


def _word_name(tok: str) -> str:
    """The letters a word token starts with (``x`` of ``x_i``); the token itself if it has none."""
    found = re.match(r"[A-Za-zα-ωŷ]+", tok)
    return found.group(0) if found else tok


def tex_text(text: str) -> str:
    """``text`` made safe for a LaTeX paragraph or ``\\text{...}``; ``$...$`` is kept as maths.

    >>> print(tex_text("p_i ∈ (0, 1], 100% sure"))
    $p_{i}$ $\\in$ (0, 1], 100\\% sure
    >>> print(tex_text("sigma(z) = 1/(1 + e^(-z)), q_k^y_k, log q_{x_m}, P_hat, sum_m"))
    $\\sigma$(z) = 1/(1 + $e^{-z}$), $q_{k}^{y}$\\_k, log $q_{x_m}$, $\\hat{P}$, $\\sum_{m}$
    >>> print(tex_text("when $q_i = 0$"))
    when $q_i = 0$
    """
    pieces = text.split("$")
    if len(pieces) % 2 == 0:  # an unpaired dollar is a dollar
        return _escape(text)
    return "".join(_escape(p) if k % 2 == 0 else f"${p}$" for k, p in enumerate(pieces))


def plain_text(text: str) -> str:
    r"""``text`` for a terminal: inline ``$...$`` maths loses its dollars.

    >>> plain_text("when $q_i = 0$")
    'when q_i = 0'
    >>> plain_text("$0 \\log 0 = 0$ and $+\\infty$, $y_i \\in \\{0, 1\\}$")
    '0 log 0 = 0 and +infinity, y_i in {0, 1}'
    """
    pieces = text.split("$")
    if len(pieces) % 2 == 0:
        return text
    return "".join(p if k % 2 == 0 else _untex(p) for k, p in enumerate(pieces))


_UNTEX: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [(r"\\hat\{(\w)\}", "\\1\u0302"), (r"\\infty", "infinity"), (r"\\([{}])", "\\1"),
          (r"\\(?:log|ln|in|le|ge|ne)\b", lambda m: {"le": "<=", "ge": ">="}.get(m.group(0)[1:], m.group(0)[1:])),
          (r"\\[,;! ]", " ")]


def _untex(math: str) -> str:
    """A few TeX commands spelled for a terminal: ``\\log`` as log, ``\\hat{y}`` as ŷ."""
    import re

    for pattern, repl in _UNTEX:
        math = re.sub(pattern, repl, math)
    return math


_DIGRAPHS = {"<=": r"$\le$", ">=": r"$\ge$", "!=": r"$\ne$", "||": r"$\|$", "->": r"$\to$"}


_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "pi", "sigma")
_OPERATORS = {"sum": r"\sum", "prod": r"\prod", "log": r"\log", "ln": r"\ln", "exp": r"\exp", "max": r"\max",
              "min": r"\min"}
_SCRIPT = r"(\{[A-Za-z0-9_^ ,+-]*\}|[A-Za-z0-9]+)"
_TOKEN = re.compile(r"\b([A-Za-z]+)(?:_" + _SCRIPT + r")?(?:\^(" + _SCRIPT[1:-1]
                    + r"|\(-?[A-Za-z0-9 +*/.^-]*\)|-[A-Za-z0-9]+))?")


def _math_token(match: re.Match) -> str | None:
    """``x_1``, ``sigma_1^2``, ``q_{x_m}``, ``e^(-t^2/2)``, ``P_hat``, ``sigma`` as inline maths.

    None for a plain word, which stays text.
    """
    name, sub, sup = match.groups()
    if sub is None and sup is None and name not in _GREEK:
        return None
    if any(re.search(r"[_^]{2}|[_^]\}|\{[_^]", part or "") for part in (sub, sup)):
        return None  # x__m would be a double subscript: leave such text alone
    if sub == "hat" and sup is None:
        return rf"$\hat{{{name}}}$"
    tex = f"\\{name}" if name in _GREEK else _OPERATORS.get(name, name)
    if sub is not None:
        tex += f"_{{{sub.strip('{}')}}}"
    if sup is not None:
        sup = sup[1:-1] if sup[0] in "({" else sup
        tex += f"^{{{sup}}}"
    return f"${tex}$"


def _escape(text: str) -> str:
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        math = _math_token(match)
        if math is not None:
            out += [_escape_plain(text[last:match.start()]), math]
            last = match.end()
    return "".join(out) + _escape_plain(text[last:])


def _escape_plain(text: str) -> str:
    out, k = [], 0
    while k < len(text):
        pair = text[k:k + 2]
        if pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            k += 2
            continue
        out.append(_escape_char(text[k]))
        k += 1
    return "".join(out)


def _escape_char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch in _MATH:
        return f"${_MATH[ch]}$"
    if ch in _TEXT:
        return _TEXT[ch]
    if ord(ch) < 128 or (ch.isalpha() and ord(ch) < 0x250):
        return ch
    return rf"\texttt{{U+{ord(ch):04X}}}"


# -- prose with mathematics in it (justifications, assumptions) -----------------------------------

_PROSE_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<op><=|>=|!=|\|\||->|[=<>+*/^\-−≤≥≠∈·])|(?P<open>[(\[])|(?P<close>[)\]])|(?P<comma>,)"
    r"|(?P<num>\d+(?:\.\d+)?)|(?P<word>[A-Za-zα-ωŷ]+(?:_(?:\{[^{}]*\}|[A-Za-z0-9]+))?(?:\^(?:\{[^{}]*\}|\([^()]*\)|-?[A-Za-z0-9]+))?)"
    r"|(?P<other>.)")
_PROSE_OPS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "||": r"\,\|\,", "->": r"\to", "≤": r"\le", "≥": r"\ge",
              "≠": r"\ne", "∈": r"\in", "−": "-", "·": r"\cdot", "*": r"\,"}
_FUNCTIONS = {"ln", "log", "exp", "max", "min", "sigmoid", "softplus", "abs"}  # maths when applied to something
_NAMES = {"H", "KL", "JS", "BCE", "CE", "D_KL"}  # quantities, when applied: KL(P || Q)
_NOT_VARIABLES = {"a", "A", "I"}  # single letters that are words


def _prose_tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group(0)) for m in _PROSE_TOKEN.finditer(text)]


def _operand(kind: str, tok: str, following: str) -> bool:
    """A token that is mathematics by itself: a variable, a subscripted name, a function, a number.

    ``following`` is the next token that is not a space: ``log`` is a function in ``log p_i`` and
    ``log(x)``, a word in "log of a quotient".
    """
    if kind == "num":
        return True
    if kind != "word":
        return False
    name = _word_name(tok)
    if tok != name:  # x_i, e^(-z)
        return True
    if name in _GREEK:
        return True
    if name in _FUNCTIONS:
        return following == "(" or bool(re.fullmatch(r"\d.*|[A-Za-zα-ω](?:[_^].*)?", following))
    if name in _NAMES and following == "(":
        return True
    return len(name) == 1 and name not in _NOT_VARIABLES


def _strong(kind: str, tok: str) -> bool:
    """Enough to make a run mathematics: an operator, a subscript, a function, a Greek letter, a variable."""
    return kind in ("op",) or (kind == "word" and (not tok.isalpha() or tok in _FUNCTIONS or tok in _GREEK
                                                   or len(tok) == 1 or tok in _NAMES))


def _runs(tokens: list[tuple[str, str]]) -> list[tuple[bool, list[tuple[str, str]]]]:
    """The tokens split into (is maths, tokens) runs: a run of maths is operands, operators, brackets
    and spaces; a comma inside brackets belongs to it."""
    out: list[tuple[bool, list[tuple[str, str]]]] = []
    k = 0
    while k < len(tokens):
        kind, tok = tokens[k]
        following = _next(tokens, k)
        if not (_operand(kind, tok, following) or kind in ("op", "open")):
            out.append((False, [tokens[k]]))
            k += 1
            continue
        j, depth, run = k, 0, []
        while j < len(tokens):
            kind, tok = tokens[j]
            following = _next(tokens, j)
            if kind == "open":
                depth += 1
            elif kind == "close":
                if depth == 0:
                    break
                depth -= 1
            elif kind == "comma" and depth == 0:
                break
            elif not (kind in ("space", "op", "comma") or _operand(kind, tok, following)):
                break
            run.append(tokens[j])
            j += 1
        # give back what does not belong: trailing spaces and operators, unclosed brackets
        while run and (run[-1][0] in ("space", "op") or _unbalanced(run)):
            run.pop()
            j -= 1
        while run and run[0][0] == "open" and _unbalanced(run):
            out.append((False, [run.pop(0)]))
            k += 1
        closing = []
        if len(run) > 2 and run[0][0] == "open" and run[-1][0] == "close" and not _unbalanced(run[1:-1]):
            out.append((False, [run.pop(0)]))  # (ln x <= x - 1): the brackets are the prose's
            closing = [run.pop()]
        body = [t for t in run if t[0] != "space"]
        is_maths = bool(body) and any(_operand(*t, "(") for t in body) and any(_strong(*t) for t in body) and not (
            len(body) == 1 and body[0][0] == "num")
        out.append((is_maths, run or [tokens[k]]))
        if closing:
            out.append((False, closing))
        k = max(j, k + 1)
    return out


def _next(tokens: list[tuple[str, str]], k: int) -> str:
    """The next token after ``k`` that is not a space."""
    return next((t for kind, t in tokens[k + 1:] if kind != "space"), "")


def _unbalanced(run: list[tuple[str, str]]) -> bool:
    depth = 0
    for kind, _ in run:
        depth += kind == "open"
        depth -= kind == "close"
        if depth < 0:
            return True
    return depth != 0


def _maths_of(run: list[tuple[str, str]]) -> str:
    out = []
    for idx, (kind, tok) in enumerate(run):
        following = run[idx + 1][1] if idx + 1 < len(run) else ""
        if kind == "op":
            out.append(_PROSE_OPS.get(tok, tok))
        elif kind == "word":
            name = _word_name(tok)
            if name in _NAMES and tok == name and following == "(":
                out.append(tok if len(tok) == 1 else rf"\mathrm{{{tok}}}")
            elif tok == name and name in ("sigmoid", "softplus", "abs"):
                out.append(rf"\operatorname{{{name}}}")
            elif tok == name and name == "sum":
                out.append(r"\sum")
            else:
                match = _TOKEN.fullmatch(tok)
                tex = _math_token(match) if match else None
                out.append(tex.strip("$") if tex else _OPERATORS.get(tok, rf"\{tok}" if tok in _GREEK else tok))
        elif kind == "space":
            out.append(" ")
        else:
            out.append(tok)
    tex = re.sub(r"\^\(([^()]*)\)", r"^{\1}", "".join(out).strip())  # (1-q)^(1-y): the exponent braced
    return "".join(_MATH.get(ch, ch) if ch in _MATH and ch not in "<>|" else ch for ch in tex)


def tex_prose(text: str) -> str:
    r"""Prose for LaTeX with the mathematics in it set as mathematics, one formula per run.

    >>> print(tex_prose("ln x <= x - 1 at x = 1/(n p_i), times p_i > 0, term by term"))
    $\ln x \le x - 1$ at $x = 1/(n p_{i})$, times $p_{i} > 0$, term by term
    >>> print(tex_prose("1 - sigma(z); max(z, 0) = z for a logit z"))
    $1 - \sigma(z)$; $\max(z, 0) = z$ for a logit $z$
    >>> print(tex_prose("every term is nonnegative (ln x <= x - 1), so the sum is at least its j-th term"))
    every term is nonnegative ($\ln x \le x - 1$), so the sum is at least its $j$-th term
    >>> print(tex_prose("Cross-entropy is entropy plus KL divergence; KL(P || Q) >= 0, 100% sure"))
    Cross-entropy is entropy plus KL divergence; $\mathrm{KL}(P \,\|\, Q) \ge 0$, 100\% sure
    >>> print(tex_prose("BCE(y, q) = -log(q^y (1-q)^(1-y)) for y in [0, 1]"))
    $\mathrm{BCE}(y, q) = -\log(q^{y} (1-q)^{1-y})$ for $y$ in [0, 1]
    >>> print(tex_prose("when $q_i = 0$"))
    when $q_i = 0$
    """
    pieces = text.split("$")
    if len(pieces) % 2 == 0:
        pieces = [text]
    out = []
    for k, piece in enumerate(pieces):
        if k % 2:
            out.append(f"${piece}$")
            continue
        for is_maths, run in _runs(_prose_tokens(piece)):
            raw = "".join(t for _, t in run)
            out.append(f"${_maths_of(run)}$" if is_maths else _escape(raw))
    return "".join(out)
