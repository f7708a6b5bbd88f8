"""The closed-form KL of two members of a parametric family: Bernoulli here, others by registration.

``KL(Ber(a) || Ber(b)) = a log(a/b) + (1 - a) log((1 - a)/(1 - b))``: the solution starts from
that closed form, substitutes the parameters and collects the exact result, every step checked
against :func:`symxent.kl_divergence` of ``(a, 1 - a)`` and ``(b, 1 - b)``.

Other families join with :func:`register_family` (a name and a maker ``(rng, settings) ->
Exercise``); the ``family-kl`` kind draws among the registered families, in sorted order, so
that a sheet stays reproducible. This is the hook a parametric-family module (Gaussians, with
``KL = ln(s2/s1) + (s1^2 + (m1 - m2)^2)/(2 s2^2) - 1/2``) uses; the sheet does not import one.

>>> import random
>>> ex = bernoulli_kl_exercise(random.Random(0), Settings("dyadic", sp.Integer(2), 4))
>>> ex.kind, sorted(FAMILIES)
('family-kl', ['bernoulli'])
"""

from __future__ import annotations

import random
from typing import Callable

import sympy as sp

from .. import measures
from ..derivation import Assumption, Derivation
from ..exact import evaluate
from ..render.document import Approximation, Given
from ..render.notation import BaseLog, KLDivergenceOf, ordered_add, ordered_mul, to_sympy
from ..worked.core import chain
from ..worked.logs import collected, expanded, log_sum, weighted_log
from .exercise import Exercise, Part, Settings
from .numbers import probability, show

__all__ = ["FAMILIES", "register_family", "family_kl_exercise", "bernoulli_kl_exercise"]

_BER_KL = r"D_{\mathrm{KL}}(\operatorname{Ber}(a) \,\|\, \operatorname{Ber}(b))"
Maker = Callable[[random.Random, Settings], Exercise]
FAMILIES: dict[str, Maker] = {}


def register_family(name: str, maker: Maker) -> None:
    """Let the ``family-kl`` kind draw exercises of this family (a later registration replaces one)."""
    FAMILIES[name] = maker


def family_kl_exercise(rng: random.Random, s: Settings) -> Exercise:
    """A closed-form KL exercise of one of the registered families."""
    return FAMILIES[rng.choice(sorted(FAMILIES))](rng, s)


def _power_ratio_pairs() -> list[tuple[sp.Rational, sp.Rational]]:
    """(a, b) with a/b = 2^j and (1 - a)/(1 - b) = 2^k, so that the KL is a rational number of bits.

    Solving gives b = (2^k - 1)/(2^k - 2^j); kept when a and b lie in (0, 1) with denominators <= 9:

    >>> [(str(a), str(b)) for a, b in _power_ratio_pairs()][:3]
    [('1/9', '8/9'), ('1/7', '4/7'), ('1/5', '4/5')]
    """
    found = set()
    for j in range(-3, 4):
        for k in range(-3, 4):
            if j == k:
                continue
            b = (sp.Integer(2)**k - 1) / (sp.Integer(2)**k - sp.Integer(2)**j)
            a = sp.Integer(2)**j * b
            if 0 < a < 1 and 0 < b < 1 and a.q <= 9 and b.q <= 9:
                found.add((a, b))
    return sorted(found)


def _parameters(rng: random.Random, level: str) -> tuple[sp.Rational, sp.Rational]:
    """Two different success probabilities (dyadic: with a rational KL in bits)."""
    if level == "dyadic":
        return rng.choice(_power_ratio_pairs())
    while True:
        a, b = probability(rng, level), probability(rng, level)
        if a != b:
            return a, b


def bernoulli_kl_exercise(rng: random.Random, s: Settings) -> Exercise:
    """``KL(Ber(a) || Ber(b))`` from the family's closed form."""
    a0, b0 = _parameters(rng, s.level)
    a, b, ber = sp.Symbol("a"), sp.Symbol("b"), sp.Function("Ber")
    lhs = KLDivergenceOf(ber(a), ber(b))
    exact = measures.kl_divergence([a0, 1 - a0], [b0, 1 - b0], base=s.base)
    numbers = {a: a0, b: b0}

    def value_of(e: sp.Expr) -> sp.Expr:
        return exact if e == lhs else to_sympy(e.xreplace(numbers))

    one = sp.Integer(1)
    formula = ordered_add([ordered_mul(a, BaseLog(a / b, s.base)),
                           ordered_mul(ordered_add([one, -a]), BaseLog(ordered_add([one, -a]) / ordered_add([one, -b]),
                                                                       s.base))])
    pairs = [(a0, a0 / b0), (1 - a0, (1 - a0) / (1 - b0))]
    rewrites = [(formula, "closed form of the KL divergence of two Bernoulli distributions"),
                (log_sum(pairs, lambda c, r: weighted_log(c, r, s.base)),
                 f"substitute $a = {show(a0, 'fractions')}$, $b = {show(b0, 'fractions')}$"),
                (log_sum([(c, r) for c, r in pairs if r != 1], lambda c, r: expanded(c, r, s.base)),
                 "log of a product or quotient"),
                (collected(pairs, one, s.base), "collect terms")]
    steps = chain(lhs, rewrites, value_of)
    d = Derivation("sheet_bernoulli_kl", f"KL divergence of two Bernoulli distributions, in {s.unit}", lhs, "=",
                   steps[-1].after, tuple(steps), (Assumption(sp.Symbol("b"), f"logarithms to {s.base_text}"),))
    value = evaluate(exact, s.digits)
    prompt = (f"A coin lands heads with probability $a = {show(a0, s.level)}$; a model of it says "
              f"$b = {show(b0, s.level)}$. Using the closed form of the KL divergence of two Bernoulli "
              f"distributions, compute ${_BER_KL}$ "
              f"in {s.unit} (logarithms to {s.base_text}): exactly, and to {s.digits} significant digits.")
    given = (Given(a, (a0,), "the true probability of heads"), Given(b, (b0,), "the model's"))
    return Exercise("family-kl", "KL divergence of two Bernoulli distributions", prompt,
                    (Part(d, given, Approximation(value.decimal, value.digits, s.unit)),), d.rhs, value.decimal,
                    s.unit, (a0, b0))


register_family("bernoulli", bernoulli_kl_exercise)
