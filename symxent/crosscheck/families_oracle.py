"""The oracle for parametric families: torch.distributions' and TFP's (on its NumPy substrate, no
TensorFlow needed) ``kl_divergence`` and ``.entropy()`` against the certified value of the derived
closed form, in float32 and float64, with the ULP error and why.

Each library receives the parameters rounded once to its dtype; the exact value is computed at those
rounded (binary) parameters, so the ULP error measures the library's formula, not the input rounding.
Each library is imported inside the call; without it the result says "not installed".

>>> r = check_family("kl", "normal", {"loc": "0", "scale": "1"}, {"loc": "1", "scale": "1"}, libs=())
>>> r.exact
'0.500000000000000000000000000000'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from ..errors import UnsupportedError, shown
from ..exact import evaluate
from ..exact.rounding import FORMATS
from .report import ulps as _ulps

__all__ = ["FamilyResult", "FamilyReport", "check_family", "MEASURES", "ROUNDING_ULPS"]

MEASURES = ("kl", "entropy", "cross-entropy")
ROUNDING_ULPS = 16
_DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class FamilyResult:
    library: str
    dtype: str
    value: float | None
    exact: str
    ulps: float | None
    verdict: str
    why: str


@dataclass
class FamilyReport:
    measure: str
    family: str
    p: dict
    q: dict | None
    exact: str
    results: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"measure": self.measure, "family": self.family, "p": {k: str(v) for k, v in self.p.items()},
                "q": None if self.q is None else {k: str(v) for k, v in self.q.items()}, "exact": self.exact,
                "results": [r.__dict__ for r in self.results]}


def _exact_value(measure: str, P, Q) -> sp.Expr:
    from ..families import cross_entropy, entropy, kl_divergence

    if measure == "kl":
        return kl_divergence(P, Q)
    if measure == "entropy":
        return entropy(P)
    return cross_entropy(P, Q)


def _rounded(params: dict, dtype: str) -> dict:
    """Each parameter rounded once, to nearest, to ``dtype`` (lists entry by entry)."""
    from ..exact.rounding import round_binary
    from ..inputs import as_fraction

    def one(v):
        if isinstance(v, (tuple, list)):
            return [one(e) for e in v]
        if isinstance(v, sp.MatrixBase):
            return [[one(e) for e in v.row(i)] for i in range(v.rows)]
        r = round_binary(as_fraction(v), FORMATS[dtype])
        if isinstance(r, float) and not math.isfinite(r):
            raise OverflowError(f"{v} overflows")
        return sp.Rational(Fraction(r))
    return {k: one(v) for k, v in params.items()}


def check_family(measure: str, name: str, p_params: dict, q_params: dict | None = None, *,
                 libs: tuple = ("torch", "tfp"), digits: int = 30, q_family: str | None = None) -> FamilyReport:
    """Compare each library's KL / entropy / cross-entropy of a family with the certified value."""
    from ..families import family

    if measure not in MEASURES:
        raise UnsupportedError(f"measure={shown(measure)} must be one of {', '.join(MEASURES)} for --family")
    P = family(name, **p_params)
    Q = family(q_family or name, **q_params) if q_params is not None else None
    if measure != "entropy" and Q is None:
        raise UnsupportedError(f"{measure} needs the parameters of Q")
    exact = _certified(_exact_value(measure, P, Q), digits)
    report = FamilyReport(measure, P.name, P.params, None if Q is None else Q.params, exact)
    for lib in libs:
        for dtype in _DTYPES:
            report.results.append(_library(lib, measure, P, Q, dtype, digits))
    return report


def _certified(value: sp.Expr, digits: int) -> str:
    try:
        return str(evaluate(value, digits))
    except Exception as err:  # a value without a closed form (an infinite series)
        return f"not evaluated ({type(err).__name__})"


