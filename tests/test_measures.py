"""Known values (every figure of the worked examples, to 40 digits), conventions and errors."""

import pytest
import sympy as sp

from symxent import (BaseError, Categorical, DomainError, NormalizationError, ShapeError, binary_cross_entropy,
                     categorical_cross_entropy, closed_form, cross_entropy, entropy, evaluate, gaussian_nll,
                     kl_divergence, log_loss, mse, symbolic_distribution, unit_of)
from symxent.examples import EXAMPLE_1, EXAMPLE_2

P, Q = EXAMPLE_1.p, EXAMPLE_1.q

EXAMPLE_1_FIGURES = [  # (quantity, arguments, 40 significant digits in bits)
    (cross_entropy, (P, Q), "3.287943094598899875288823851910263572361"),
    (cross_entropy, (Q, P), "2.905831690142994230476803458014920667072"),
    (entropy, (P,), "1.360964047443681173935159714744695087932"),
    (entropy, (Q,), "0.8841837197791889206522585878972176995509"),
    (kl_divergence, (P, Q), "1.926979047155218701353664137165568484428"),
    (kl_divergence, (Q, P), "2.021647970363805309824544870117702967521"),
]


@pytest.mark.parametrize("measure, args, expected", EXAMPLE_1_FIGURES)
def test_example_1_to_40_digits(measure, args, expected):
    assert evaluate(measure(*args, base=2), 40).decimal == expected


@pytest.mark.parametrize("measure, args, expected", EXAMPLE_1_FIGURES)
def test_example_1_three_decimals(measure, args, expected):
    from symxent.tour import fixed
    assert fixed(measure(*args, base=2), 3) == f"{float(expected):.3f}"


def test_example_1_closed_form_of_the_cross_entropy():
    spec_form = sp.Rational(8, 5) + (3 * sp.log(5) - 2 * sp.log(sp.Rational(3, 5))) / (5 * sp.log(2))
    assert closed_form(cross_entropy(P, Q, base=2) - spec_form) == 0


BCE_FIGURES = [(1, "0.8", "0.22314355131420975577"), (1, "0.6", "0.51082562376599068321"),
               (0, "0.3", "0.35667494393873237891"), (1, "0.9", "0.10536051565782630123"),
               (0, "0.1", "0.10536051565782630123"), (0, "0.4", "0.51082562376599068321")]


@pytest.mark.parametrize("y, q, expected", BCE_FIGURES)
def test_per_sample_bce(y, q, expected):
    assert evaluate(binary_cross_entropy(y, q), 20).decimal == expected


def test_example_2_log_loss_under_both_readings():
    decimal = log_loss(EXAMPLE_2.labels, EXAMPLE_2.predictions)
    binary = log_loss(EXAMPLE_2.labels, EXAMPLE_2.prediction_floats)
    assert evaluate(decimal, 40).decimal == "0.2469198908044648217532556098135263051069"
    assert evaluate(binary, 40).decimal == "0.2469198908044648141535146674389433758578"
    assert evaluate(decimal, 16).decimal == evaluate(binary, 16).decimal
    assert evaluate(decimal, 17).decimal != evaluate(binary, 17).decimal


CONVENTIONS = [
    (entropy([1, 0]), 0),
    (cross_entropy([0, 1], [0, 1]), 0),
    (cross_entropy([1, 0], [0, 1]), sp.oo),
    (kl_divergence([1, 0], [0, 1]), sp.oo),
    (kl_divergence([0, 1], [1, 0]), sp.oo),
    (kl_divergence(["0.5", "0.5", 0], ["0.25", "0.25", "0.5"]), sp.log(2)),
    (binary_cross_entropy(1, 1), 0),
    (binary_cross_entropy(0, 1), sp.oo),
    (entropy(["1/2", "1/4", "1/4"], base=2), sp.Rational(3, 2)),
    (entropy(["0.5", "0.5"], base=2), 1),
    (entropy(["0.1"] * 10, base=10), 1),
    (categorical_cross_entropy(0, ["0.5", "0.5"], base=2), 1),
    (log_loss([2, 0], [["0.2", "0.3", "0.5"], ["0.5", "0.25", "0.25"]], base=2), 1),
    (mse([1, 2], ["1.5", "2"]), sp.Rational(1, 8)),
]


@pytest.mark.parametrize("value, expected", CONVENTIONS)
def test_conventions(value, expected):
    assert value == expected or closed_form(value - expected) == 0


