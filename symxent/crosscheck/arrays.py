"""Arrays read at the exact binary values a library received.

NumPy arrays, torch tensors, JAX arrays and Python lists become float64 NumPy arrays holding
the same numbers exactly (float32, float16 and bfloat16 widen to float64 without rounding),
together with the name of the format they were read from, so a report can say which reading
it used. Nothing is ever rounded here; a dtype wider than float64 is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidNumberError, UnsupportedError

__all__ = ["ExactArray", "read_array", "cast_exactly", "READINGS"]

READINGS = ("float64", "float32", "float16", "bfloat16")


@dataclass(frozen=True)
class ExactArray:
    """Exact values (float64, widened without rounding) and the format they were read from.

    >>> a = read_array(np.array([0.1], dtype=np.float32))
    >>> a.dtype, bool(a.values[0] == float(np.float32(0.1))), a.reading
    ('float32', True, 'exact binary values of float32 inputs')
    """

    values: np.ndarray
    dtype: str

    @property
    def reading(self) -> str:
        return f"exact binary values of {self.dtype} inputs"


def _dtype_name(dtype: Any) -> str:
    name = str(dtype).replace("torch.", "")
    return name


def read_array(a: Any, name: str = "array", *, dtype: str | None = None) -> ExactArray:
    """Read ``a`` exactly. A list is rounded once to ``dtype`` (default float64), as a library
    receiving it would; an array or tensor keeps its own dtype (``dtype`` must then match).

    >>> read_array([0.5, 0.25]).values.tolist()
    [0.5, 0.25]
    >>> read_array([0.1], dtype="float32").values[0]
    np.float64(0.10000000149011612)
    """
    source = _dtype_name(getattr(a, "dtype", "")) if hasattr(a, "dtype") else ""
    if source and source not in READINGS and not source.startswith(("int", "uint", "bool")):
        raise UnsupportedError(f"{name} has dtype={source!r}; symxent reads {', '.join(READINGS)} exactly")
    if source in READINGS:
        if dtype is not None and dtype != source:
            raise UnsupportedError(f"{name} has dtype={source!r} but dtype={dtype!r} was asked for")
        return ExactArray(_to_float64(a, source), source)
    values = np.asarray(a if not source else _to_numpy(a), dtype=np.float64)
    return cast_exactly(values, dtype or "float64", name)


def cast_exactly(values: np.ndarray, dtype: str, name: str = "array") -> ExactArray:
    """Round float64 values once to ``dtype`` (as a library casting them would) and keep them exact."""
    if dtype not in READINGS:
        raise UnsupportedError(f"dtype={dtype!r} is not one of {', '.join(READINGS)}")
    values = np.asarray(values, dtype=np.float64)
    cast = values.astype(numpy_dtype(dtype)).astype(np.float64)
    bad = np.isinf(cast) & ~np.isinf(values)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise InvalidNumberError(f"{name}[{i}]={float(values.ravel()[i])!r} overflows {dtype}")
    return ExactArray(cast, dtype)


def numpy_dtype(dtype: str) -> Any:
    """The NumPy dtype of a format name (bfloat16 from ml_dtypes)."""
    if dtype == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:  # pragma: no cover - ml_dtypes comes with jax and keras
            raise UnsupportedError("dtype='bfloat16' needs the ml_dtypes package") from None
        return ml_dtypes.bfloat16
    return np.dtype(dtype)


def _to_numpy(a: Any) -> np.ndarray:
    if type(a).__module__.startswith("torch"):
        t = a.detach().cpu()
        if str(t.dtype) == "torch.bfloat16":
            t = t.float()  # bfloat16 -> float32 is exact
        return t.numpy()
    return np.asarray(a)


def _to_float64(a: Any, source: str) -> np.ndarray:
    return np.asarray(_to_numpy(a)).astype(np.float64)  # widening is exact
