"""Exercise kinds on losses: log loss of predictions, BCE from a logit, Gaussian NLL against MSE.

The log loss is the worked example of :func:`symxent.worked.worked_log_loss`. The other two
build their derivations here, step by step, each step checked on the exercise's numbers: the
logit is chosen as ``z = ln k`` with k rational, so that ``sigma(z) = k/(1+k)`` is rational and
every value is an exact sum of logarithms of rationals; the Gaussian steps carry ``ln pi``,
checked by keeping pi as an independent positive symbol (a sufficient test of equality).

>>> import random
>>> s = Settings("dyadic", sp.Integer(2), 4)
>>> ex = bce_logit_exercise(random.Random(0), s)
>>> ex.answer, ex.value
(5, '5.000')
"""

from __future__ import annotations

import random

import sympy as sp

from .. import measures
from ..derivation import Assumption, Derivation, Step
from ..derivation.core import StepStatus
from ..exact import closed_form, evaluate
from ..render.notation import BaseLog, ordered_add, ordered_mul, to_sympy
from ..render.document import Approximation, Given
from ..render.latex import latex
from ..worked import worked_log_loss
from ..worked.core import chain
from ..worked.logs import collected, expanded
from .exercise import Exercise, Part, Settings, part_of
from .numbers import probability, show, show_list

__all__ = ["log_loss_exercise", "bce_logit_exercise", "gaussian_nll_exercise", "check_with_pi"]

_y, _z = sp.Symbol("y"), sp.Symbol("z")
_sigma = sp.Function("sigma")
_BCE = r"\ell(y, z) = -\left(y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\right)"


def log_loss_exercise(rng: random.Random, s: Settings) -> Exercise:
    """The mean log loss of 4 to 6 binary predictions (dyadic: the true label gets a power of 1/2)."""
    n = rng.randint(4, 6)
    labels = [sp.Integer(rng.randint(0, 1)) for _ in range(n)]
    if len(set(labels)) == 1:
        labels[rng.randrange(n)] = 1 - labels[0]
    if s.level == "dyadic":
        kept = [sp.Rational(1, rng.choice((2, 4, 8))) for _ in labels]
        preds = [k if y == 1 else 1 - k for y, k in zip(labels, kept)]
    else:
        preds = [probability(rng, s.level) for _ in labels]
    ex = worked_log_loss(labels, preds, base=s.base, digits=s.digits, name="sheet_log_loss",
                         title=f"Log loss in {s.unit}")
    prompt = (f"A binary classifier predicts the probabilities $\\hat y = {show_list(preds, s.level)}$ of class 1 "
              f"for samples whose labels are $y = {show_list(labels, s.level)}$. Compute its log loss (the mean "
              f"binary cross-entropy) in {s.unit} (logarithms to {s.base_text}): give the exact value and a "
              f"decimal to {s.digits} significant digits.")
    return Exercise("log-loss", "Log loss of a classifier", prompt, (part_of(ex),), ex.derivation.rhs,
                    ex.value.decimal, ex.unit, tuple(preds))


# -- BCE from a logit ---------------------------------------------------------------------------

def _logit_odds(rng: random.Random, s: Settings) -> tuple[int, sp.Rational]:
    """(label, odds k) with the logit z = ln k; dyadic: the label's probability is 1/2^j or 1 - 1/2^j
    (j = 2..6), so that z = +-ln(2^j - 1) and a wrong prediction costs j bits."""
    y = rng.randint(0, 1)
    if s.level == "dyadic":
        small = sp.Rational(1, 2 ** rng.randint(2, 6))
        kept = rng.choice((small, 1 - small))
        q = kept if y == 1 else 1 - kept
    else:
        q = probability(rng, s.level)
        while q == sp.Rational(1, 2):  # z = 0: no logit to speak of
            q = probability(rng, s.level)
    return y, q / (1 - q)


