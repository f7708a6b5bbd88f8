"""Renderers: derivations and worked examples as LaTeX, Markdown and plain text."""

from .latex import SymxentLatexPrinter, latex
from .notation import BaseLog, CrossEntropy, Entropy, KLDivergence, LogLoss, to_sympy

__all__ = ["SymxentLatexPrinter", "latex", "BaseLog", "CrossEntropy", "Entropy", "KLDivergence", "LogLoss",
           "to_sympy"]
