"""The worked examples every user tries first, as data (numbers as the user types them).

Example 1 compares two distributions over three events, in bits; example 2 is a binary
classifier's ten predictions, in nats. The figures they produce are computed, never stored here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ThreeEvents", "BinaryClassifier", "EXAMPLE_1", "EXAMPLE_2"]


@dataclass(frozen=True)
class ThreeEvents:
    events: tuple[str, ...]
    p: tuple[str, ...]
    q: tuple[str, ...]
    base: int


@dataclass(frozen=True)
class BinaryClassifier:
    labels: tuple[int, ...]
    predictions: tuple[str, ...]  # as typed: read exactly, or through float() for the binary reading

    @property
    def prediction_floats(self) -> tuple[float, ...]:
        return tuple(float(q) for q in self.predictions)


EXAMPLE_1 = ThreeEvents(("red", "green", "blue"), ("0.10", "0.40", "0.50"), ("0.80", "0.15", "0.05"), 2)
EXAMPLE_2 = BinaryClassifier((1, 1, 1, 1, 1, 0, 0, 0, 0, 0),
                             ("0.8", "0.9", "0.9", "0.6", "0.8", "0.1", "0.4", "0.2", "0.1", "0.3"))