def bce_logit_exercise(rng: random.Random, s: Settings) -> Exercise:
    """The binary cross-entropy of a label and the sigmoid of a logit ``z = ln k``."""
    y, k = _logit_odds(rng, s)
    b, z = s.base, sp.log(k)
    q = k / (1 + k)
    ell = sp.Function("ell")(_y, _z)
    numbers = {_y: sp.Integer(y), _z: z}
    exact = measures.binary_cross_entropy(y, q, base=b)

    def value_of(e: sp.Expr) -> sp.Expr:
        if e == ell:
            return exact
        plain = to_sympy(e.xreplace(numbers))
        return plain.replace(lambda f: isinstance(f, _sigma), lambda f: 1 / (1 + sp.exp(-f.args[0])))

    definition = ordered_mul(-1, ordered_add([ordered_mul(_y, BaseLog(_sigma(_z), b)),
                                              ordered_mul(ordered_add([1, -_y]), BaseLog(1 - _sigma(_z), b))]))
    softplus = ordered_add([ordered_mul(_y, BaseLog(1 + sp.exp(-_z), b)),
                            ordered_mul(ordered_add([1, -_y]), BaseLog(1 + sp.exp(_z), b))])
    arg = 1 + (1 / k if y == 1 else k)  # 1 + e^{-z} or 1 + e^{z}
    rewrites = [(definition, "definition, with $\\sigma(z) = 1/(1 + e^{-z})$"),
                (softplus, "$-\\ln \\sigma(z) = \\ln(1 + e^{-z})$ and $-\\ln(1 - \\sigma(z)) = \\ln(1 + e^{z})$"),
                (BaseLog(arg, b), f"substitute $y = {y}$ and $e^{{{'-' if y == 1 else ''}z}} = {latex(arg - 1)}$"),
                (expanded(sp.Integer(1), arg, b), "log of a product or quotient"),
                (collected([(sp.Integer(1), arg)], sp.Integer(1), b), "collect terms")]
    steps = chain(ell, rewrites, value_of)
    d = Derivation("sheet_bce_logit", f"Binary cross-entropy from a logit, in {s.unit}", ell, "=",
                   steps[-1].after, tuple(steps), (Assumption(sp.Symbol("b"), f"logarithms to {s.base_text}"),))
    value = evaluate(exact, s.digits)
    given = (Given(_y, (sp.Integer(y),), "the label"), Given(_z, (z,), "the logit"))
    prompt = (f"A logistic model outputs the logit $z = {latex(z)}$ for a sample whose label is $y = {y}$. "
              f"Compute the binary cross-entropy ${_BCE}$, with $\\sigma(z) = 1/(1 + e^{{-z}})$, "
              f"in {s.unit} (logarithms to {s.base_text}): give the "
              f"exact value and a decimal to {s.digits} significant digits.")
    return Exercise("bce-logit", "Binary cross-entropy from a logit", prompt,
                    (Part(d, given, Approximation(value.decimal, value.digits, s.unit)),), d.rhs, value.decimal,
                    s.unit, (q,))


# -- Gaussian NLL against MSE -------------------------------------------------------------------

def check_with_pi(before: sp.Expr, after: sp.Expr) -> tuple[StepStatus, str]:
    """("verified", how) when the two values are equal with ``ln pi`` kept as an independent term.

    >>> check_with_pi(sp.log(2 * sp.pi) / 2, sp.log(2) / 2 + sp.log(sp.pi) / 2)[0]
    'verified'
    >>> check_with_pi(sp.log(sp.pi), sp.Integer(1))[0]
    'failed'
    """
    t = sp.Symbol("varpi", positive=True)
    diff = sp.expand(sp.expand_log(to_sympy(sp.Add(before, -after)).xreplace({sp.pi: t}), force=True))
    c = diff.coeff(sp.log(t))
    rest = sp.expand(diff - c * sp.log(t))
    if closed_form(c) == 0 and closed_form(rest) == 0:
        return "verified", "exact: equal sums of logarithms of rationals and of pi"
    gap = evaluate(before - after, 15)
    if gap.lower > 0 or gap.upper < 0:
        return "failed", f"the two sides differ by {gap} (certified evaluation)"
    return "unverified", "outside the exact normal form"


def _evaluated(e: sp.Expr) -> sp.Expr:
    """``e`` rebuilt with evaluation: the unevaluated sums and powers written for the reader, done."""
    return e if e.is_Atom else e.func(*(_evaluated(a) for a in e.args))


def _steps(lhs: sp.Expr, rewrites, value_of) -> list[Step]:
    steps, current = [], lhs
    for after, why in rewrites:
        status, detail = check_with_pi(value_of(current), value_of(after))
        steps.append(Step(current, after, "=", why, status=status, detail=detail))
        current = after
    return steps


