"""The ``gaussian-kl`` kind: the KL divergence of two normal distributions, from its closed form.

The closed form is not typed here: it is the right-hand side of the derivation of
``KL(Normal || Normal)`` that :mod:`symxent.families` builds and proves (``symxent derive
kl_normal_normal``), rearranged for the reader,

``KL(N(mu_1, sigma_1^2) || N(mu_2, sigma_2^2)) = ln(sigma_2/sigma_1) + (sigma_1^2 + (mu_1 - mu_2)^2)/(2 sigma_2^2) - 1/2``,

and checked equal to it (and the derivation checked proved) before any exercise is drawn. The
solution substitutes the parameters and does the arithmetic, every step checked exactly against
the family's value at the numbers (:func:`symxent.families.kl_divergence`). The answer is in
nats (the closed form's logarithm is natural, as in the Gaussian NLL kind).

>>> import random
>>> ex = gaussian_kl_exercise(random.Random(0), Settings("dyadic", sp.Integer(2), 4))
>>> ex.kind, ex.unit, all(part.derivation.proved for part in ex.parts)
('gaussian-kl', 'nats', True)
"""

from __future__ import annotations

import random
from functools import cache

import sympy as sp

from ..derivation import Assumption, Derivation
from ..exact import evaluate
from ..render.document import Approximation, Given
from ..render.notation import BaseLog, KLDivergenceOf, ordered_add, to_sympy
from ..worked.core import chain
from .exercise import Exercise, Part, Settings, UnprovedSolution
from .loss_kinds import _evaluated
from .numbers import show

__all__ = ["gaussian_kl_exercise", "closed_form"]

_MEANS = {"dyadic": (1, 1), "fractions": (1, 2), "decimals": (1, 10)}  # (numerator step, denominator)
_SIGMAS = {"dyadic": ("1/2", "1", "2", "4"), "fractions": ("1/3", "1/2", "2/3", "1", "3/2", "2", "3"),
           "decimals": ("1/2", "4/5", "1", "6/5", "3/2", "2", "5/2")}


@cache
def closed_form() -> tuple[sp.Expr, tuple[sp.Symbol, sp.Symbol, sp.Symbol, sp.Symbol]]:
    """The closed form as the sheet prints it, and its symbols ``(mu_1, sigma_1, mu_2, sigma_2)``.

    Raises :class:`UnprovedSolution` unless the family's derivation is proved and its result
    equals the printed form.

    >>> form, (m1, s1, m2, s2) = closed_form()
    >>> sp.simplify(to_sympy(form).subs({m1: 0, s1: 1, m2: 0, s2: 1}))
    0
    """
    from ..families import Normal
    from ..families.derivations import kl_derivation

    d = kl_derivation(Normal, Normal)
    names = {s.name: s for s in d.rhs.free_symbols}
    m1, s1, m2, s2 = (names[n] for n in ("mu_1", "sigma_1", "mu_2", "sigma_2"))
    half = sp.Rational(1, 2)
    form = ordered_add([BaseLog(s2 / s1, sp.E), (s1**2 + (m1 - m2)**2) / (2 * s2**2), -half])
    if not d.proved or sp.simplify(to_sympy(form) - d.rhs) != 0:
        raise UnprovedSolution("the closed form of KL(Normal || Normal) is not the proved derivation's result")
    return form, (m1, s1, m2, s2)


def _parameters(rng: random.Random, level: str) -> tuple[sp.Rational, ...]:
    """``(mu_1, sigma_1, mu_2, sigma_2)``, two different normal distributions at the level's niceness."""
    step, den = _MEANS[level]
    sigmas = [sp.Rational(s) for s in _SIGMAS[level]]
    while True:
        m1, m2 = (sp.Rational(step * rng.randint(-2 * den, 2 * den), den) for _ in range(2))
        s1, s2 = rng.choice(sigmas), rng.choice(sigmas)
        if (m1, s1) != (m2, s2):
            return m1, s1, m2, s2


def _substituted(m1: sp.Expr, s1: sp.Expr, m2: sp.Expr, s2: sp.Expr) -> sp.Expr:
    """The closed form with the numbers written in, nothing computed yet."""
    square = lambda x: sp.Pow(x, 2, evaluate=False)  # noqa: E731
    top = ordered_add([square(s1), square(ordered_add([m1, -m2]) if m2 else m1)])
    bottom = sp.Mul(2, square(s2), evaluate=False)
    return ordered_add([BaseLog(s2 / s1, sp.E), sp.Mul(top, sp.Pow(bottom, -1, evaluate=False), evaluate=False),
                        -sp.Rational(1, 2)])


def gaussian_kl_exercise(rng: random.Random, s: Settings) -> Exercise:
    """``KL(N(mu_1, sigma_1^2) || N(mu_2, sigma_2^2))`` in nats, from the proved closed form."""
    from ..families import Normal, kl_divergence

    form, symbols = closed_form()
    m1v, s1v, m2v, s2v = values = _parameters(rng, s.level)
    numbers = dict(zip(symbols, values))
    m1, s1, m2, s2 = symbols
    normal = sp.Function("N")
    lhs = KLDivergenceOf(normal(m1, s1**2), normal(m2, s2**2))
    exact = kl_divergence(Normal(m1v, s1v), Normal(m2v, s2v))

    def value_of(e: sp.Expr) -> sp.Expr:
        return exact if e == lhs else _evaluated(to_sympy(e.xreplace(numbers)))

    ratio, rest = s2v / s1v, (s1v**2 + (m1v - m2v)**2) / (2 * s2v**2) - sp.Rational(1, 2)
    done = ordered_add([t for t in (BaseLog(ratio, sp.E) if ratio != 1 else 0, rest) if t != 0])
    rewrites = [(form, "closed form, proved by symxent "
                       "from the two densities"),
                (_substituted(*values), f"substitute $\\mu_1 = {show(m1v, 'fractions')}$, "
                                        f"$\\sigma_1 = {show(s1v, 'fractions')}$, $\\mu_2 = {show(m2v, 'fractions')}$, "
                                        f"$\\sigma_2 = {show(s2v, 'fractions')}$"),
                (done, "arithmetic")]
    steps = chain(lhs, rewrites, value_of)
    d = Derivation("sheet_gaussian_kl", "KL divergence of two normal distributions, in nats", lhs, "=",
                   steps[-1].after, tuple(steps),
                   (Assumption(s1, "standard deviations $\\sigma_1, \\sigma_2 > 0$; natural logarithms"),))
    value = evaluate(exact, s.digits)
    prompt = (f"The errors of a sensor are normal with mean $\\mu_1 = {show(m1v, s.level)}$ and standard deviation "
              f"$\\sigma_1 = {show(s1v, s.level)}$; a model of them says mean $\\mu_2 = {show(m2v, s.level)}$ and "
              f"standard deviation $\\sigma_2 = {show(s2v, s.level)}$. Using the closed form of the KL divergence "
              f"of two normal distributions, compute $D_{{\\mathrm{{KL}}}}(N(\\mu_1, \\sigma_1^2) \\,\\|\\, "
              f"N(\\mu_2, \\sigma_2^2))$ in nats (natural logarithms): exactly, and to {s.digits} significant digits.")
    given = (Given(m1, (m1v,), "the mean of the errors"), Given(s1, (s1v,), "their standard deviation"),
             Given(m2, (m2v,), "the model's mean"), Given(s2, (s2v,), "the model's standard deviation"))
    return Exercise("gaussian-kl", "KL divergence of two normal distributions", prompt,
                    (Part(d, given, Approximation(value.decimal, value.digits, "nats")),), d.rhs, value.decimal,
                    "nats", ())
