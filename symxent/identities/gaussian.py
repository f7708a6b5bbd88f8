"""The KL divergence of two Gaussians, derived from its integral definition.

Three moments of ``N(m, s^2)`` are proved first as lemmas (a change of variables ``x = m + s t``
and a Gaussian integral); the closed form then follows by the logarithm laws and linearity.

>>> from symxent.identities import get
>>> get("kl_gaussian_closed_form").derive().status
'proved'
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..derivation.context import positive
from ..derivation.core import Derivation
from ..derivation.engine import Proof
from ..derivation.quantities import Quantity
from . import register

x, t = sp.symbols("x t", real=True)
m, m1, m2 = sp.symbols("m m_1 m_2", real=True)
s, s1, s2 = sp.symbols("sigma sigma_1 sigma_2", positive=True)
LINE = (x, -sp.oo, sp.oo)


def density(mean: sp.Expr, sd: sp.Expr, at: sp.Expr = x) -> sp.Expr:
    """The normal density ``N(mean, sd^2)`` at ``at``."""
    return sp.exp(-(at - mean) ** 2 / (2 * sd**2)) / (sp.sqrt(2 * sp.pi) * sd)


class NormalPDF(Quantity):
    """The normal density ``N(x | m, s^2)`` as one symbol; ``unfold()`` writes it out."""

    nargs = 3

    def unfold(self) -> sp.Expr:
        return density(self.args[1], self.args[2], self.args[0])

    def _latex(self, printer) -> str:
        at, mean, sd = (printer._print(v) for v in self.args)
        return f"\\mathcal{{N}}\\left({at} \\mid {mean}, {sd}^{{2}}\\right)"

    def _sympystr(self, printer) -> str:
        return "N(%s | %s, %s**2)" % tuple(printer._print(v) for v in self.args)


class NormalKL(Quantity):
    """``KL(N(m1, s1^2) || N(m2, s2^2))``, defined as an integral over the real line."""

    nargs = 4

    def unfold(self) -> sp.Expr:
        a, sa, b, sb = self.args
        f1, f2 = NormalPDF(x, a, sa), NormalPDF(x, b, sb)
        return sp.Integral(f1 * sp.log(f1 / f2), LINE)

    def _latex(self, printer) -> str:
        a, sa, b, sb = (printer._print(v) for v in self.args)
        return (f"D_{{\\mathrm{{KL}}}}\\left(\\mathcal{{N}}({a}, {sa}^2) \\,\\|\\, "
                f"\\mathcal{{N}}({b}, {sb}^2)\\right)")


@cache
def moment(k: int) -> Derivation:
    """``E[(X - m)^k] = 1, 0, s^2`` for k = 0, 1, 2 under ``N(m, s^2)``, by ``x = m + s t``.

    >>> moment(2).status
    'proved'
    """
    value = (sp.Integer(1), sp.Integer(0), s**2)[k]
    integrand = t**k * sp.exp(-t**2 / 2) / sp.sqrt(2 * sp.pi)
    return (Proof(f"gaussian_moment_{k}", f"moment {k} of N(m, sigma^2) about its mean",
                  sp.Integral((x - m) ** k * NormalPDF(x, m, s), LINE), "=", value, (positive(s, "\\sigma > 0"),))
            .step(s**k * sp.Integral(integrand, (t, -sp.oo, sp.oo)), "change_of_variables",
                  "substitute x = m + sigma t (dx = sigma dt) in the written-out density", old=x, new=t, shift=m,
                  scale=s)
            .step(value, "evaluate", "Gaussian integral of t^%d e^(-t^2/2)" % k)
            .qed())


@register(21, "kl_gaussian_closed_form",
          "KL(N(m1,s1^2)||N(m2,s2^2)) = log(s2/s1) + (s1^2 + (m1-m2)^2)/(2 s2^2) - 1/2, from the integral")
@cache
def kl_gaussian_closed_form() -> Derivation:
    f1 = NormalPDF(x, m1, s1)
    inst = {m: m1, s: s1}

    def I(k: int) -> sp.Integral:
        return sp.Integral((x - m1) ** k * f1, LINE)

    c0 = sp.log(s2 / s1) + (m1 - m2) ** 2 / (2 * s2**2)
    c2 = 1 / (2 * s2**2) - 1 / (2 * s1**2)
    c1 = (m1 - m2) / s2**2
    rhs = sp.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - sp.Rational(1, 2)
    lhs = NormalKL(m1, s1, m2, s2)
    return (Proof("kl_gaussian_closed_form", "KL divergence of two normal distributions", lhs, "=", rhs,
                  (positive(s1, "\\sigma_1 > 0"), positive(s2, "\\sigma_2 > 0")))
            .step(lhs.unfold(), "definition", "definition: the integral of f_1 log(f_1/f_2)")
            .step(sp.Integral(f1 * (sp.log(s2 / s1) - (x - m1) ** 2 / (2 * s1**2) + (x - m2) ** 2 / (2 * s2**2)), LINE),
                  "log_laws", "write out the densities: the log of their quotient (sigma_1, sigma_2 > 0)",
                  unfold_definitions=True)
            .step(sp.log(s2 / s1) * I(0) - I(2) / (2 * s1**2)
                  + (I(2) + 2 * (m1 - m2) * I(1) + (m1 - m2) ** 2 * I(0)) / (2 * s2**2), "sum_linearity",
                  "linearity of the integral, with x - m_2 = (x - m_1) + (m_1 - m_2)")
            .step(c0 + c2 * I(2) + c1 * I(1), "lemma", "total probability: the density integrates to 1",
                  lemma=moment(0), subs=inst, factor=c0)
            .step(c0 + c2 * I(2), "lemma", "the first central moment is 0", lemma=moment(1), subs=inst, factor=c1)
            .step(c0 + c2 * s1**2, "lemma", "the variance is sigma_1^2", lemma=moment(2), subs=inst, factor=c2)
            .step(rhs, "algebra", "collect the terms")
            .qed())
