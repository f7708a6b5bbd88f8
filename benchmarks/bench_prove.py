"""Benchmark: proving the whole catalogue against ``python -c "import sympy"``, measured in one run.

Prints the ratios (the issue asks for at most 10x) and the slowest identity. Each measurement
runs in a fresh interpreter (no warm caches); the best of ``--repeat`` runs is kept.

    python benchmarks/bench_prove.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, time
t0 = time.perf_counter()
from symxent.identities import catalogue
t1 = time.perf_counter()
each = {}
for ident in catalogue():
    s = time.perf_counter()
    d = ident.derive()
    assert d.proved, ident.name
    each[ident.name] = time.perf_counter() - s
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "prove": t2 - t1, "each": each}))
"""


def _wall(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    sympy_wall = min(_wall([sys.executable, "-c", "import sympy"])[0] for _ in range(repeat))
    runs = [_wall([sys.executable, "-c", CHILD]) for _ in range(repeat)]
    wall, out = min(runs, key=lambda r: r[0])
    inner = json.loads(out)
    slowest = max(inner["each"].items(), key=lambda kv: kv[1])
    print(f"python -c 'import sympy'            {sympy_wall:7.3f} s   (best of {repeat})")
    print(f"prove the catalogue, whole process   {wall:7.3f} s   ratio {wall / sympy_wall:5.2f}x  (limit 10x)")
    print(f"  of which import symxent            {inner['import']:7.3f} s")
    print(f"  of which proving 22 identities     {inner['prove']:7.3f} s   ratio {inner['prove'] / sympy_wall:5.2f}x")
    print(f"slowest identity                     {slowest[1]:7.3f} s   ({slowest[0]})")
    return 0 if wall / sympy_wall <= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
