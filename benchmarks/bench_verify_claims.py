"""Benchmark: how long ``verify`` takes to decide each typed claim of tests/test_verify_lists.py.

Prints one line per claim (seconds, verdict, whether it is the expected one, the claim), then the
slowest and how many are over the 5 s target. The catalogue's inequalities are derived once
before the clock starts (every process pays that once; it is printed separately).

    python benchmarks/bench_verify_claims.py [--seconds 10] [--only TEXT]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="verify's time bound per claim (default 10)")
    parser.add_argument("--only", default="", help="only the claims whose text contains this")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from test_verify_lists import CLAIMS  # the table the tests check

    from symxent.derivation.verify import _inequalities, verify

    start = time.perf_counter()
    _inequalities()
    print(f"{time.perf_counter() - start:6.2f} s  (once per process: the catalogue's inequalities)")
    times = []
    for lhs, rhs, rel, where, expected in CLAIMS:
        claim = f"{lhs} {rel} {rhs}"
        if args.only not in claim:
            continue
        start = time.perf_counter()
        result = verify(lhs, rhs, where, rel, seconds=args.seconds)
        took = time.perf_counter() - start
        times.append((took, claim))
        mark = "ok" if result.status == expected else f"EXPECTED {expected}"
        print(f"{took:6.2f} s  {result.status:9}  {mark:4}  {claim}")
    if times:
        slowest = max(times)
        over = sum(t > TARGET for t, _ in times)
        print(f"\n{len(times)} claims; slowest {slowest[0]:.2f} s ({slowest[1]}); {over} over the {TARGET:g} s target; "
              f"median {sorted(t for t, _ in times)[len(times) // 2]:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
