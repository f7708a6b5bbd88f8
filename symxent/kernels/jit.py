"""Optional compiled kernels (Numba): found, checked and switched on or off in one place.

The vectorised NumPy kernels are the default and need nothing beyond NumPy. When Numba is
installed (the ``fast`` extra: ``pip install "symxent[fast]"``), the kernels that gain most
from fusing their per-element arithmetic into one compiled loop use a compiled version with
the same error argument. Before the first one is used, :func:`available` compiles a probe and
checks, on values where it matters, that the compiled arithmetic is the one the bounds assume:
the fused multiply-add really is fused (one rounding), products and sums are not contracted
or reassociated, subnormals survive (no flush-to-zero), rounding is to nearest, and the
superaccumulator sums exactly. If any check fails, or Numba is absent, or the environment
variable ``SYMXENT_JIT=0`` is set, the NumPy kernels are used (the same certified results,
slower).

**First use.** Importing Numba, loading the kernels from its on-disk cache (``cache=True``;
compiling them when the cache is cold: a new install, a new Python) and running the checks
takes seconds. So the first :func:`load` does not wait: it starts that work in a background
thread and returns None, and the NumPy kernels answer until the thread is done; from then on
the compiled kernels do. :func:`available` (and :func:`engine`) wait for the thread, so code that
asks which engine runs gets a settled answer. ``SYMXENT_JIT=wait`` makes :func:`load` wait too
(benchmarks of the steady state). Numba writes its cache next to the sources when that folder
is writable and under the user's cache folder otherwise (``NUMBA_CACHE_DIR`` overrides both).
A process forked while the background compilation runs uses the NumPy kernels.

>>> isinstance(available(), bool)
True
"""

from __future__ import annotations

import importlib
import os
import threading
from fractions import Fraction
from functools import lru_cache
from types import ModuleType

import numpy as np

from . import fpenv

__all__ = ["available", "load", "engine"]


def _disabled() -> bool:
    return os.environ.get("SYMXENT_JIT", "1").strip().lower() in ("0", "no", "off", "false")


@lru_cache(maxsize=1)
def _core() -> ModuleType | None:
    if not fpenv.FP_ENV_OK:
        return None
    try:
        core = importlib.import_module("symxent.kernels._jit_core")
        return core if _probe_ok(core) else None
    except Exception:  # noqa: BLE001 - no Numba, or one that cannot compile here: use NumPy
        return None


def _probe_ok(core: ModuleType) -> bool:
    """Compiled arithmetic checked against exact rationals on telling values."""
    one = 1.0 + 2.0**-30
    a = np.array([one, 0.1, 2.0**-1022, 1.0, 1.0, 3.0])
    b = np.array([one, 0.3, 0.5, 2.0**-53, 3 * 2.0**-53, 2.0**-1060])
    c = np.array([-(1.0 + 2.0**-29), 0.0, 0.0, 0.0, 0.0, 0.0])
    out = core.probe(a, b, c)
    fused = out[0, 0] == 2.0**-60  # an unfused a*b + c gives 0 here
    uncontracted = out[5, 0] == 0.0  # ... and the plain expression must be that unfused one
    exact = all(Fraction(out[1, i]) + Fraction(out[2, i]) == Fraction(a[i]) * Fraction(b[i]) for i in range(2))
    subnormal = out[3, 2] == 2.0**-1023 and out[3, 5] == 3.0 * 2.0**-1060  # no FTZ, no DAZ
    nearest = out[4, 3] == 1.0 and out[4, 4] == 1.0 + 4 * 2.0**-53
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(size=3000) * 2.0 ** rng.integers(-1070, 1000, 3000),
                        [2.0**-1074, -(2.0**-1074), 1e308, 1e308, -1e308]])
    chunks = core.new_accumulator()
    core.acc_sum(x, chunks)
    summed = core.accumulator_value(chunks) == sum(map(Fraction, x.tolist()), Fraction(0))
    return bool(fused and uncontracted and exact and subnormal and nearest and summed)


MODULES = ("wlog", "klratio", "logsumexp")  # compiled in the background, all of them
_ready = threading.Event()
_start_lock = threading.Lock()
_thread: threading.Thread | None = None


def _warm_up() -> None:
    """Import Numba, load or compile the core and every module, run their checks (background)."""
    try:
        if _core() is not None:
            for name in MODULES:
                _checked(name)
    finally:
        _ready.set()


def _start() -> None:
    global _thread
    with _start_lock:
        if _thread is None:
            _thread = threading.Thread(target=_warm_up, name="symxent-jit-warm-up", daemon=True)
            _thread.start()


def _wait() -> None:
    _start()
    _ready.wait()


_numpy_only = False  # set in a child forked while the warm-up ran (see _after_fork_in_child)


def _after_fork_in_child() -> None:
    """A process forked during the warm-up has no warm-up thread, and that thread may have held
    Numba's compiler lock at the fork: the child never compiles, the NumPy kernels answer there."""
    global _numpy_only
    if _thread is not None and not _ready.is_set():
        _numpy_only = True
        _ready.set()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def available() -> bool:
    """True when the compiled kernels are installed, enabled and pass the probe (waits for the
    background compilation, starting it if needed)."""
    if _disabled():
        return False
    _wait()
    return not _numpy_only and _core() is not None


def load(name: str) -> ModuleType | None:
    """The compiled kernel module ``symxent.kernels._jit_<name>``, or None (use NumPy).

    The module is compiled and checked once: its ``self_test()`` (when it has one) must return
    True; a module that fails to import, compile or pass is never handed out. Until the
    background compilation is done, None (the NumPy kernels answer meanwhile), unless
    ``SYMXENT_JIT=wait``."""
    if _disabled():
        return None
    if not _ready.is_set():
        if os.environ.get("SYMXENT_JIT", "").strip().lower() != "wait":
            _start()
            return None
        _wait()
    return _checked(name) if not _numpy_only and _core() is not None else None


@lru_cache(maxsize=None)
def _checked(name: str) -> ModuleType | None:
    try:
        module = importlib.import_module(f"symxent.kernels._jit_{name}")
        test = getattr(module, "self_test", None)
        return module if test is None or test() else None
    except Exception:  # noqa: BLE001 - an engine that cannot compile here: use NumPy
        return None


def engine() -> str:
    """``"numba"`` or ``"numpy"``: which kernels :func:`load` will hand out."""
    return "numba" if available() else "numpy"
