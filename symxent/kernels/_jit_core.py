"""Compiled building blocks (Numba) shared by the compiled kernels; imported only through
:mod:`symxent.kernels.jit`, which checks them before any kernel uses them.

* :func:`fma`: LLVM's ``llvm.fma.f64``, a *fused* multiply-add (one rounding) on every target; on
  a CPU without the instruction LLVM calls the C library's ``fma``, slower but still fused.
* :func:`two_prod`, :func:`two_sum`, :func:`fast_two_sum`: the error-free transformations
  (``a * b = p + e`` exactly as long as nothing underflows, ``a + b = s + e`` exactly).
* :func:`extract`: one level of error-free extraction against a splitter (Rump, Ogita and Oishi),
  returning the extracted part as an integer number of units, so that a loop can add it up in
  int64 (integer reductions vectorise; floating-point ones do not without reassociation).
* A *superaccumulator* (after R. M. Neal, "Fast exact summation using small and large
  superaccumulators", 2015): 67 int64 chunks of 32 bits that hold any sum of doubles exactly.
  A double ``x = +-M 2**(E - 1075)`` (``M`` the 53-bit integer significand, ``E`` the biased
  exponent, at least 1) adds ``+-((M << (E mod 32)) mod 2**32)`` to chunk ``E div 32`` and
  ``+-(M >> (32 - E mod 32))`` (below ``2**52``) to the next one. After at most
  ``ADDS_PER_NORMALIZE`` additions, :func:`acc_normalize` moves every chunk's bits above 32 into
  the next chunk, so no chunk exceeds ``2**32 + 1024 * 2**52 < 2**63``: the int64 arithmetic
  never overflows and the represented value ``sum_k chunk_k 2**(32 k - 1075)`` is the exact sum.

Numba compiles without fast-math flags, so LLVM neither reassociates nor contracts ``a * b + c``
into an FMA behind the code's back: the error-free transformations stay error-free.
:mod:`symxent.kernels.jit` verifies this on probe values before the kernels are trusted.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

NCHUNK = 67
ADDS_PER_NORMALIZE = 1024
_MASK32 = (1 << 32) - 1
_FRAC = (1 << 52) - 1


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` with one rounding (``llvm.fma.f64``)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        dbl = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [dbl], ir.FunctionType(dbl, [dbl, dbl, dbl]))
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def f2i(typingctx, x):
    """The bits of a double as an int64."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def i2f(typingctx, x):
    """The double whose bits are the int64 ``x``."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@njit(inline="always")
def two_prod(a, b):
    p = a * b
    return p, fma(a, b, -p)


@njit(inline="always")
def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(inline="always")
def fast_two_sum(a, b):
    """Exact when ``|a| >= |b|`` (or ``a = 0``)."""
    s = a + b
    return s, b - (s - a)


@njit(inline="always")
def extract(v, sig, sig_bits):
    """Error-free extraction against the splitter ``sig = 1.5 * 2**52 * unit`` (``sig_bits`` its
    bit pattern): ``(q / unit, v - q)`` with ``q = fl(sig + v) - sig``, for ``|v| <= 2**50 unit``.
    Then ``fl(sig + v)`` lies in the binade of ``sig``, so ``q`` is exact (Sterbenz), a multiple of
    ``unit``, and ``q / unit`` is the difference of the two bit patterns; ``v - q`` is exact
    (FastTwoSum) and at most ``unit / 2``."""
    s = v + sig
    return f2i(s) - sig_bits, v - (s - sig)


@njit(inline="always")
def acc_add(chunks, x):
    """Add the finite double ``x`` to the superaccumulator ``chunks`` exactly."""
    bits = f2i(x)
    ex = (bits >> 52) & 0x7FF
    mant = bits & _FRAC
    normal = ex != 0
    mant |= normal << 52  # the implicit bit of a normal number
    ex += 1 - normal  # a subnormal (or zero) has the exponent of the smallest normal
    low = ex & 31
    c = ex >> 5
    lo = (mant << low) & _MASK32
    hi = mant >> (32 - low)
    sign = bits >> 63  # 0 or -1: (v ^ sign) - sign is v or -v, without a branch to mispredict
    chunks[c] += (lo ^ sign) - sign
    chunks[c + 1] += (hi ^ sign) - sign


@njit(inline="always")
def acc_normalize(chunks):
    """Carry every chunk's bits above 32 into the next (the value is unchanged)."""
    for k in range(NCHUNK - 1):
        carry = chunks[k] >> 32
        chunks[k] -= carry << 32
        chunks[k + 1] += carry


@njit(cache=True)
def acc_sum(x, chunks):
    """Add every entry of the float64 array ``x`` to ``chunks`` (used by the probe and tests)."""
    n = x.size
    for s in range(0, n, ADDS_PER_NORMALIZE):
        for i in range(s, min(n, s + ADDS_PER_NORMALIZE)):
            acc_add(chunks, x[i])
        acc_normalize(chunks)


@njit(cache=True)
def probe(a, b, c):
    """Per entry: ``fma(a, b, c)``, the two parts of ``two_prod(a, b)``, ``a * b``, ``a + b`` and
    the plain expression ``a * b + c`` (two roundings unless the compiler contracted it)."""
    n = a.size
    out = np.empty((6, n))
    for i in range(n):
        out[0, i] = fma(a[i], b[i], c[i])
        p, e = two_prod(a[i], b[i])
        out[1, i] = p
        out[2, i] = e
        out[3, i] = a[i] * b[i]
        out[4, i] = a[i] + b[i]
        out[5, i] = a[i] * b[i] + c[i]
    return out


def new_accumulator() -> np.ndarray:
    return np.zeros(NCHUNK, dtype=np.int64)


def accumulator_value(chunks: np.ndarray):
    """The exact value held by ``chunks`` as a Fraction."""
    from fractions import Fraction

    total = sum(int(v) << (32 * k) for k, v in enumerate(chunks.tolist()))
    return Fraction(total, 1 << 1075)
