"""Prose inside LaTeX: special characters escaped, common Unicode mathematics spelled in TeX.

Justifications and assumptions are written by people (``"Σ p_i = 1"``, ``"σ > 0"``); pdflatex
only reads ASCII and Latin letters, so the mathematical characters become inline maths.
"""

from __future__ import annotations

import re
from typing import Callable

__all__ = ["tex_text", "plain_text"]

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
