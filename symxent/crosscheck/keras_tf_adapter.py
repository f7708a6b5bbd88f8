"""Keras 3 on the TensorFlow backend, called for real in a worker process.

Keras fixes its backend once per process (``KERAS_BACKEND``, read at the first import), and the
``keras`` adapter runs on torch. This adapter starts one worker process with
``KERAS_BACKEND=tensorflow`` (spawned on first use, reused for every later call, shut down at
exit), runs the same loss objects and functions there, and brings back their outputs. The exact
terms follow the TensorFlow backend's own conventions, which differ from torch's: binary
cross-entropy forms ``log(1 - q)`` from ``1 - q`` rounded to the dtype (torch's uses an exact
complement), and sparse categorical cross-entropy from probabilities clips ``q`` *before*
dividing each row by its sum (as ``log_softmax`` of ``log q``).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np

from .base import Case
from .problem import Problem

__all__ = ["NAME", "available", "version", "cases"]

NAME = "keras_tf"
_POOL: ProcessPoolExecutor | None = None
_VERSION: str | None = None


def available() -> bool:
    """TensorFlow and Keras are installed (neither is imported in this process)."""
    return all(importlib.util.find_spec(m) is not None for m in ("tensorflow", "keras"))


def _init_worker() -> None:
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def _pool() -> ProcessPoolExecutor:
    global _POOL
    if _POOL is None:
        import multiprocessing
        _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_init_worker)
        atexit.register(_POOL.shutdown, wait=False, cancel_futures=True)
    return _POOL


def _worker_version() -> str:
    import keras
    import tensorflow as tf
    return f"{keras.__version__} (backend {keras.backend.backend()}, TensorFlow {tf.__version__})"


def _worker_call(p: Problem, index: int, function: str) -> Any:
    """In the worker: build the Keras cases on its TensorFlow backend, run one, return NumPy."""
    import keras
    from . import keras_adapter
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(f"the worker runs Keras on {keras.backend.backend()!r}, not tensorflow")
    case = keras_adapter.cases(p)[index]
    if case.function != function:
        raise RuntimeError(f"the worker built {case.function!r} where {function!r} was expected")
    out = case.call()
    if keras.backend.standardize_dtype(out.dtype) == "bfloat16":  # TensorFlow's bfloat16 has no __array__
        import ml_dtypes
        return np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(out, "float32"))).astype(ml_dtypes.bfloat16)
    return np.asarray(keras.ops.convert_to_numpy(out))


def version() -> str:
    global _VERSION
    if _VERSION is None:
        _VERSION = _pool().submit(_worker_version).result()
    return _VERSION


def _remote(p: Problem, index: int, function: str):
    def call():
        return _pool().submit(_worker_call, p, index, function).result()
    return call


def cases(p: Problem) -> list[Case]:
    """The Keras adapter's calls with TensorFlow's conventions, each run in the worker."""
    from . import keras_adapter
    built = keras_adapter.cases(p, backend="tensorflow")
    v = version()
    return [replace(c, library=NAME, version=v, call=_remote(p, i, c.function)) for i, c in enumerate(built)]