def _regression(rng: random.Random, level: str) -> tuple[list, list, sp.Rational]:
    """Targets, predicted means (not all equal to the targets) and sigma, at the level's niceness."""
    step = {"dyadic": sp.Rational(1, 2), "fractions": sp.Rational(1, 3), "decimals": sp.Rational(1, 10)}[level]
    n = rng.randint(2, 4)
    ys = [step * rng.randint(-6, 6) for _ in range(n)]
    mus = [y + step * rng.randint(-2, 2) for y in ys]
    if mus == ys:
        mus[0] += step
    sigma = rng.choice({"dyadic": (sp.Rational(1, 2), 1, 2), "fractions": (sp.Rational(1, 3), sp.Rational(2, 3), 1),
                        "decimals": (sp.Rational(1, 2), 1, sp.Rational(3, 2))}[level])
    return ys, mus, sp.Integer(sigma) if isinstance(sigma, int) else sigma


def gaussian_nll_exercise(rng: random.Random, s: Settings) -> Exercise:
    """The MSE and the Gaussian NLL (nats) of predicted means with a fixed sigma, and how they relate."""
    ys, mus, sigma = _regression(rng, s.level)
    n = len(ys)
    mse_value, nll_value = measures.mse(ys, mus), measures.gaussian_nll(ys, mus, sigma)
    mse, nll, i = sp.Symbol(r"\mathrm{MSE}"), sp.Symbol(r"\mathrm{NLL}"), sp.Symbol("i", integer=True, positive=True)
    y, mu, sg = sp.IndexedBase("y"), sp.IndexedBase("mu"), sp.Symbol("sigma", positive=True)
    data = {sg: sigma, mse: mse_value, nll: nll_value}

    def value_of(e: sp.Expr) -> sp.Expr:
        plain = e.xreplace(data)
        if plain.has(sp.Sum):
            plain = plain.doit().replace(lambda f: isinstance(f, sp.Indexed),
                                         lambda f: (ys if f.base == y else mus)[int(f.indices[0]) - 1])
        return _evaluated(to_sympy(plain))

    squares = [sp.Pow(ordered_add([a, -m]), 2, evaluate=False) for a, m in zip(ys, mus)]
    error = sp.Pow(ordered_add([y[i], -mu[i]]), 2, evaluate=False)
    mse_steps = _steps(mse, [(ordered_mul(sp.Rational(1, n), sp.Sum(error, (i, 1, n))), "definition"),
                             (ordered_mul(sp.Rational(1, n), ordered_add(squares)), "substitute the numbers"),
                             (mse_value, "arithmetic")], value_of)
    half_log = ordered_mul(sp.Rational(1, 2), sp.log(2 * sp.pi * sg**2, evaluate=False))
    nll_steps = _steps(nll, [
        (ordered_mul(sp.Rational(1, n), sp.Sum(ordered_add([error / (2 * sg**2), half_log]), (i, 1, n))),
         "definition: minus the log-density of $N(\\mu_i, \\sigma^2)$, averaged"),
        (ordered_add([mse / (2 * sg**2), half_log]), "the mean of the squared errors is the MSE"),
        (ordered_add([mse_value / (2 * sigma**2), sp.Rational(1, 2) * sp.log(2 * sp.pi * sigma**2)]),
         f"substitute $\\mathrm{{MSE}} = {latex(mse_value)}$ and $\\sigma = {latex(sigma)}$")], value_of)
    assumptions = (Assumption(sg, "a fixed standard deviation $\\sigma$; values in nats"),)
    mse_d = Derivation("sheet_mse", "Mean squared error", mse, "=", mse_steps[-1].after, tuple(mse_steps))
    nll_d = Derivation("sheet_gaussian_nll", "Gaussian negative log-likelihood, in nats", nll, "=",
                       nll_steps[-1].after, tuple(nll_steps), assumptions)
    v_mse, v_nll = evaluate(mse_value, s.digits), evaluate(nll_value, s.digits)
    prompt = (f"A regression model predicts the means $\\mu = {show_list(mus, s.level)}$ for the targets "
              f"$y = {show_list(ys, s.level)}$, with a fixed standard deviation $\\sigma = {show(sigma, s.level)}$. "
              f"Compute the mean squared error and the Gaussian negative log-likelihood (mean over the samples, "
              f"in nats), exactly and to {s.digits} significant digits, and show that "
              f"$\\mathrm{{NLL}} = \\mathrm{{MSE}}/(2\\sigma^2) + \\tfrac12 \\ln(2\\pi\\sigma^2)$.")
    return Exercise("gaussian-nll", "Gaussian NLL and mean squared error", prompt,
                    (Part(mse_d, (), Approximation(v_mse.decimal, v_mse.digits, "")),
                     Part(nll_d, (), Approximation(v_nll.decimal, v_nll.digits, "nats"))),
                    nll_d.rhs, v_nll.decimal, "nats", ())
