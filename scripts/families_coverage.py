"""Print the README's coverage table of parametric-family KL pairs: every pair torch registers,
whether symxent derives it (and whether the derivation is proved), and the worst ULP error of
torch and TFP (NumPy substrate) in float64 and float32 on a fixed grid that includes extremes.

Run: ``.venv/bin/python scripts/families_coverage.py > /tmp/coverage.md`` (needs torch; TFP optional).
"""

from __future__ import annotations

import itertools
import math

from symxent.crosscheck.families_oracle import check_family
from symxent.families import registry
from symxent.families.catalogue import find
from symxent.families.derivations import kl_name

GRID = {  # a moderate point and the extremes of each family
    "Normal": [{"loc": "0", "scale": "1"}, {"loc": "1", "scale": "1e-200"}, {"loc": "0", "scale": "1e200"}],
    "Laplace": [{"loc": "0", "scale": "1"}, {"loc": "1", "scale": "1e-200"}],
    "Cauchy": [{"loc": "0", "scale": "1"}, {"loc": "1", "scale": "1e-200"}],
    "Gumbel": [{"loc": "0", "scale": "1"}, {"loc": "1", "scale": "1e-8"}],
    "LogNormal": [{"loc": "0", "scale": "1"}, {"loc": "1", "scale": "1e-200"}],
    "HalfNormal": [{"scale": "1"}, {"scale": "1e-200"}],
    "Exponential": [{"rate": "1"}, {"rate": "1e-200"}, {"rate": "1e200"}],
    "Gamma": [{"concentration": "2", "rate": "1"}, {"concentration": "1e-8", "rate": "1"},
              {"concentration": "1e8", "rate": "1e8"}],
    "Beta": [{"concentration1": "2", "concentration0": "3"}, {"concentration1": "1e-8", "concentration0": "1e8"}],
    "Uniform": [{"low": "0", "high": "1"}, {"low": "-1e-200", "high": "1e-200"}],
    "Pareto": [{"scale": "1", "alpha": "3"}, {"scale": "1e-8", "alpha": "1e8"}],
    "Bernoulli": [{"probs": "0.3"}, {"probs": "1e-300"}, {"probs": str(1 - 2**-53)}],
    "Binomial": [{"total_count": "10", "probs": "0.3"}, {"total_count": "10", "probs": "1e-300"}],
    "Geometric": [{"probs": "0.3"}, {"probs": "1e-300"}],
    "Poisson": [{"rate": "2"}, {"rate": "1e-200"}],
}


def torch_pairs() -> list[tuple[str, str]]:
    from torch.distributions.kl import _KL_REGISTRY

    return sorted({(p.__name__, q.__name__) for p, q in _KL_REGISTRY})


def worst(pair, lib) -> dict:
    out = {"float64": 0.0, "float32": 0.0}
    p_name, q_name = pair
    for pp, qq in itertools.product(GRID[p_name], GRID[q_name]):
        try:
            r = check_family("kl", p_name, pp, qq, libs=(lib,), digits=20, q_family=q_name)
        except Exception:
            continue
        for x in r.results:
            if x.verdict == "skipped":
                out[x.dtype] = math.nan
            elif x.verdict == "error":
                out[x.dtype] = math.inf if not math.isnan(out[x.dtype]) else out[x.dtype]
            elif x.ulps is not None and not math.isnan(out[x.dtype]):
                out[x.dtype] = max(out[x.dtype], abs(x.ulps))
    return out


def _cell(v: float) -> str:
    return "-" if math.isnan(v) else "inf" if math.isinf(v) else f"{v:.3g}"


def main() -> None:
    print("| torch pair | symxent | torch f64 | torch f32 | TFP f64 | TFP f32 |")
    print("|---|---|---|---|---|---|")
    classes = {c.__name__: c for c in registry.FAMILIES.values()}
    for pair in torch_pairs():
        p, q = (classes.get(n) for n in pair)
        if p is None or q is None or not registry.is_derived(p, q):
            print(f"| {pair[0]} ‖ {pair[1]} | not derived | | | | |")
            continue
        status = find(kl_name(p, q)).derive().status
        t, f = worst(pair, "torch"), worst(pair, "tfp")
        print(f"| {pair[0]} ‖ {pair[1]} | derived ({status}) | {_cell(t['float64'])} | {_cell(t['float32'])} | "
              f"{_cell(f['float64'])} | {_cell(f['float32'])} |")


if __name__ == "__main__":
    main()
