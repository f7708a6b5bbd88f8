"""The two worked examples of the documentation (data in :mod:`symxent.examples`)."""

from __future__ import annotations

from .. import measures
from ..exact import evaluate
from .core import WorkedExample
from .distributions import worked_measure
from .losses import worked_log_loss

__all__ = ["example_1", "example_2", "worked_examples"]


def example_1(digits: int = 10) -> WorkedExample:
    """Worked example 1: the cross-entropy of two distributions over three events, in bits.

    >>> str(example_1(digits=4).value)
    '3.288'
    """
    from ..examples import EXAMPLE_1 as E

    return worked_measure("cross-entropy", E.p, E.q, base=E.base, digits=digits, events=E.events,
                          name="example_1", title="Worked example 1: cross-entropy of three events, in bits")


def example_2(digits: int = 10) -> WorkedExample:
    """Worked example 2: a binary classifier's log loss over ten samples, in nats.

    >>> str(example_2(digits=4).value)
    '0.2469'
    """
    from ..examples import EXAMPLE_2 as E

    as_floats = evaluate(measures.log_loss(E.labels, E.prediction_floats), 20)
    as_decimals = evaluate(measures.log_loss(E.labels, E.predictions), 20)
    note = (f"The predictions are read as exact decimals (0.8 is 4/5), giving {as_decimals} nats to 20 digits. "
            f"Read as the binary values of the float64 literals they give {as_floats} nats: "
            "a check of floating-point code must say which reading it uses.")
    return worked_log_loss(E.labels, E.predictions, base="e", digits=digits, name="example_2",
                           title="Worked example 2: log loss of a binary classifier, in nats", notes=(note,))


def worked_examples(digits: int = 10) -> list[WorkedExample]:
    """Both worked examples of the documentation, in order.

    >>> [(ex.name, str(ex.value), ex.unit) for ex in worked_examples(3)]
    [('example_1', '3.29', 'bits'), ('example_2', '0.247', 'nats')]
    """
    return [example_1(digits), example_2(digits)]
