"""Bounded SymPy calls: a hard claim ends as "undecided", never as a hang.

:func:`bounded` runs a function under a wall-clock budget enforced by ``SIGALRM`` (SymPy is pure
Python, so the signal interrupts it between bytecodes). The budget is a safety net, not the
strategy: the engine only asks SymPy for cheap, structural work (``expand``, ``expand_log``,
``diff``), so the budget is reached only by claims outside that class. Off the main thread, or
where ``SIGALRM`` does not exist, the cooperative deadline of :mod:`symxent.timebound` holds
for the certified evaluator, and :func:`needs_worker` tells the public entry points (``verify``,
``evaluate``) to run in a worker process instead (:func:`symxent.timebound.in_worker`), where the
signal works and the process is killed if even the signal cannot stop the work.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from ..timebound import MAX_SECONDS, OutOfTime, check_seconds, hard_deadline, needs_worker

__all__ = ["OutOfTime", "bounded", "time_limit", "check_seconds", "needs_worker", "DEFAULT_SECONDS", "MAX_SECONDS"]

T = TypeVar("T")
DEFAULT_SECONDS = 2.0


@contextmanager
def time_limit(seconds: float = DEFAULT_SECONDS) -> Iterator[None]:
    """Raise :class:`OutOfTime` inside the block once ``seconds`` have passed.

    Nested limits keep the outer one: the inner block runs under the earlier of the two.

    >>> with time_limit(1.0):
    ...     sum(range(10))
    45
    """
    with hard_deadline(seconds):
        yield


def bounded(fn: Callable[..., T], *args: Any, seconds: float = DEFAULT_SECONDS, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, or :class:`OutOfTime` after ``seconds``.

    >>> import sympy as sp
    >>> bounded(sp.expand, (sp.Symbol("x") + 1) ** 2)
    x**2 + 2*x + 1
    """
    with time_limit(seconds):
        return fn(*args, **kwargs)
