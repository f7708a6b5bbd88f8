"""Exercise kinds on small distributions: entropy, cross-entropy, KL, and H(P,Q) = H(P) + KL(P||Q).

Each solution is the worked example of :func:`symxent.worked.worked_measure` (definition,
substitution, logarithms expanded over primes, exact closed form, certified decimal); the
decomposition adds a derivation that checks, on the numbers, that the three results agree.

>>> import random
>>> s = Settings("dyadic", sp.Integer(2), 4)
>>> ex = entropy_exercise(random.Random(0), s)
>>> ex.answer, ex.value, ex.unit
(17/8, '2.125', 'bits')
"""

from __future__ import annotations

import random

import sympy as sp

from .. import measures
from ..derivation import Assumption, Derivation
from ..render.notation import CrossEntropyOf, EntropyOf, KLDivergenceOf, ordered_add, to_sympy
from ..worked import WorkedExample, worked_measure
from ..worked.core import chain
from .exercise import Exercise, Part, Settings, part_of
from .numbers import distribution, power_distribution, show_list

__all__ = ["entropy_exercise", "cross_entropy_exercise", "kl_exercise", "decomposition_exercise"]

_P, _Q = sp.Symbol("P"), sp.Symbol("Q")
_KL_TEX = r"D_{\mathrm{KL}}(P \,\|\, Q)"


def _events(rng: random.Random) -> int:
    return rng.choice((2, 3, 3, 4))


def _pair(rng: random.Random, level: str, events: int, *, powers: bool = False) -> tuple[tuple, tuple]:
    """P and Q, different; at the dyadic level Q is made of powers of 1/2 (log_2 Q is an integer),
    and so is P when ``powers`` (for KL: log_2(P/Q) an integer; 3 to 5 outcomes, since the only
    such distribution over 2 outcomes is (1/2, 1/2))."""
    if level == "dyadic" and powers:
        events = rng.choice((3, 4, 4, 5))
    for _ in range(100):
        if level == "dyadic":
            p = power_distribution(rng, events) if powers else distribution(rng, level, events)
            q = power_distribution(rng, events)
        else:
            p, q = distribution(rng, level, events), distribution(rng, level, events)
        if p != q:
            return p, q
    raise AssertionError(f"no two different distributions over {events} outcomes at level {level!r}")


def _worked(measure: str, p, q, s: Settings, title: str) -> WorkedExample:
    return worked_measure(measure, list(p), None if q is None else list(q), base=s.base, digits=s.digits,
                          name=f"sheet_{measure}", title=title)


def _ask(s: Settings) -> str:
    return (f"in {s.unit} (logarithms to {s.base_text}): give the exact value and a decimal to "
            f"{s.digits} significant digits.")


def _exercise(kind: str, title: str, prompt: str, ex: WorkedExample, numbers: tuple, s: Settings) -> Exercise:
    return Exercise(kind, title, prompt, (part_of(ex),), ex.derivation.rhs, ex.value.decimal, ex.unit, numbers)


def entropy_exercise(rng: random.Random, s: Settings) -> Exercise:
    """The entropy of a distribution over 2 to 4 outcomes (dyadic level: powers of 1/2)."""
    if s.level == "dyadic":  # powers of 1/2 over up to 6 outcomes: 9 different entropies
        p = power_distribution(rng, rng.choice((2, 3, 4, 4, 5, 5, 6)))
    else:
        p = distribution(rng, s.level, _events(rng))
    prompt = (f"A source emits {len(p)} symbols with probabilities $P = {show_list(p, s.level)}$. "
              f"Compute the entropy $H(P)$ {_ask(s)}")
    ex = _worked("entropy", p, None, s, f"Entropy in {s.unit}")
    return _exercise("entropy", "Entropy", prompt, ex, p, s)


def cross_entropy_exercise(rng: random.Random, s: Settings) -> Exercise:
    """The cross-entropy of a true distribution P and a model Q."""
    p, q = _pair(rng, s.level, _events(rng))
    prompt = (f"Outcomes follow $P = {show_list(p, s.level)}$ and a model predicts "
              f"$Q = {show_list(q, s.level)}$. Compute the cross-entropy $H(P, Q)$ {_ask(s)}")
    ex = _worked("cross-entropy", p, q, s, f"Cross-entropy in {s.unit}")
    return _exercise("cross-entropy", "Cross-entropy", prompt, ex, p + q, s)


def kl_exercise(rng: random.Random, s: Settings) -> Exercise:
    """The KL divergence of two different distributions with the same support (finite, positive)."""
    p, q = _pair(rng, s.level, _events(rng), powers=True)  # dyadic: KL a rational number of bits
    prompt = (f"Let $P = {show_list(p, s.level)}$ and $Q = {show_list(q, s.level)}$. Compute the "
              f"Kullback-Leibler divergence ${_KL_TEX}$ {_ask(s)}")
    ex = _worked("kl", p, q, s, f"KL divergence in {s.unit}")
    return _exercise("kl", "Kullback-Leibler divergence", prompt, ex, p + q, s)


def decomposition_exercise(rng: random.Random, s: Settings) -> Exercise:
    """H(P), KL(P||Q) and H(P,Q) of the same numbers, and the check that H(P,Q) = H(P) + KL(P||Q)."""
    p, q = _pair(rng, s.level, _events(rng), powers=True)
    h, kl, ce = (_worked("entropy", p, None, s, f"Entropy $H(P)$ in {s.unit}"),
                 _worked("kl", p, q, s, f"KL divergence ${_KL_TEX}$ in {s.unit}"),
                 _worked("cross-entropy", p, q, s, f"Cross-entropy $H(P, Q)$ in {s.unit}"))
    prompt = (f"Let $P = {show_list(p, s.level)}$ and $Q = {show_list(q, s.level)}$. Compute $H(P)$, "
              f"${_KL_TEX}$ and $H(P, Q)$ {_ask(s)} Then check on these numbers that "
              f"$H(P, Q) = H(P) + {_KL_TEX}$.")
    check = _sum_check(p, q, s, h, kl, ce)
    return Exercise("decomposition", "Cross-entropy = entropy + KL divergence", prompt,
                    (part_of(h), part_of(kl), part_of(ce), check), ce.derivation.rhs, ce.value.decimal,
                    ce.unit, p + q)


def _sum_check(p, q, s: Settings, h: WorkedExample, kl: WorkedExample, ce: WorkedExample) -> Part:
    """``H(P) + KL(P||Q) = [closed forms] = [collected] = H(P, Q)``, every step checked exactly."""
    H, D, C = EntropyOf(_P), KLDivergenceOf(_P, _Q), CrossEntropyOf(_P, _Q)
    exact = {H: measures.entropy(list(p), base=s.base), D: measures.kl_divergence(list(p), list(q), base=s.base),
             C: measures.cross_entropy(list(p), list(q), base=s.base)}

    def value_of(e: sp.Expr) -> sp.Expr:
        return to_sympy(e.xreplace(exact))

    lhs = ordered_add([H, D])
    rewrites = [(ordered_add([h.derivation.rhs, kl.derivation.rhs]), "the two results above"),
                (ce.derivation.rhs, "collect terms"), (C, "the cross-entropy computed above")]
    steps = chain(lhs, rewrites, value_of)
    d = Derivation("sheet_decomposition", f"Check: $H(P) + {_KL_TEX} = H(P, Q)$", lhs, "=", C, tuple(steps),
                   (Assumption(sp.Symbol("b"), f"logarithms to {s.base_text}"),))
    return Part(d)