def _library(lib: str, measure: str, P, Q, dtype: str, digits: int) -> FamilyResult:
    if lib not in _VALUE:
        return FamilyResult(lib, dtype, None, "", None, "skipped", f"no family adapter for {lib}")
    try:
        _import(lib)
    except Exception:  # ImportError, or TFP's NotImplementedError when scipy is missing
        return FamilyResult(lib, dtype, None, "", None, "skipped", f"{lib} is not installed (for tfp: "
                            "tensorflow-probability and scipy)")
    try:
        Pr, Qr = _at_dtype(P, dtype), None if Q is None else _at_dtype(Q, dtype)
    except (ValueError, OverflowError, ZeroDivisionError) as err:
        return FamilyResult(lib, dtype, None, "", None, "input", f"a parameter is not representable in {dtype} "
                            f"(it rounds to 0 or overflows): {str(err)[:100]}")
    exact_value = _exact_value(measure, Pr, Qr)
    if lib == "scipy" and (measure != "entropy" or dtype != "float64"):
        return FamilyResult(lib, dtype, None, "", None, "skipped", "scipy.stats has entropies only, computed in "
                            "float64")
    try:
        got = _VALUE[lib](measure, Pr, Qr, dtype)
    except NotImplementedError as err:
        return FamilyResult(lib, dtype, None, "", None, "error", f"NotImplementedError: {lib} has no {measure} for "
                            f"{_pair(P, Q, measure)} {str(err)[:80]}".rstrip())
    except Exception as err:  # a ValueError of a constraint
        return FamilyResult(lib, dtype, None, "", None, "error", f"{type(err).__name__}: {str(err)[:120]}")
    got, got_dtype = got if isinstance(got, tuple) else (got, dtype)
    if exact_value == sp.oo:
        ok = got == math.inf
        return FamilyResult(lib, dtype, got, "inf", 0.0 if ok else math.inf, "exact" if ok else "semantics",
                            "the support of P is not inside that of Q" + ("" if ok else "; the library returns a "
                                                                         "finite value"))
    cert = evaluate(exact_value, digits, formats=(dtype,))
    target = cert.lower if cert.is_exact else Fraction(cert.floats[dtype])
    ulp_err = _ulps(got, Fraction(cert.floats[dtype]), dtype) if math.isfinite(got) else math.inf
    verdict, why = _explain(got, cert, ulp_err, P, Q, dtype)
    if got_dtype != dtype and verdict not in ("exact", "rounding"):
        verdict, why = "dtype", f"{ulp_err:+.3g} ulps: the library returns {got_dtype} for {dtype} parameters " \
                                "(it computes in the lower precision)"
    del target
    return FamilyResult(lib, dtype, got, str(cert), ulp_err, verdict, why)


def _pair(P, Q, measure: str) -> str:
    return P.name if measure == "entropy" or Q is None else f"{P.name} || {Q.name}"


def _at_dtype(f, dtype: str):
    """The family at its parameters rounded to ``dtype`` (what the library receives); rounded Categorical
    probabilities that no longer sum to 1 are divided by their sum, as torch and TFP normalise them."""
    params = _rounded(f.params, dtype)
    if f.name == "Categorical":
        total = sum(params["probs"])
        params["probs"] = [p / total for p in params["probs"]]
    return type(f)(*params.values()) if _listy(f) else type(f)(**params)


def _listy(f) -> bool:
    return f.name in ("Categorical", "Dirichlet", "MultivariateNormal")


def _torch_value(measure: str, P, Q, dtype: str) -> float | tuple[float, str]:
    import torch
    from torch import distributions as td

    tdtype = getattr(torch, dtype)

    def build(f):
        cls = getattr(td, f.name)
        kwargs = {}
        for k, v in f.params.items():
            if isinstance(v, sp.MatrixBase):
                v = [[float(e) for e in v.row(i)] for i in range(v.rows)]
            elif isinstance(v, tuple):
                v = [float(e) for e in v]
            else:
                v = float(v)
            kwargs[k] = torch.tensor(v, dtype=tdtype)
        return cls(validate_args=False, **kwargs)

    p = build(P)
    if measure == "entropy":
        e = p.entropy()
        return float(e), str(e.dtype).replace("torch.", "")
    kl = float(td.kl_divergence(p, build(Q)))
    return kl if measure == "kl" else float(p.entropy()) + kl


_TFP_NAMES = {"Pareto": {"alpha": "concentration"}}


def _import(lib: str):
    if lib == "torch":
        import torch

        return torch
    if lib == "scipy":
        import scipy.stats

        return scipy.stats
    from tensorflow_probability.substrates import numpy as tfp

    tfp.distributions.Normal(0.0, 1.0).entropy()  # fails here when its scipy backend is missing
    return tfp


