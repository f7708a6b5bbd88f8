"""Exact oracles for ML losses, and adapters that compare real libraries with them.

>>> from symxent.crosscheck import make_problem, exact_value
>>> str(exact_value(make_problem("bce", [1, 0], [0.8, 0.4]), digits=20))
'0.36698458754010021023'
"""

from .arrays import ExactArray, cast_exactly, read_array
from .oracle import Certified, certify, exact_value
from .problem import MEASURES, REDUCTIONS, Problem, make_problem
from .report import LIBRARIES, Report, Result, available_libraries, compare

__all__ = ["ExactArray", "read_array", "cast_exactly", "Problem", "make_problem", "MEASURES", "REDUCTIONS",
           "Certified", "certify", "exact_value", "LIBRARIES", "Report", "Result", "available_libraries", "compare"]
