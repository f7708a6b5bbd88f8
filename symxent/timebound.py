"""Time bounds that hold on any thread: cooperative deadlines checked by the evaluators.

:func:`deadline` sets a wall-clock deadline for the current thread (nested deadlines keep the
earlier one) and :func:`checkpoint` raises :class:`OutOfTime` once it has passed. The certified
evaluator calls :func:`checkpoint` at every node it encloses and every precision it tries, so an
evaluation stops within one node's work of its bound, on the main thread or any other, with no
signal involved. The proof engine adds ``SIGALRM`` on the main thread for SymPy's own loops
(:mod:`symxent.derivation.bound`), which have no checkpoints.

Off the main thread neither a signal nor a checkpoint can stop SymPy's loops, so
:func:`in_worker` runs such work in a worker process (a fresh interpreter, never a fork of the
caller and never a re-run of its ``__main__``), on that process's main thread where ``SIGALRM``
works, and kills the process if it has not answered by the bound plus :data:`GRACE_SECONDS`
(a loop inside one C call, a huge integer power, ignores even the signal). Idle workers are kept
for the next call, so only the first call of a thread pays the interpreter's start.
"""

from __future__ import annotations

import atexit
import math
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, BinaryIO, Iterator

from .errors import PrecisionError

__all__ = ["OutOfTime", "deadline", "checkpoint", "remaining", "check_seconds", "MAX_SECONDS",
           "hard_deadline", "needs_worker", "in_worker", "worker_available", "CannotSend", "GRACE_SECONDS"]

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


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def hard_deadline(seconds: float) -> Iterator[None]:
    """:func:`deadline`, plus ``SIGALRM`` on the main thread for loops that have no checkpoints.

    Nested, the earlier bound governs (an outer alarm that is sooner is kept).

    >>> with hard_deadline(1.0):
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
    left, _ = signal.getitimer(signal.ITIMER_REAL)
    if left and left < seconds:  # an outer limit is earlier: keep it
        yield
        return

    active = [True]

    def _raise(signum: int, frame: Any) -> None:
        if active[0]:
            raise OutOfTime(f"time bound of {seconds:g} s reached")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _raise)
    # the alarm repeats until the block ends: one raised inside a __del__ is only printed, and one
    # caught by a library's ``except Exception`` is lost; the next one stops the work
    signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_SECONDS)
    try:
        yield
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if left:  # the outer limit keeps its own deadline
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - started), 1e-3), _REPEAT_SECONDS)


_REPEAT_SECONDS = 0.25


def needs_worker() -> bool:
    """Should a bounded public call go to a worker process: no ``SIGALRM`` here (off the main
    thread), and a worker can run (a POSIX system, not already inside a worker)?

    >>> needs_worker()  # the main thread: SIGALRM bounds the call in place
    False
    """
    return not _can_alarm() and worker_available()


# ---- worker processes: a hard bound for work that neither a signal nor a checkpoint can stop

GRACE_SECONDS = 2.0
"""How long past its bound a worker may take to answer before it is killed."""

START_SECONDS = 120.0
"""The most a worker may take to start and to run its (untimed, cached) preparation."""

_IN_WORKER = False  # True inside a worker process: its calls run in place, on its main thread
_IDLE: list = []
_IDLE_LOCK = threading.Lock()
_MAX_IDLE = 4


class CannotSend(Exception):
    """The call cannot go to a worker (its arguments do not pickle): run it in place."""


def worker_available() -> bool:
    """Can a call be moved to a worker process here (a POSIX system, not already inside a worker)?"""
    return os.name == "posix" and not _IN_WORKER


def _write(stream: BinaryIO, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _read_exactly(fd: int, n: int, until: float) -> bytes:
    import select

    chunks, got = [], 0
    while got < n:
        left = until - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise OutOfTime("the worker did not answer in time")
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the worker process ended")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class _Worker:
    """A child interpreter serving calls over its standard input and output."""

    def __init__(self) -> None:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen([sys.executable, "-c", "from symxent.timebound import _serve; _serve()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.out = self.proc.stdout.fileno()

    def receive(self, until: float) -> Any:
        (size,) = struct.unpack("<Q", _read_exactly(self.out, 8, until))
        data = _read_exactly(self.out, size, until)
        try:
            return pickle.loads(data)  # safe: our own child's answer
        except Exception as err:  # an exception class that cannot be rebuilt from its pickle
            return "error", PrecisionError(f"the worker's answer could not be read: {type(err).__name__}: {err}")

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def _take() -> _Worker:
    with _IDLE_LOCK:
        while _IDLE:
            worker = _IDLE.pop()
            if worker.proc.poll() is None:
                return worker
    return _Worker()


@atexit.register
def _close_idle() -> None:
    """At exit, idle workers end (their input closes) and are reaped."""
    with _IDLE_LOCK:
        idle, _IDLE[:] = list(_IDLE), []
    for worker in idle:
        worker.kill()


def _give(worker: _Worker) -> None:
    with _IDLE_LOCK:
        if len(_IDLE) < _MAX_IDLE:
            _IDLE.append(worker)
            return
    worker.kill()


def in_worker(target: str, args: tuple = (), kwargs: dict | None = None, *, seconds: float,
              prepare: str | None = None) -> Any:
    """``target(*args, **kwargs)`` in a worker process, killed if it runs past ``seconds``.

    ``target`` and ``prepare`` are ``"module:function"`` names. ``prepare()`` runs first, before
    the clock starts (for work that is cached per process, such as the catalogue's inequalities).
    Returns the target's value or raises its exception; raises :class:`OutOfTime` when the
    worker was killed at ``seconds`` + :data:`GRACE_SECONDS` or ended without answering, and
    :class:`CannotSend` when the arguments do not pickle.

    >>> in_worker("math:gcd", (12, 18), seconds=5.0)
    6
    """
    seconds = check_seconds(seconds)
    try:
        message = pickle.dumps((target, tuple(args), dict(kwargs or {}), prepare), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:  # lambdas, local classes, open files...: the caller runs the call in place
        raise CannotSend(f"the arguments cannot be sent to a worker: {err}") from None
    worker = _take()
    try:
        assert worker.proc.stdin is not None
        worker.proc.stdin.write(struct.pack("<Q", len(message)) + message)
        worker.proc.stdin.flush()
        answer = worker.receive(time.monotonic() + START_SECONDS)  # "started", once prepared
        if answer == "started":
            answer = worker.receive(time.monotonic() + seconds + GRACE_SECONDS)
        kind, value = answer
    except (OutOfTime, EOFError, OSError, pickle.UnpicklingError, struct.error) as err:
        worker.kill()
        raise OutOfTime(f"time bound of {seconds:g} s reached in a worker process ({err})") from None
    except BaseException:  # KeyboardInterrupt in the caller: the worker's state is unknown
        worker.kill()
        raise
    _give(worker)
    if kind == "error":
        raise value
    return value


def _serve() -> None:
    """The worker's loop: read a call, prepare, say "started", run it, answer; until stdin closes."""
    import importlib

    global _IN_WORKER
    _IN_WORKER = True
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what the work prints goes to stderr, never into the answers
    sys.stdout = sys.stderr
    requests = os.fdopen(os.dup(0), "rb")
    import symxent  # noqa: F401  (imported once, before the first call's clock)

    def resolve(name: str) -> Any:
        module, _, attr = name.partition(":")
        obj: Any = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj

    while True:
        head = requests.read(8)
        if len(head) < 8:
            return
        (size,) = struct.unpack("<Q", head)
        target, args, kwargs, prepare = pickle.loads(requests.read(size))  # safe: sent by our parent
        try:
            if prepare:
                resolve(prepare)()
            _write(answers, "started")
            answer: tuple = ("value", resolve(target)(*args, **kwargs))
        except BaseException as err:  # the caller re-raises it
            answer = ("error", err)
        try:
            _write(answers, answer)
        except Exception as err:  # an answer that does not pickle
            _write(answers, ("error", PrecisionError(f"the worker's answer could not be sent back: {err}")))
