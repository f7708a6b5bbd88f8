"""Worked examples for coursework: definition, substitution, exact closed form, decimal value.

For numbers a student is given, :func:`worked_measure` (entropy, cross-entropy, KL divergence of
two distributions) and :func:`worked_log_loss` (a binary classifier's log loss) write the
derivation a student is asked to show, one step per line, and check every step exactly: the
definition against :mod:`symxent.measures`, every rewriting by the exact normal form of
:func:`symxent.exact.closed_form`. The value closing the example is certified to the digits
asked for by :func:`symxent.exact.evaluate`.

>>> ex = worked_measure("cross-entropy", ["1/2", "1/2"], ["1/4", "3/4"], base=2, digits=5)
>>> ex.derivation.proved, str(ex.value), ex.unit
(True, '1.2075', 'bits')
"""

from .core import WorkedExample
from .distributions import worked_measure
from .examples import example_1, example_2, worked_examples
from .losses import worked_log_loss

__all__ = ["WorkedExample", "worked_measure", "worked_log_loss", "example_1", "example_2", "worked_examples"]
