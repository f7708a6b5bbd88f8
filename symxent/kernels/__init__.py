"""Certified sums of logarithms at float speed: vectorised exact kernels.

``log_sum`` and ``logsumexp_sum`` have the signatures and the guarantee of
:mod:`symxent.exact.sums`, which calls them first: they return an
:class:`~symxent.exact.enclosure.Enclosure` ``[lo, hi]`` of the exact sum, with
``hi - lo <= 2**-rel_bits * max(1, sum |term|)``, or ``None`` when they cannot certify it
(the exact reference path then takes over). The bound is computed at run time from the data;
:mod:`symxent.kernels.logsum` documents the argument. Where Numba is installed and passes the
checks of :mod:`symxent.kernels.jit`, compiled kernels with the same arguments answer first
(``SYMXENT_JIT=0`` switches them off).

>>> import numpy as np
>>> log_sum(np.array([0.5, 0.5])).decimal(12)
'-1.38629436112'
"""

from .api import group_repeats, log_sum
from .logsumexp import logsumexp_sum

__all__ = ["log_sum", "logsumexp_sum", "group_repeats"]
