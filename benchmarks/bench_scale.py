"""Benchmark: certified mean BCE through Dask against Dask's own float64, at scale.

For each ``N`` (default 10**7): ``y`` (hard labels) and ``q`` as Dask arrays of ``--partitions``
chunks, on the threaded scheduler of this machine; times ``symxent.dask.mean_bce`` and Dask's
``(-(y*log(q) + (1-y)*log1p(-q))).mean()`` on the same arrays and partitioning (best of
``--repeat``), prints the ratio, the certified digits, and the float64 results of Dask's own
expression with 1, 2, 8 and 64 partitions beside the single certified value (the float answer
moves with the partitioning; the certified one cannot). It also prints the size of one partial
(pickled and as JSON) and the certified rows per second per core.

    python benchmarks/bench_scale.py [--n 1e7 1e8] [--partitions 8] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import pickle
import time

import numpy as np


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def run(n: int, partitions: int, repeat: int) -> None:
    import dask.array as da
    from symxent import dask as sd
    from symxent.kernels import partial as P

    rng = np.random.default_rng(n)
    q_np = rng.random(n)
    y_np = (rng.random(n) < q_np).astype(np.float64)
    chunk = -(-n // partitions)
    y, q = da.from_array(y_np, chunks=chunk), da.from_array(q_np, chunks=chunk)
    y, q = y.persist(scheduler="threads"), q.persist(scheduler="threads")  # both timed from memory

    def floats(yy, qq):
        return (-(yy * da.log(qq) + (1 - yy) * da.log1p(-qq))).mean()

    sd.mean_bce(y[:1000], q[:1000], scheduler="threads")  # tables built outside the timing
    t_float, f = _best(lambda: float(floats(y, q).compute(scheduler="threads")), repeat)
    t_cert, r = _best(lambda: sd.mean_bce(y, q, scheduler="threads"), repeat)
    cores = os.cpu_count() or 1
    print(f"N = {n:,}, {partitions} partitions, threaded scheduler, {cores} cores")
    print(f"  Dask float64 expression: {t_float:8.3f} s")
    print(f"  symxent.dask.mean_bce:   {t_cert:8.3f} s   ratio {t_cert / t_float:.2f}x   "
          f"{r.digits} certified digits   {n / t_cert / cores:,.0f} rows/s per core")
    print(f"  certified value: {r.decimal(min(r.digits, 40))}")
    print(f"  correctly rounded float64: {r.float64!r}")
    for parts in (1, 2, 8, 64):
        c = -(-n // parts)
        v = float(floats(da.from_array(y_np, chunks=c), da.from_array(q_np, chunks=c)).compute(scheduler="threads"))
        ulps = (v - r.float64) / np.spacing(r.float64)
        print(f"  Dask float64, {parts:>2} partitions: {v!r:>22}   {ulps:+.0f} ulp from the certified float64")
    whole = P.partial_mean_bce(y_np[:chunk], q_np[:chunk])
    print(f"  one partial: {len(pickle.dumps(whole))} bytes pickled, {len(P.to_json(whole))} bytes as JSON")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=float, nargs="+", default=[1e7])
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    for n in args.n:
        run(int(n), args.partitions, args.repeat)


if __name__ == "__main__":
    main()
