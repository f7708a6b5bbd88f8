"""Renderers: derivations and worked examples as LaTeX, Markdown and plain text.

>>> from symxent.worked import example_1
>>> print(render(example_1(), "latex").splitlines()[1])
H(P, Q) &= -\\sum_{i=1}^{3} p_{i} \\log_2 q_{i} && \\text{(definition)} \\\\
"""

from .api import FORMATS, render
from .document import Approximation, FigureRef, Given, derivation_latex
from .markdown import derivation_markdown
from .plain import derivation_text
from .latex import SymxentLatexPrinter, latex, latex_lines
from .notation import BaseLog, CrossEntropyOf, EntropyOf, KLDivergenceOf, LogLossOf, to_sympy
from .text import SymxentTextPrinter, text
from .verdict import verdict_latex, verdict_markdown

__all__ = ["FORMATS", "render", "derivation_latex", "derivation_markdown", "derivation_text", "Given",
           "Approximation", "FigureRef", "SymxentLatexPrinter", "latex", "latex_lines", "SymxentTextPrinter", "text",
           "verdict_latex", "verdict_markdown", "BaseLog", "CrossEntropyOf", "EntropyOf", "KLDivergenceOf",
           "LogLossOf", "to_sympy"]
