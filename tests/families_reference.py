"""Independent references for the family tests: densities written in mpmath, integrated or summed.

Nothing here uses the families' SymPy densities or the derivations: each density is typed from
its textbook definition, in mpmath, and the KL divergence and entropy come from ``mpmath.quad``
over the support (split where the densities have kinks) or from sums with a bounded tail.
"""

from __future__ import annotations

import mpmath
import sympy as sp

DPS = 40


def mpf(v) -> mpmath.mpf:
    v = sp.Rational(v)
    return mpmath.mpf(int(v.p)) / int(v.q)


def density(f):
    """``(log_density(x), support, kinks, discrete)`` for a family instance, in mpmath."""
    n = f.name
    pr = {k: mpf(v) for k, v in f.params.items()}
    lg, ex, log, pi = mpmath.loggamma, mpmath.exp, mpmath.log, mpmath.pi
    inf = mpmath.inf
    if n == "Normal":
        m, s = pr["loc"], pr["scale"]
        return (lambda x: -(x - m) ** 2 / (2 * s**2) - log(s) - log(2 * pi) / 2), (-inf, inf), [m], False
    if n == "Laplace":
        m, s = pr["loc"], pr["scale"]
        return (lambda x: -abs(x - m) / s - log(2 * s)), (-inf, inf), [m], False
    if n == "Cauchy":
        m, s = pr["loc"], pr["scale"]
        return (lambda x: log(s / pi) - log(s**2 + (x - m) ** 2)), (-inf, inf), [m], False
    if n == "Gumbel":
        m, s = pr["loc"], pr["scale"]
        # the left tail is doubly exponential: beyond m - 6 s the density is below e^-390
        return (lambda x: -(x - m) / s - ex(-(x - m) / s) - log(s)), (-inf, inf), [m, m - 6 * s, m + 40 * s], False
    if n == "Exponential":
        r = pr["rate"]
        return (lambda x: log(r) - r * x), (0, inf), [], False
    if n == "Gamma":
        a, r = pr["concentration"], pr["rate"]
        return (lambda x: a * log(r) + (a - 1) * log(x) - r * x - lg(a)), (0, inf), [a / r], False
    if n == "Beta":
        a, b = pr["concentration1"], pr["concentration0"]
        return (lambda x: (a - 1) * log(x) + (b - 1) * log(1 - x) + lg(a + b) - lg(a) - lg(b)), (0, 1), \
            [mpmath.mpf(1) / 2], False
    if n == "Uniform":
        lo, hi = pr["low"], pr["high"]
        return (lambda x: -log(hi - lo)), (lo, hi), [], False
    if n == "LogNormal":
        m, s = pr["loc"], pr["scale"]
        return (lambda x: -(log(x) - m) ** 2 / (2 * s**2) - log(x * s) - log(2 * pi) / 2), (0, inf), [ex(m)], False
    if n == "HalfNormal":
        s = pr["scale"]
        return (lambda x: -x**2 / (2 * s**2) + log(2 / pi) / 2 - log(s)), (0, inf), [s], False
    if n == "Pareto":
        sc, a = pr["scale"], pr["alpha"]
        return (lambda x: log(a) + a * log(sc) - (a + 1) * log(x)), (sc, inf), [], False
    if n == "Bernoulli":
        p = pr["probs"]
        return (lambda k: log(p) if k == 1 else log(1 - p)), (0, 1), [], True
    if n == "Binomial":
        N, p = int(f.params["total_count"]), pr["probs"]
        return (lambda k: log(mpmath.binomial(N, k)) + k * log(p) + (N - k) * log(1 - p)), (0, N), [], True
    if n == "Geometric":
        p = pr["probs"]
        return (lambda k: log(p) + k * log(1 - p)), (0, inf), [], True
    if n == "Poisson":
        r = pr["rate"]
        return (lambda k: k * log(r) - r - lg(k + 1)), (0, inf), [], True
    raise KeyError(n)


def _in(x, support) -> bool:
    lo, hi = support
    return lo <= x <= hi


def _points(lo, hi, kinks):
    inner = sorted({k for k in kinks if lo < k < hi})
    return [lo, *inner, hi]


def kl(P, Q) -> mpmath.mpf:
    """``KL(P || Q)`` by quadrature (or a sum), at DPS digits; +inf when P leaves the support of Q."""
    with mpmath.workdps(DPS):
        lp, sp_, kp, disc = density(P)
        lq, sq, kq, _ = density(Q)
        if disc:
            return _sum(lambda k: mpmath.exp(lp(k)) * (lp(k) - (lq(k) if _in(k, sq) else -mpmath.inf)), sp_)
        lo, hi = sp_
        if lo < sq[0] or hi > sq[1]:
            return mpmath.inf
        pts = _trim(P, _points(lo, hi, kp + kq + [sq[0], sq[1]]))
        return mpmath.quad(lambda x: mpmath.exp(lp(x)) * (lp(x) - lq(x)), pts)


def entropy(P) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        lp, support, kinks, disc = density(P)
        if disc:
            return _sum(lambda k: -mpmath.exp(lp(k)) * lp(k), support)
        return mpmath.quad(lambda x: -mpmath.exp(lp(x)) * lp(x), _trim(P, _points(*support, kinks)))


def _trim(P, pts):
    """A Gumbel's left tail ends at m - 6 s (the density there is below e^-390, the integrand too)."""
    if P.name != "Gumbel":
        return pts
    cut = mpf(P.params["loc"]) - 6 * mpf(P.params["scale"])
    return [cut] + [p for p in pts if p > cut]


def _sum(term, support):
    lo, hi = support
    if hi != mpmath.inf:
        total = mpmath.mpf(0)
        for k in range(int(lo), int(hi) + 1):
            t = term(k)
            if t == -mpmath.inf or t == mpmath.inf:
                return mpmath.inf
            total += t
        return total
    # an infinite support: terms decay geometrically or faster here; sum until they are negligible
    total, k, small = mpmath.mpf(0), int(lo), 0
    while small < 20:
        t = term(k)
        if abs(t) == mpmath.inf:
            return mpmath.inf
        total += t
        small = small + 1 if abs(t) < mpmath.mpf(10) ** (-DPS - 5) * (1 + abs(total)) else 0
        k += 1
    return total
