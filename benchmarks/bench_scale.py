"""Benchmark: certified mean BCE through Dask against Dask's own float64, at scale.

For each ``N`` (default 10**7): ``y`` (hard labels) and ``q`` as Dask arrays of ``--partitions``
chunks, on the threaded scheduler of this machine; times ``symxent.dask.mean_bce`` and Dask's
``(-(y*log(q) + (1-y)*log1p(-q))).mean()`` on the same arrays and partitioning (best of
``--repeat``), prints the ratio, the certified digits, and the float64 results of Dask's own
expression with 1, 2, 8 and 64 partitions beside the single certified value (the float answer
moves with the partitioning; the certified one cannot). It also prints the size of one partial
(pickled and as JSON) and the certified rows per second per core.

    python benchmarks/bench_scale.py [--n 1e7 1e8] [--partitions 8] [--repeat 2] [--cluster]

``--cluster`` runs both on a real ``dask.distributed.LocalCluster`` (2 worker processes, one
thread each): the arrays are generated on the workers and persisted there (both timed from the
workers' memory, nothing shipped from the client), the compiled chunk step is warmed up on every
worker first (:func:`symxent.dask.warm_up`), and the float64 and certified runs alternate
``--repeat`` times (best of each), so a burst of load from other jobs hits both alike. It prints
the load average before and after (``os.getloadavg``), and the ratio certified / float64;
``--others`` adds entropy, KL and the KL log ratio against Dask's float64 ``-(p*log(p)).sum()``
and ``(p*log(p/r)).sum()``.
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


def run_cluster(n: int, partitions: int, repeat: int, workers: int, others: bool = False) -> None:
    import dask.array as da
    import distributed
    from symxent import dask as sd
    from symxent.kernels import partial as P

    load0 = os.getloadavg()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        engines = sd.warm_up(client)
        chunk = -(-n // partitions)
        rs = da.random.RandomState(n)
        q = rs.random_sample(n, chunks=chunk)
        y = (rs.random_sample(n, chunks=chunk) < q).astype(np.float64)
        y, q = client.persist([y, q])
        distributed.wait([y, q])

        def floats(yy, qq):
            return (-(yy * da.log(qq) + (1 - yy) * da.log1p(-qq))).mean()

        float(floats(y[:1000], q[:1000]).compute())
        sd.mean_bce(y[:1000], q[:1000])  # tables built on the workers outside the timing
        t_float = t_cert = float("inf")
        r = None
        for _ in range(repeat):  # alternate: a burst of load from other jobs hits both alike
            t = time.perf_counter()
            f = float(floats(y, q).compute())
            t_float = min(t_float, time.perf_counter() - t)
            t = time.perf_counter()
            r = sd.mean_bce(y, q)
            t_cert = min(t_cert, time.perf_counter() - t)
        load1 = os.getloadavg()
        print(f"N = {n:,}, {partitions} partitions, LocalCluster: {workers} worker processes x 1 thread, "
              f"engines {sorted(set(engines.values()))}, best of {repeat}")
        print(f"  load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
              f"after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} ({os.cpu_count()} cores)")
        print(f"  Dask float64 expression: {t_float:8.3f} s   {f!r}")
        print(f"  symxent.dask.mean_bce:   {t_cert:8.3f} s   ratio certified/float64 = {t_cert / t_float:.2f}x   "
              f"{r.digits} certified digits   {n / t_cert / workers:,.0f} rows/s per worker")
        print(f"  certified value: {r.decimal(min(r.digits, 40))}")
        print(f"  correctly rounded float64: {r.float64!r}")
        for parts in (1, 2, 8, 64):
            c = -(-n // parts)
            v = float(floats(y.rechunk(c), q.rechunk(c)).compute())
            ulps = (v - r.float64) / np.spacing(r.float64)
            print(f"  Dask float64, {parts:>2} partitions: {v!r:>22}   {ulps:+.0f} ulp from the certified float64")
        part = sd.partial("mean_bce", y, q).compute()
        print(f"  the merged partial: {len(pickle.dumps(part))} bytes pickled, {len(P.to_json(part))} bytes as JSON")
        if others:
            p = q / n  # weights of the weighted sums (not normalised: the timing is what counts)
            r = y * 0.5 / n + p * 0.5
            near = p * (1 + 2.0**-20 * (y - 0.5))  # nearly p: the log ratio's close elements
            p, r, near = client.persist([p, r, near])
            distributed.wait([p, r, near])
            cases = [("entropy", lambda: (-(p * da.log(p))).sum(), lambda: sd.entropy(p)),
                     ("kl_divergence", lambda: (p * da.log(p / r)).sum(), lambda: sd.kl_divergence(p, r)),
                     ("kl_log_ratio", lambda: (p * da.log(p / r)).sum(), lambda: sd.kl_log_ratio(p, r)),
                     ("kl_log_ratio (p, q near-equal)", lambda: (p * da.log(p / near)).sum(),
                      lambda: sd.kl_log_ratio(p, near))]
            for name, flt, cert in cases:
                tf = tc = float("inf")
                for _ in range(repeat):
                    t = time.perf_counter()
                    float(flt().compute())
                    tf = min(tf, time.perf_counter() - t)
                    t = time.perf_counter()
                    res = cert()
                    tc = min(tc, time.perf_counter() - t)
                print(f"  {name}: float64 {tf:.3f} s, certified {tc:.3f} s, ratio {tc / tf:.2f}x, "
                      f"{res.digits} digits")
            load2 = os.getloadavg()
            print(f"  load average after the weighted sums {load2[0]:.2f} {load2[1]:.2f} {load2[2]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=float, nargs="+", default=[1e7])
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--cluster", action="store_true", help="on a LocalCluster of worker processes")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--others", action="store_true", help="with --cluster: also entropy, KL and the KL log ratio")
    args = ap.parse_args()
    for n in args.n:
        if args.cluster:
            run_cluster(int(n), args.partitions, args.repeat, args.workers, args.others)
        else:
            run(int(n), args.partitions, args.repeat)


if __name__ == "__main__":
    main()
