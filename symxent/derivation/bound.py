"""Bounded SymPy calls: a hard claim ends as "undecided", never as a hang.

:func:`bounded` runs a function under a wall-clock budget enforced by ``SIGALRM`` (SymPy is pure
Python, so the signal interrupts it between bytecodes). The budget is a safety net, not the
strategy: the engine only asks SymPy for cheap, structural work (``expand``, ``expand_log``,
``diff``), so the budget is reached only by claims outside that class. Off the main thread, or
where ``SIGALRM`` does not exist, only the cooperative deadline of :mod:`symxent.timebound`
holds: the certified evaluator stops at its next checkpoint, SymPy's own loops run to their end.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from ..timebound import MAX_SECONDS, OutOfTime, check_seconds, deadline

__all__ = ["OutOfTime", "bounded", "time_limit", "check_seconds", "DEFAULT_SECONDS", "MAX_SECONDS"]

T = TypeVar("T")
DEFAULT_SECONDS = 2.0


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
    with deadline(seconds):  # the evaluators' checkpoints honour it on every thread
        if not _can_alarm():
            yield
            return
        with _alarm(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """``SIGALRM`` after ``seconds`` (main thread only), for SymPy's loops that have no checkpoints."""
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
