"""Bounded SymPy calls: a hard claim ends as "undecided", never as a hang.

:func:`bounded` runs a function under a wall-clock budget enforced by ``SIGALRM`` (SymPy is pure
Python, so the signal interrupts it between bytecodes). The budget is a safety net, not the
strategy: the engine only asks SymPy for cheap, structural work (``expand``, ``expand_log``,
``diff``), so the budget is reached only by claims outside that class. Off the main thread, or
where ``SIGALRM`` does not exist, the call runs unbounded (there is no safe way to stop it).
"""

from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from ..errors import PrecisionError

__all__ = ["OutOfTime", "bounded", "time_limit", "check_seconds", "DEFAULT_SECONDS", "MAX_SECONDS"]

T = TypeVar("T")
DEFAULT_SECONDS = 2.0
MAX_SECONDS = 3600.0
"""The longest time bound accepted (one hour)."""


def check_seconds(seconds: Any, name: str = "seconds") -> float:
    """A time bound: a positive finite number of seconds, at most :data:`MAX_SECONDS`.

    >>> check_seconds("2.5")
    2.5
    >>> check_seconds(0)
    Traceback (most recent call last):
    ...
    symxent.errors.PrecisionError: seconds=0 must be a number of seconds in (0, 3600]
    """
    try:
        value = float(seconds) if not isinstance(seconds, bool) else math.nan
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    if not 0 < value <= MAX_SECONDS:  # also refuses nan
        raise PrecisionError(f"{name}={seconds!r} must be a number of seconds in (0, {MAX_SECONDS:g}]")
    return value


class OutOfTime(Exception):
    """A bounded call reached its budget."""


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float = DEFAULT_SECONDS) -> Iterator[None]:
    """Raise :class:`OutOfTime` inside the block once ``seconds`` have passed.

    Nested limits keep the outer one: the inner block runs under the earlier of the two.

    >>> with time_limit(1.0):
    ...     sum(range(10))
    45
    """
    seconds = check_seconds(seconds)
    if not _can_alarm():
        yield
        return
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if remaining and remaining < seconds:  # an outer limit is earlier: keep it
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise OutOfTime(f"time bound of {seconds:g} s reached")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:  # the outer limit keeps its own deadline
            signal.setitimer(signal.ITIMER_REAL, max(remaining - (time.monotonic() - started), 1e-3))


def bounded(fn: Callable[..., T], *args: Any, seconds: float = DEFAULT_SECONDS, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, or :class:`OutOfTime` after ``seconds``.

    >>> import sympy as sp
    >>> bounded(sp.expand, (sp.Symbol("x") + 1) ** 2)
    x**2 + 2*x + 1
    """
    with time_limit(seconds):
        return fn(*args, **kwargs)
