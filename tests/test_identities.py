"""The catalogue: every identity of the spec is registered and proved, and, independently of the
engine, each holds numerically at 60 digits at random points of its domain (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symxent.identities import catalogue, get

SPEC_NAMES = [
    "ce_decomposition", "ce_self_is_entropy", "kl_nonnegative", "ce_lower_bound", "ce_asymmetric",
    "change_of_base", "bce_is_bernoulli_nll", "log_loss_is_mean_bce", "cce_is_multinoulli_nll",
    "nll_is_empirical_ce", "kl_ce_same_minimizer", "gaussian_nll_is_mse", "sigmoid_bce_gradient",
    "softmax_ce_gradient", "bce_with_logits_stable", "log_softmax_logsumexp", "label_smoothing",
    "entropy_bounds", "perplexity_base_free", "kl_bernoulli_closed_form", "kl_gaussian_closed_form",
    "js_divergence",
]
DIGITS = 60
TOL = mpmath.mpf(10) ** -50
SETTINGS = settings(max_examples=30, deadline=None)


def test_catalogue_is_the_spec_in_order():
    assert [i.name for i in catalogue()] == SPEC_NAMES
    assert [i.number for i in catalogue()] == list(range(1, 23))


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_every_identity_is_proved(name):
    d = get(name).derive()
    assert d.status == "proved", d.first_unproved()
    for part in d.parts or (d,):
        assert part.links_up and part.steps, part.name
        assert all(s.status == "verified" and s.justification for s in part.steps), part.name


def test_general_n_not_an_instance():
    """The decomposition is stated over Sum(..., (i, 1, n)) with a symbolic n."""
    d = get("ce_decomposition").derive()
    sums = [s for step in d.steps for s in step.after.atoms(sp.Sum)]
    assert sums and all(isinstance(s.limits[0][2], sp.Symbol) for s in sums)


def test_gibbs_cites_the_lemma_proved_by_calculus():
    d = get("kl_nonnegative").derive()
    rules = [s.rule for p in d.parts for s in p.steps]
    assert "termwise" in rules and "sum_at_least_term" in rules
    from symxent.identities._common import ln_le_x_minus_1
    assert ln_le_x_minus_1().steps[0].rule == "convex_minimum" and ln_le_x_minus_1().proved


# --- independent numeric check, from the definitions, with mpmath at 60 digits ---------------------

def dist(n_min: int = 2, n_max: int = 6):
    return st.lists(st.integers(1, 1000), min_size=n_min, max_size=n_max).map(
        lambda ws: [Fraction(w, sum(ws)) for w in ws])


def mp(v):
    """Exact strategy values as mpf at the working precision (call inside workdps)."""
    if isinstance(v, (list, tuple)):
        return type(v)(mp(a) for a in v)
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v


pairs = st.integers(2, 6).flatmap(lambda n: st.tuples(dist(n, n), dist(n, n)))
unit = st.fractions(Fraction(1, 1000), Fraction(999, 1000))
real = st.fractions(-20, 20, max_denominator=1000)
positive = st.fractions(Fraction(1, 100), 20, max_denominator=1000)


def H(p, q=None):
    q = p if q is None else q
    return -mpmath.fsum(a * mpmath.log(b) for a, b in zip(p, q))


def KL(p, q):
    return mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(p, q))


def close(a, b):
    assert abs(a - b) <= TOL * max(1, abs(a), abs(b)), (a, b)


def sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


@SETTINGS
@given(pairs)
def test_numeric_information_identities(pq):
    with mpmath.workdps(DIGITS):
        p, q = mp(pq)
        close(H(p, q), H(p) + KL(p, q))                       # 1
        close(H(p, p), H(p)); close(KL(p, p), 0)           # 2
        assert KL(p, q) >= -TOL                               # 3
        assert H(p, q) >= H(p) - TOL                          # 4
        b = mpmath.mpf(3)
        close(-mpmath.fsum(a * mpmath.log(c) / mpmath.log(b) for a, c in zip(p, q)), H(p, q) / mpmath.log(b))  # 6
        close(b ** (H(p, q) / mpmath.log(b)), mpmath.e ** H(p, q))  # 19
        n = len(p)
        assert -TOL <= H(p) <= mpmath.log(n) + TOL            # 18
        close(H([mpmath.mpf(1) / n] * n), mpmath.log(n))
        m = [(a + c) / 2 for a, c in zip(p, q)]
        js = (KL(p, m) + KL(q, m)) / 2
        close(js, (KL(q, m) + KL(p, m)) / 2)                  # 22
        assert js <= mpmath.log(2) + TOL


def test_numeric_asymmetry_witness():                         # 5
    with mpmath.workdps(DIGITS):
        p = [mpmath.mpf(1) / 10, mpmath.mpf(2) / 5, mpmath.mpf(1) / 2]
        q = [mpmath.mpf(4) / 5, mpmath.mpf(3) / 20, mpmath.mpf(1) / 20]
        assert abs(H(p, q) - H(q, p)) > 0.1 and abs(KL(p, q) - KL(q, p)) > 0.05
        # the spec's 40-digit figure
        assert abs(H(p, q) / mpmath.log(2) - mpmath.mpf("3.287943094598899875288823851910263572361")) < 1e-38


@SETTINGS
@given(unit, unit, st.lists(st.tuples(unit, unit), min_size=1, max_size=6))
def test_numeric_bernoulli_identities(y, q, samples):
    with mpmath.workdps(DIGITS):
        y, q, samples = mp(y), mp(q), mp(samples)
        bce = lambda y, q: -(y * mpmath.log(q) + (1 - y) * mpmath.log(1 - q))  # noqa: E731
        close(bce(y, q), -mpmath.log(q**y * (1 - q) ** (1 - y)))              # 7
        close(bce(1, q), -mpmath.log(q)); close(bce(0, q), -mpmath.log(1 - q))
        nll = -mpmath.log(mpmath.fprod(q**y * (1 - q) ** (1 - y) for y, q in samples))
        close(mpmath.fsum(bce(y, q) for y, q in samples) / len(samples), nll / len(samples))  # 8
        a, b = y, q
        kl = KL([a, 1 - a], [b, 1 - b])
        close(kl, a * mpmath.log(a / b) + (1 - a) * mpmath.log((1 - a) / (1 - b)))  # 20


@SETTINGS
@given(pairs, st.integers(0, 5), st.lists(st.integers(0, 5), min_size=1, max_size=12))
def test_numeric_categorical_identities(pq, c, xs):
    K = len(pq[1])
    c, xs = c % K, [x % K for x in xs]
    with mpmath.workdps(DIGITS):
        y, q = mp(pq)
        close(H(y, q), -mpmath.log(mpmath.fprod(a**b for b, a in zip(y, q))))  # 9
        onehot = [mpmath.mpf(int(k == c)) for k in range(K)]
        close(-mpmath.fsum(o * mpmath.log(a) for o, a in zip(onehot, q)), -mpmath.log(q[c]))
        N = len(xs)
        phat = [mpmath.mpf(xs.count(k)) / N for k in range(K)]
        mean_nll = -mpmath.fsum(mpmath.log(q[x]) for x in xs) / N
        close(mean_nll, -mpmath.fsum(a * mpmath.log(b) for a, b in zip(phat, q)))  # 10
        eps = mpmath.mpf(1) / 7
        smooth = [(1 - eps) * a + eps / K for a in y]
        close(H(smooth, q), (1 - eps) * H(y, q) + eps * H([mpmath.mpf(1) / K] * K, q))  # 17


@SETTINGS
@given(pairs, st.integers(0, 5))
def test_numeric_gradients_and_minimiser(pq, j):
    j %= len(pq[1])
    with mpmath.workdps(DIGITS):
        p, q = mp(pq)
        def bump(f):
            return mpmath.diff(lambda t: f(q[:j] + [t] + q[j + 1:]), q[j])
        g_ce, g_kl = bump(lambda r: H(p, r)), bump(lambda r: KL(p, r))
        close(g_ce, g_kl)                                                  # 11
        close(g_ce, -p[j] / q[j])
        assert H(p, q) >= H(p, p) - TOL and KL(p, q) >= KL(p, p) - TOL


@SETTINGS
@given(unit, real, st.lists(real, min_size=2, max_size=6), st.integers(0, 5), real)
def test_numeric_logit_identities(y, z, zs, k, a):
    k %= len(zs)
    with mpmath.workdps(DIGITS):
        y, z, zs, a = mp(y), mp(z), mp(zs), mp(a)
        bce = lambda s: -(y * mpmath.log(s) + (1 - y) * mpmath.log(1 - s))  # noqa: E731
        close(bce(sigmoid(z)), max(z, 0) - z * y + mpmath.log(1 + mpmath.exp(-abs(z))))  # 15
        d = mpmath.diff(lambda t: bce(sigmoid(t)), z)
        close(d, sigmoid(z) - y)                                                          # 13
        lse = lambda v: mpmath.log(mpmath.fsum(mpmath.exp(t) for t in v))  # noqa: E731
        soft = [mpmath.exp(t) / mpmath.fsum(mpmath.exp(u) for u in zs) for t in zs]
        close(-mpmath.log(soft[k]), lse(zs) - zs[k])                                      # 16
        close(lse([t + a for t in zs]), lse(zs) + a)
        target = soft[::-1]  # a soft target summing to 1
        grad = mpmath.diff(lambda t: -mpmath.fsum(
            yy * mpmath.log(mpmath.exp(zz if i != k else t) / mpmath.fsum(
                mpmath.exp(u if m != k else t) for m, u in enumerate(zs))) for i, (yy, zz) in enumerate(zip(target, zs))),
            zs[k])
        close(grad, soft[k] - target[k])                                                  # 14


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(real, real), min_size=1, max_size=6), positive, real, positive, real, positive)
def test_numeric_gaussian_identities(data, sigma, m1, s1, m2, s2):
    with mpmath.workdps(DIGITS):  # the integral of the definition, by quadrature at 60 digits
        m1, s1, m2, s2 = mp([m1, s1, m2, s2])
        f = lambda x, m, s: mpmath.exp(-(x - m) ** 2 / (2 * s**2)) / (mpmath.sqrt(2 * mpmath.pi) * s)  # noqa: E731
        kl = mpmath.quad(lambda x: f(x, m1, s1) * mpmath.log(f(x, m1, s1) / f(x, m2, s2)),
                         [-mpmath.inf, m1 - 10 * s1, m1, m1 + 10 * s1, mpmath.inf])
        closed = mpmath.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - mpmath.mpf(1) / 2   # 21
        close(kl, closed)
    with mpmath.workdps(DIGITS):
        data, sigma = mp(data), mp(sigma)
        N = len(data)
        nll = -mpmath.fsum(mpmath.log(f(y, mu, sigma)) for y, mu in data) / N
        mse = mpmath.fsum((y - mu) ** 2 for y, mu in data) / N
        close(nll, mse / (2 * sigma**2) + mpmath.log(2 * mpmath.pi * sigma**2) / 2)              # 12


def test_statements_themselves_survive_a_certified_counterexample_search():
    """The engine's own statement objects (not a transcription) hold at sampled exact points."""
    from symxent.derivation.counterexample import refute

    searched = 0
    for ident in catalogue():
        d = ident.derive()
        for part in d.parts or (d,):
            found = refute(part.lhs, part.rhs, part.relation, part.assumptions, seconds=5.0)
            assert not found, (part.name, found)
            searched += found is not None
    assert searched >= 20
