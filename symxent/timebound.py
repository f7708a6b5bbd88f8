"""Time bounds that hold on any thread: cooperative deadlines checked by the evaluators.

:func:`deadline` sets a wall-clock deadline for the current thread (nested deadlines keep the
earlier one) and :func:`checkpoint` raises :class:`OutOfTime` once it has passed. The certified
evaluator calls :func:`checkpoint` at every node it encloses and every precision it tries, so an
evaluation stops within one node's work of its bound, on the main thread or any other, with no
signal involved. The proof engine adds ``SIGALRM`` on the main thread for SymPy's own loops
(:mod:`symxent.derivation.bound`), which have no checkpoints.
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from .errors import PrecisionError

__all__ = ["OutOfTime", "deadline", "checkpoint", "remaining", "check_seconds", "MAX_SECONDS"]

MAX_SECONDS = 3600.0
"""The longest time bound accepted (one hour)."""


class OutOfTime(Exception):
    """A bounded computation reached its deadline."""


_LOCAL = threading.local()


def check_seconds(seconds: Any, name: str = "seconds") -> float:
    """A time bound: a positive finite number of seconds, at most :data:`MAX_SECONDS`.

    >>> check_seconds("2.5")
    2.5
    >>> check_seconds(float("inf"))
    Traceback (most recent call last):
    ...
    symxent.errors.PrecisionError: seconds=inf must be a number of seconds in (0, 3600]
    """
    try:
        value = float(seconds) if not isinstance(seconds, bool) else math.nan
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    if not 0 < value <= MAX_SECONDS:  # also refuses nan
        raise PrecisionError(f"{name}={seconds!r} must be a number of seconds in (0, {MAX_SECONDS:g}]")
    return value


def _stack() -> list:
    if not hasattr(_LOCAL, "deadlines"):
        _LOCAL.deadlines = []
    return _LOCAL.deadlines


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Within the block, :func:`checkpoint` raises :class:`OutOfTime` after ``seconds``.

    >>> with deadline(5.0) as limit:
    ...     checkpoint()
    ...     0 < remaining() <= 5.0
    True
    """
    seconds = check_seconds(seconds)
    stack = _stack()
    end = time.monotonic() + seconds
    if stack:
        end = min(end, stack[-1])
    stack.append(end)
    try:
        yield seconds
    finally:
        stack.pop()


def remaining() -> float:
    """Seconds left before the current thread's deadline (``inf`` when there is none)."""
    stack = _stack()
    return stack[-1] - time.monotonic() if stack else math.inf


def checkpoint() -> None:
    """Raise :class:`OutOfTime` if the current thread's deadline has passed.

    >>> checkpoint()  # no deadline: nothing happens
    """
    stack = _stack()
    if stack and time.monotonic() > stack[-1]:
        raise OutOfTime("time bound reached")
