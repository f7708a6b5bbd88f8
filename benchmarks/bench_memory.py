"""Benchmark: peak memory of the out-of-core certified mean BCE, as a multiple of the chunk size.

Writes ``y`` (int8) and ``q`` (float64) as ``.npy`` shards of ``N`` rows in a temporary folder,
streams :func:`symxent.kernels.stream.stream_loss` over them with several ``chunk_rows``, and
prints, per run, the peak of the Python heap (``tracemalloc``: NumPy's buffers included), the
growth of the peak resident set (``ru_maxrss``, memory-mapped pages included), both divided by
the bytes of one chunk of ``q`` (``8 * chunk_rows``), and the rows per second.

    python benchmarks/bench_memory.py [--n 100000000] [--chunks 262144 1048576 4194304]

Each run is a fresh interpreter (so the peaks do not carry over).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time, tracemalloc
import numpy as np
from symxent.kernels.stream import stream_loss
from symxent.kernels.partial import partial_mean_bce
partial_mean_bce(np.array([1, 0]), np.array([0.5, 0.25]))  # tables built before the baseline
folder, chunk = sys.argv[1], int(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
tracemalloc.start()
t0 = time.perf_counter()
r = stream_loss("mean_bce", folder + "/y", folder + "/q", chunk_rows=chunk, progress=False)
dt = time.perf_counter() - t0
heap = tracemalloc.get_traced_memory()[1]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": dt, "heap": heap, "rss_growth": rss - base, "rss": rss,
                  "float64": r.float64, "digits": r.digits, "value": r.decimal(30)}))
"""


def write_shards(folder: Path, n: int, shard: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    (folder / "y").mkdir()
    (folder / "q").mkdir()
    for i, s in enumerate(range(0, n, shard)):
        m = min(shard, n - s)
        q = rng.random(m)
        np.save(folder / "q" / f"part-{i:04d}.npy", q)
        np.save(folder / "y" / f"part-{i:04d}.npy", (rng.random(m) < q).astype(np.int8))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=float, default=1e8)
    ap.add_argument("--shard", type=int, default=10_000_000, help="rows per shard file")
    ap.add_argument("--chunks", type=int, nargs="+", default=[1 << 18, 1 << 20, 1 << 22])
    args = ap.parse_args()
    n = int(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_shards(folder, n, args.shard)
        print(f"N = {n:,} rows in {-(-n // args.shard)} shards (y int8, q float64: {9 * n / 2**20:,.0f} MiB on disk)")
        print(f"{'chunk_rows':>11} {'chunk MiB':>9} {'heap MiB':>9} {'heap/chunk':>10} {'peak RSS MiB':>12} "
              f"{'before run':>10} {'rows/s':>11}  float64 (digits)")
        for chunk in args.chunks:
            out = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(chunk)], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout
            r = json.loads(out)
            cb = 8 * chunk
            print(f"{chunk:>11,} {cb / 2**20:>9.1f} {r['heap'] / 2**20:>9.1f} {r['heap'] / cb:>10.1f} "
                  f"{r['rss'] / 2**20:>12.1f} {(r['rss'] - r['rss_growth']) / 2**20:>10.1f} {n / r['seconds']:>11,.0f}  "
                  f"{r['float64']!r} ({r['digits']})")


if __name__ == "__main__":
    main()
