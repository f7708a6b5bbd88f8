"""Certified evaluation: interval enclosures, exact rounding, ULPs and exact normal forms."""

from .enclosure import Enclosure
from .evaluate import MAX_DIGITS, CertifiedValue, evaluate
from .loglinear import closed_form
from .rounding import BFLOAT16, FLOAT16, FLOAT32, FLOAT64, FORMATS, BinaryFormat, round_binary, ulp

__all__ = ["Enclosure", "MAX_DIGITS", "CertifiedValue", "evaluate", "closed_form", "BinaryFormat", "FORMATS",
           "FLOAT64", "FLOAT32", "FLOAT16", "BFLOAT16", "round_binary", "ulp"]
