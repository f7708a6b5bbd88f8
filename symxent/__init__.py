"""symxent: entropy, cross-entropy, KL divergence and log loss as exact mathematics.

The public API is declared here, once; everything else is an implementation module.

>>> from symxent import cross_entropy, evaluate
>>> str(evaluate(cross_entropy(["0.1", "0.4", "0.5"], ["0.8", "0.15", "0.05"], base=2), digits=20))
'3.2879430945988998753'
"""

from ._version import __version__
from .distributions import Categorical, SymbolicDistribution, bernoulli, symbolic_distribution
from .errors import (BaseError, DomainError, InvalidNumberError, MissingExtraError, NormalizationError, OverwriteError,
                     ParseError, PrecisionError, ShapeError, SymxentError, UnsupportedError)
from .exact import MAX_DIGITS, CertifiedValue, closed_form, evaluate
from .inputs import exact as as_exact  # not "exact": that name is the symxent.exact subpackage
from .inputs import parse_number
from .logbase import unit_of
from .derivation.verify import VerifyResult, verify
from .measures import (binary_cross_entropy, categorical_cross_entropy, cross_entropy, entropy,
                       gaussian_nll, js_divergence, kl_divergence, log_loss, mse)
from .render.api import render as render_document
from . import families  # the parametric families, a public subpackage (symxent.families.Normal ...)
from .families import family
from .worked import WorkedExample, worked_log_loss, worked_measure
from . import sheet  # a callable subpackage: symxent.sheet(n, ...) draws a problem sheet

__all__ = [
    "__version__",
    # distributions
    "Categorical", "SymbolicDistribution", "bernoulli", "symbolic_distribution",
    # measures
    "entropy", "cross_entropy", "kl_divergence", "js_divergence", "binary_cross_entropy", "categorical_cross_entropy",
    "log_loss", "gaussian_nll", "mse",
    # exact inputs and certified values
    "as_exact", "parse_number", "evaluate", "closed_form", "CertifiedValue", "MAX_DIGITS", "unit_of",
    # proofs and claims
    "verify", "VerifyResult",
    # errors
    "SymxentError", "InvalidNumberError", "DomainError", "NormalizationError", "ShapeError",
    "BaseError", "PrecisionError", "ParseError", "UnsupportedError", "MissingExtraError",
    # derivations as documents, worked examples
    "render_document", "WorkedExample", "worked_measure", "worked_log_loss", "OverwriteError",
    # problem sheets (the subpackage is callable)
    "sheet",
    # parametric families (the classes live in symxent.families)
    "family",
]
