"""Print the README's coverage tables of the parametric families (Markdown).

1. Families: how each entropy is obtained (a derivation in ``derivations/`` and its status there, or a
   closed form), a certified value, and the worst ULP error of torch, TFP (NumPy substrate) and
   scipy.stats on a fixed grid of parameters that includes the extremes (``none``: the library has
   no such entropy; ``-``: not installed or not applicable).
2. KL pairs: every pair torch or TFP registers between the families symxent has, whether symxent
   derives it (and the status of its derivation), and the worst ULP error of each library.

Statuses are read from ``derivations/README.md`` (what ``symxent derive --all`` wrote), so the table
agrees with the folder. Run: ``.venv/bin/python scripts/families_coverage.py > /tmp/coverage.md``
(needs torch and tensorflow-probability for their columns; each is optional).
"""

from __future__ import annotations

import itertools
import math
import re
import signal
import sys
from pathlib import Path

from symxent import evaluate
from symxent.crosscheck.families_oracle import check_family
from symxent.families import registry
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
    "Poisson": [{"rate": "2"}, {"rate": "1e-200"}, {"rate": "1000"}],
    "Categorical": [{"probs": ["0.2", "0.3", "0.5"]}, {"probs": ["1e-300", "0.5", str(0.5 - 1e-300)]}],
    "Dirichlet": [{"concentration": ["1", "2", "3"]}, {"concentration": ["1e-8", "1", "1e8"]}],
    "MultivariateNormal": [{"loc": ["0", "0"], "covariance_matrix": [["2", "1"], ["1", "2"]]},
                           {"loc": ["0", "0"], "covariance_matrix": [["1e-200", "0"], ["0", "1"]]}],
}
LIBS = ("torch", "tfp", "scipy")
SECONDS = 15
"""A grid point whose check takes longer is left out, and its row is marked with a dagger."""


class _OutOfTime(Exception):
    pass


def _out_of_time(signum, frame):
    raise _OutOfTime
_TFP_ALIASES = {"MultivariateNormalLinearOperator": "MultivariateNormal"}


def statuses() -> dict[str, str]:
    """Derivation name -> status, from the index of ``derivations/``."""
    index = Path(__file__).resolve().parent.parent / "derivations" / "README.md"
    out = {}
    for line in index.read_text().splitlines():
        m = re.match(r"\| (\w+): .* \| (\w+) \| \[", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def torch_pairs() -> set[tuple[str, str]]:
    try:
        from torch.distributions.kl import _KL_REGISTRY
    except ImportError:
        return set()
    return {(p.__name__, q.__name__) for p, q in _KL_REGISTRY}


def tfp_pairs() -> set[tuple[str, str]]:
    try:
        from tensorflow_probability.substrates.numpy.distributions import kullback_leibler as kl
    except Exception:
        return set()
    return {(_TFP_ALIASES.get(p.__name__, p.__name__), _TFP_ALIASES.get(q.__name__, q.__name__))
            for p, q in kl._DIVERGENCES}


def worst(measure: str, p_name: str, q_name: str | None, lib: str) -> dict:
    """The worst |ULP error| per dtype over the grid; nan: not available, inf: an error or a wrong inf."""
    out: dict = {"float64": None, "float32": None}
    qs = GRID[q_name] if q_name else [None]
    for pp, qq in itertools.product(GRID[p_name], qs):
        signal.signal(signal.SIGALRM, _out_of_time)
        signal.alarm(SECONDS)
        try:
            r = check_family(measure, p_name, pp, qq, libs=(lib,), digits=17, q_family=q_name)
        except _OutOfTime:
            out["late"] = True
            continue
        except Exception:
            continue
        finally:
            signal.alarm(0)
        for x in r.results:
            if x.verdict in ("skipped", "input"):
                continue
            if x.verdict == "error":
                out[x.dtype] = "none" if "has no" in x.why else math.inf if out[x.dtype] != "none" else "none"
                continue
            if isinstance(out[x.dtype], str):
                continue
            u = abs(x.ulps) if x.ulps is not None else math.inf
            out[x.dtype] = u if out[x.dtype] is None else max(out[x.dtype], u)
    return out


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return "inf" if math.isinf(v) else f"{v:.3g}"


def _lib_cells(measure, p, q, libs) -> str:
    cells = []
    for lib in libs:
        w = worst(measure, p, q, lib)
        mark = " †" if w.get("late") else ""
        cells += [_cell(w["float64"]) + mark, _cell(w["float32"]) + mark]
    return " | ".join(cells)


def families_table(st: dict) -> None:
    print("| family | entropy | status | certified H at the first grid point | torch f64 | torch f32 | TFP f64 | "
          "TFP f32 | scipy f64 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, cls in registry.FAMILIES.items():
        cname = cls.__name__
        if cls in registry.ENTROPIES:
            how, status = f"derived (`entropy_{name}`)", st.get(f"entropy_{name}", "?")
        elif cname == "Categorical":
            how, status = "finite sum (`symxent.measures`)", "exact"
        else:
            how, status = "closed form (`families/closed.py`)", "not derived step by step"
        P = registry.family(cname, **GRID[cname][0])
        value = str(evaluate(P.entropy(), 20))
        libs = _lib_cells("entropy", cname, None, LIBS)
        libs = libs.rsplit(" | ", 1)[0]  # scipy: float64 only
        print(f"| {cname} | {how} | {status} | {value} | {libs} |")


def pairs_table(st: dict) -> None:
    classes = {c.__name__: c for c in registry.FAMILIES.values()}
    t, f = torch_pairs(), tfp_pairs()
    pairs = sorted(p for p in t | f if p[0] in classes and p[1] in classes)
    print("| pair | registered by | symxent | torch f64 | torch f32 | TFP f64 | TFP f32 |")
    print("|---|---|---|---|---|---|---|")
    for pair in pairs:
        p, q = classes[pair[0]], classes[pair[1]]
        by = "+".join(n for n, s in (("torch", t), ("TFP", f)) if pair in s)
        if registry.is_derived(p, q):
            name = kl_name(p, q)
            how = f"derived, {st.get(name, '?')} (`{name}`)"
        elif pair[0] == pair[1] and pair[0] in ("Categorical", "Dirichlet", "MultivariateNormal"):
            how = "finite sum" if pair[0] == "Categorical" else "closed form"
        else:
            how = "not derived"
        cells = _lib_cells("kl", pair[0], pair[1], ("torch", "tfp")) if how != "not derived" else "| | |"
        print(f"| {pair[0]} ‖ {pair[1]} | {by} | {how} | {cells} |")
    others = sorted(p for p in t | f if p not in pairs)
    print()
    print(f"Pairs registered between families symxent does not have ({len(others)}): "
          + ", ".join(f"{a}‖{b}" for a, b in others) + ".")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each row kept if the run is stopped
    st = statuses()
    which = sys.argv[1:] or ["families", "pairs"]
    if "families" in which:
        families_table(st)
        print()
    if "pairs" in which:
        pairs_table(st)


if __name__ == "__main__":
    main()