def test_infinity_evaluates_to_inf():
    v = evaluate(cross_entropy([1, 0], [0, 1]))
    assert v.decimal == "inf" and v.float64 == float("inf")


def test_units():
    assert [unit_of(sp.sympify(b)) for b in (2, sp.E, 10, 3)] == ["bits", "nats", "hartleys", "base 3"]


def test_symbolic_two_events():
    p, q = sp.symbols("p q", positive=True)
    assert cross_entropy([p, 1 - p], [q, 1 - q]) == -p * sp.log(q) - (1 - p) * sp.log(1 - q)
    assert binary_cross_entropy(p, q, base=2) == (-p * sp.log(q) - (1 - p) * sp.log(1 - q)) / sp.log(2) \
        or sp.simplify(binary_cross_entropy(p, q, base=2) * sp.log(2) + p * sp.log(q) + (1 - p) * sp.log(1 - q)) == 0


def test_symbolic_n_events():
    Pn, Qn = symbolic_distribution("p"), symbolic_distribution("q")
    i, n = Pn.index, Pn.n
    assert cross_entropy(Pn, Qn) == -sp.Sum(Pn.term() * sp.log(Qn.term()), (i, 1, n))
    assert kl_divergence(Pn, Qn, base=2) == sp.Sum(Pn.term() * sp.log(Pn.term() / Qn.term()), (i, 1, n)) / sp.log(2)
    concrete = cross_entropy(Pn, Qn).subs(n, 2).doit()
    assert concrete == -Pn.base[1] * sp.log(Qn.base[1]) - Pn.base[2] * sp.log(Qn.base[2])


def test_symbolic_base():
    b = sp.Symbol("b", positive=True)
    assert entropy(["0.5", "0.5"], base=b) == sp.log(2) / sp.log(b)


def test_gaussian_nll_is_mse_affine():
    y, mu = ["1", "2", "4"], ["1.5", "2", "3"]
    nll = gaussian_nll(y, mu, 2)
    assert sp.simplify(nll - (mse(y, mu) / 8 + sp.log(8 * sp.pi) / 2)) == 0


ERRORS = [
    (lambda: entropy(["0.1", "0.4", "0.6"]), NormalizationError, "sums to"),
    (lambda: entropy([0.1, 0.4, 0.5]), NormalizationError, "floats='shortest'"),
    (lambda: entropy(["-0.1", "1.1"]), DomainError, r"P\[0\]"),
    (lambda: entropy(["1.5", "-0.5"]), DomainError, "outside"),
    (lambda: cross_entropy(["0.5", "0.5"], ["1"]), ShapeError, "entries"),
    (lambda: entropy(["1"], base=1), BaseError, "base"),
    (lambda: entropy(["1"], base=-2), BaseError, "base"),
    (lambda: entropy(["1"], base="x"), BaseError, "base"),
    (lambda: log_loss([2], ["0.5"]), DomainError, "binary label"),
    (lambda: log_loss([1, 0], ["0.5"]), ShapeError, "entries"),
    (lambda: log_loss([3], [["0.5", "0.5"]]), DomainError, "class"),
    (lambda: gaussian_nll(1, 0, 0), DomainError, "sigma"),
    (lambda: entropy([]), ShapeError, "empty"),
]


@pytest.mark.parametrize("call, error, message", ERRORS)
def test_errors_name_the_offending_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_float_data_with_explicit_tolerance_or_normalisation():
    floats = [0.1, 0.4, 0.5]
    kept = Categorical(floats, tol=1e-15)
    assert kept.probs == tuple(sp.Rational(*f.as_integer_ratio()) for f in floats)  # never rescaled
    assert sum(Categorical(floats, normalize=True).probs) == 1
    assert Categorical(floats, floats="shortest").probs == (sp.Rational(1, 10), sp.Rational(2, 5), sp.Rational(1, 2))


def test_symbolic_entries_only_fail_when_provably_wrong():
    p = sp.Symbol("p")
    Categorical([p, 1 - p])
    with pytest.raises(NormalizationError):
        Categorical([p / 2, 2 - p / 2])
    Categorical([p, sp.Rational(3, 2) - 2 * p])  # sums to 1 when p = 1/2: not provably wrong
    with pytest.raises(DomainError):
        Categorical([sp.Symbol("a", negative=True), 1])
