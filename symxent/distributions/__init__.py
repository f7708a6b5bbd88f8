"""What P and Q are: finite distributions with exact entries, and symbolic n-event ones."""

from .finite import Categorical, as_distribution, bernoulli, check_probability
from .symbolic import SymbolicDistribution, symbolic_distribution

__all__ = ["Categorical", "SymbolicDistribution", "as_distribution", "bernoulli",
           "check_probability", "symbolic_distribution"]