def _tfp_value(measure: str, P, Q, dtype: str) -> float | tuple[float, str]:
    import numpy as np
    from tensorflow_probability.substrates import numpy as tfp

    tfd = tfp.distributions
    npd = getattr(np, dtype)

    def build(f):
        kwargs = {}
        for k, v in f.params.items():
            if isinstance(v, sp.MatrixBase):
                v = np.array([[float(e) for e in v.row(i)] for i in range(v.rows)], dtype=npd)
            elif isinstance(v, tuple):
                v = np.array([float(e) for e in v], dtype=npd)
            else:
                v = npd(float(v))
            kwargs[_TFP_NAMES.get(f.name, {}).get(k, k)] = v
        if f.name == "MultivariateNormal":
            return tfd.MultivariateNormalTriL(kwargs["loc"], np.linalg.cholesky(kwargs["covariance_matrix"]))
        return getattr(tfd, f.name)(validate_args=False, **kwargs)

    p = build(P)
    if measure == "entropy":
        e = np.asarray(p.entropy())
        return float(e), str(e.dtype)
    kl = np.asarray(tfd.kl_divergence(p, build(Q)))
    if measure == "kl":
        return float(kl), str(kl.dtype)
    return float(p.entropy()) + float(kl)


def _scipy_value(measure: str, P, Q, dtype: str) -> float | tuple[float, str]:
    """``scipy.stats``' entropy of the family (float64; scipy has no KL between distributions)."""
    import numpy as np
    from scipy import stats

    v = {k: (np.array([[float(e) for e in m.row(i)] for i in range(m.rows)]) if isinstance(m, sp.MatrixBase)
             else np.array([float(e) for e in m]) if isinstance(m, tuple) else float(m))
         for k, m in P.params.items()}
    make = {
        "Normal": lambda: stats.norm(v["loc"], v["scale"]), "Exponential": lambda: stats.expon(scale=1 / v["rate"]),
        "Gamma": lambda: stats.gamma(v["concentration"], scale=1 / v["rate"]),
        "Beta": lambda: stats.beta(v["concentration1"], v["concentration0"]),
        "Laplace": lambda: stats.laplace(v["loc"], v["scale"]),
        "Uniform": lambda: stats.uniform(v["low"], v["high"] - v["low"]),
        "LogNormal": lambda: stats.lognorm(v["scale"], scale=np.exp(v["loc"])),
        "Gumbel": lambda: stats.gumbel_r(v["loc"], v["scale"]), "HalfNormal": lambda: stats.halfnorm(scale=v["scale"]),
        "Cauchy": lambda: stats.cauchy(v["loc"], v["scale"]), "Pareto": lambda: stats.pareto(v["alpha"], scale=v["scale"]),
        "Bernoulli": lambda: stats.bernoulli(v["probs"]), "Binomial": lambda: stats.binom(int(v["total_count"]), v["probs"]),
        "Geometric": lambda: stats.geom(v["probs"], loc=-1),  # scipy counts trials, torch failures
        "Poisson": lambda: stats.poisson(v["rate"]), "Dirichlet": lambda: stats.dirichlet(v["concentration"]),
        "MultivariateNormal": lambda: stats.multivariate_normal(v["loc"], v["covariance_matrix"]),
        "Categorical": lambda: stats.multinomial(1, v["probs"])}
    if P.name not in make:
        raise NotImplementedError
    return float(make[P.name]().entropy())


_VALUE = {"torch": _torch_value, "tfp": _tfp_value, "scipy": _scipy_value}


def _explain(got: float, cert, err: float, P, Q, dtype: str) -> tuple[str, str]:
    exact = float(cert.floats[dtype])
    if got == exact:
        return "exact", "correctly rounded"
    if math.isinf(got) and math.isfinite(exact):
        if Q is not None and P.name == Q.name and "scale" in P.params:
            return "overflow", "+inf where the true value is finite: the squared scale ratio overflows " \
                               f"({dtype} max {float(FORMATS[dtype].max_value):.3g})"
        return "semantics", "+inf where the true value is finite (a support stub or an overflow)"
    if math.isnan(got):
        return "overflow", "nan: an intermediate overflowed or divided 0 by 0"
    if abs(err) <= ROUNDING_ULPS:
        return "rounding", f"{err:+.3g} ulps: rounding in the library's formula"
    probs = [v for k, v in list(P.params.items()) + list((Q.params if Q else {}).items()) if k == "probs"]
    tiny = 2.0 ** (1 - FORMATS[dtype].precision)  # torch's finfo(dtype).eps
    flat = [e for v in probs for e in (v if isinstance(v, tuple) else (v,))]
    if any(0 < e < tiny or 0 < 1 - e < tiny for e in flat):
        return "clamping", f"{err:+.3g} ulps: probabilities clamped to [eps, 1 - eps] (eps = {tiny:.3g})"
    return "precision", f"{err:+.3g} ulps: precision lost in the library's {dtype} formula (cancellation: log s2 - log s1, log(1 - q), digamma differences)"
