"""The testing kit: exact-valued strategies, array assertions with a table, certified gradients."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from symxent.crosscheck import exact_value, make_problem
from symxent.crosscheck.gradients import exact_gradient, formula
from symxent.exact.interval import to_fraction
from symxent.exact.rounding import FORMATS, round_binary, ulp
from symxent.testing import UlpAssertionError, assert_array_ulp_close
from symxent.testing import strategies as xst

pytest_plugins = ["pytester"]
DTYPES = ["float64", "float32", "bfloat16"]


# ------------------------------------------------------------------ strategies draw what they say

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sum_ulps", [0, 1, -1])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_probability_vectors_sum_exactly_to_their_total(dtype, sum_ulps, data):
    d = data.draw(xst.probability_vectors(dtype=dtype, sum_ulps=sum_ulps))
    f = FORMATS[dtype]
    one = Fraction(1)
    expected = one + (sum_ulps * ulp(one, f) if sum_ulps >= 0 else sum_ulps * ulp(one, f) / 2)
    assert sum(d.exact) == d.total == expected
    assert str(d.array.dtype) == dtype and 2 <= len(d.exact) <= 24
    assert all(round_binary(e, f) == e and Fraction(float(v)) == e for e, v in zip(d.exact, d.values))


@settings(max_examples=20, deadline=None)
@given(xst.probability_vectors(n=3, zeros=False))
def test_fixed_size_vectors(d):
    assert len(d.exact) == 3 and min(d.exact) > 0 and sum(d.exact) == 1


def test_tiny_entries_come_with_the_expansion_that_keeps_the_sum_exact():
    quick = settings(database=None, max_examples=500, phases=[Phase.generate])  # the first one found, unshrunk
    d = find(xst.probability_vectors(zeros=False), lambda d: min(d.exact) < 1e-300, settings=quick)
    assert sum(d.exact) == 1 and len(d.exact) > 2


@settings(max_examples=30, deadline=None)
@given(xst.nearly_equal_pairs(dtype="float32"))
def test_nearly_equal_pairs_move_a_few_ulps_and_stay_exact(d):
    f = FORMATS["float32"]
    assert d.Q.total == d.P.total == 1
    assert all(round_binary(e, f) == e for e in d.Q.exact)
    diff = [a - b for a, b in zip(d.P.exact, d.Q.exact)]
    assert diff[d.i] == d.delta == -diff[d.j] and sum(1 for v in diff if v) in (0, 2)
    assert d.delta <= 4 * max(ulp(d.P.exact[d.i], f), ulp(d.P.exact[d.j], f))


@settings(max_examples=30, deadline=None)
@given(xst.binary_problems(dtype="bfloat16"), xst.binary_problems(logits=True, soft=True))
def test_binary_draws(probs, logits):
    assert set(probs.exact_target) <= {0, 1} and all(0 < q < 1 for q in probs.exact_prediction)
    assert str(probs.prediction.dtype) == "bfloat16"
    assert all(0 <= y <= 1 for y in logits.exact_target) and all(math.isfinite(x) for x in logits.exact_prediction)
    assert logits.problem(reduction="none").n_samples == len(logits.exact_target)


@settings(max_examples=15, deadline=None)
@given(xst.logit_rows(max_classes=10**5, weights=True, smoothing=True))
def test_logit_rows_up_to_1e5_classes(d):
    n, k = d.logits.shape
    assert not np.any(np.all(d.values == -np.inf, axis=1)) and np.all((0 <= d.labels) & (d.labels < k))
    assert d.weight.shape == (k,) and np.all(d.weight >= 0) and np.any(d.weight > 0)
    assert 0 <= d.label_smoothing <= 1
    assert d.problem().n_samples == n


@settings(max_examples=10, deadline=None)
@given(xst.logit_rows(soft=True, max_classes=6))
def test_soft_labels_are_distributions(d):
    assert all(sum(Fraction(float(v)) for v in row) == 1 for row in d.soft)  # exactly (the float sum may round)


def test_strategies_shrink_to_simple_examples():
    quick = settings(database=None)
    assert find(xst.probability_vectors(), lambda d: True, settings=quick).exact == (Fraction(1, 2), Fraction(1, 2))
    b = find(xst.binary_problems(), lambda d: True, settings=quick)
    assert b.exact_target == (0,) and b.exact_prediction == (Fraction(1, 2),)
    assert find(xst.logit_values(), lambda v: True, settings=quick) == 0.0
    assert find(xst.class_weights(2), lambda w: True, settings=quick).tolist() == [1.0, 1.0]


def test_bfloat16_is_refused_clearly_without_ml_dtypes(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_ml_dtypes(name, *args, **kwargs):
        if name == "ml_dtypes":
            raise ImportError(name)
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_ml_dtypes)
    from symxent.errors import UnsupportedError
    with pytest.raises(UnsupportedError, match="ml_dtypes"):
        xst.unit_floats("bfloat16")


def test_symxent_testing_does_not_import_hypothesis():
    code = "import sys, symxent.testing; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_public_names_of_the_kit():
    import symxent.testing as kit
    for module in (kit, xst):
        assert len(module.__all__) == len(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), name


# ------------------------------------------------------------------ certified gradients

def test_formulas_are_the_derivatives_of_the_measures():
    from symxent.crosscheck.gradients import a_ as a, mu_ as mu, p_ as p, q_ as q, r_ as r, s_ as s, v_ as v
    from symxent.crosscheck.gradients import x_ as x, y_ as y
    assert sp.simplify(formula("bce") - ((1 - y) / (1 - q) - y / q)) == 0
    assert sp.simplify(formula("bce", logits=True) - (1 / (1 + sp.exp(-x)) - y)) == 0
    assert sp.simplify(formula("kl") + p / q) == 0
    # softmax - y: with r = sum of the other e^{x_k}, s e^x / (e^x + r) - a
    assert sp.simplify(formula("cce", logits=True) - (s * sp.exp(x) / (sp.exp(x) + r) - a)) == 0
    assert sp.simplify(formula("gaussian_nll") - (mu - y) / v) == 0


@settings(max_examples=15, deadline=None)
@given(xst.logit_rows(max_classes=8, neg_inf=True, smoothing=True))
def test_softmax_gradient_contains_a_high_precision_reference(d):
    p = d.problem(reduction="sum")
    got = exact_gradient(p, digits=20)
    k = d.values.shape[1]
    eps = mpmath.mpf(d.label_smoothing)
    with mpmath.workprec(400):
        for i, row in enumerate(d.values):
            finite = [mpmath.mpf(v) for v in row if v != -np.inf]
            m = max(finite)
            total = mpmath.fsum(mpmath.exp(z - m) for z in finite)
            exps = [mpmath.mpf(0) if z == -np.inf else mpmath.exp(mpmath.mpf(z) - m) for z in row]
            for j, z in enumerate(row):
                t = (1 - eps) * (1 if j == d.labels[i] else 0) + eps / k
                # softmax_j - t = (e_j (1 - t) - t sum_{k != j} e_k) / S: no cancellation of 1 - tiny against 1
                rest = mpmath.fsum(e for c, e in enumerate(exps) if c != j)
                ref = to_fraction(((exps[j] * (1 - t) - t * rest) / total)._mpf_)
                e = got[i * k + j].enclosure
                slack = abs(ref) / 2**300 + Fraction(1, 2**1400)
                assert e.lo - slack <= ref <= e.hi + slack


def test_gradient_of_the_mean_divides_by_the_weighted_count():
    p = make_problem("cce", [1, 0], [[0.0, 0.0], [0.0, 0.0]], logits=True, weight=[1.0, 3.0])
    g = [float(c) for c in exact_gradient(p)]
    assert g == [0.5 * 3 / 4, -0.5 * 3 / 4, -0.5 / 4, 0.5 / 4]


def test_gaussian_gradients_are_exact_rationals():
    p = make_problem("gaussian_nll", [1.0], [0.0], var=[2.0], reduction="sum")
    assert exact_gradient(p)[0].value == Fraction(-1, 2)
    assert exact_gradient(p, "var")[0].value == Fraction(1, 4) - Fraction(1, 8)


def test_edges_of_the_domain_are_one_sided_limits():
    g = exact_gradient(make_problem("bce", [1, 0, 0, 1], [0.0, 1.0, 0.0, 1.0], reduction="sum"))
    assert [float(c) for c in g] == [-math.inf, math.inf, 1.0, -1.0]


# ------------------------------------------------------------------ against torch.autograd

def _torch():
    return pytest.importorskip("torch")


@settings(max_examples=25, deadline=None)
@given(xst.binary_problems(logits=True))
def test_torch_bce_with_logits_gradient_is_sigmoid_minus_y_rounded(d):
    """torch forms sigmoid(x) - y in floats: the error is a few ULPs of 1, not of the result (at
    y = 1, x = 2 it is 9 ULPs of the gradient, which Hypothesis finds at once)."""
    torch = _torch()
    x = torch.tensor(d.prediction, requires_grad=True)
    torch.nn.functional.binary_cross_entropy_with_logits(x, torch.tensor(d.target), reduction="sum").backward()
    exact = exact_gradient(d.problem(reduction="sum"))
    for got, e in zip(x.grad.tolist(), exact):
        assert abs(Fraction(got) - e.value) <= 2 * ulp(Fraction(1))


def test_torch_bce_gradient_clamp_is_reported_with_its_cause():
    torch = _torch()
    p = make_problem("bce", [1.0, 0.0], [2.0**-145, 0.25], reduction="sum")
    q = torch.tensor(p.prediction, requires_grad=True)
    torch.nn.functional.binary_cross_entropy(q, torch.tensor(p.target), reduction="sum").backward()
    with pytest.raises(UlpAssertionError) as info:
        assert_array_ulp_close(q.grad, p, grad="q", ulps=4, call="torch.binary_cross_entropy")
    text = str(info.value)
    assert "1 of 2 elements" in text and "[0]    y=1.0, q=2.2420775429197073e-44" in text
    assert "cause   semantics:" in text and "max(q (1 - q), 1e-12)" in text


def test_reduction_none_table_names_torch_clamp_and_lists_worst_first():
    torch = _torch()
    p = make_problem("bce", [1.0, 1.0, 1.0], [2.0**-150, 0.5, 2.0**-146], reduction="none")
    out = torch.nn.functional.binary_cross_entropy(torch.tensor(p.prediction), torch.tensor(p.target), reduction="none")
    with pytest.raises(UlpAssertionError) as info:
        assert_array_ulp_close(out, p, ulps=2, call="torch.nn.functional.binary_cross_entropy")
    lines = str(info.value).splitlines()
    assert lines[0].startswith("2 of 3 elements are more than 2 ULPs") and "worst: [0]" in lines[0]
    assert lines[1].split() == ["index", "inputs", "value", "exact", "ULPs"]
    assert lines[2].lstrip().startswith("[0]") and lines[3].lstrip().startswith("[2]")
    assert "each log is clamped at -100" in lines[-1]


def _torch_bce_fails(d) -> bool:
    torch = _torch()
    out = torch.nn.functional.binary_cross_entropy(torch.tensor(d.prediction), torch.tensor(d.target),
                                                   reduction="none")
    try:
        assert_array_ulp_close(out, d.problem(reduction="none"), ulps=4)
    except UlpAssertionError:
        return True
    return False


def test_shrunk_counterexample_of_torch_bce_clamp_is_the_minimal_one():
    """torch clamps log q at -100: the simplest failing draw is one sample, y = 1, and the largest
    power of two below e^-100 (2^-145; 2^-144 > e^-100 still passes)."""
    _torch()
    d = find(xst.binary_problems(), _torch_bce_fails,
             settings=settings(database=None, max_examples=1000, derandomize=True))
    assert d.exact_target == (1,) and d.exact_prediction == (Fraction(1, 2**145),)
    assert Fraction(1, 2**145) < Fraction(to_fraction(mpmath.exp(-100)._mpf_)) < Fraction(1, 2**144)
    simpler = xst.BinaryDraw(d.target, np.array([2.0**-144]), d.exact_target, (Fraction(1, 2**144),), "float64", False)
    assert not _torch_bce_fails(simpler)


# ------------------------------------------------------------------ a user's failing test, with pytester

def _plugin_args() -> list[str]:
    from tests.test_testing_plugin import _load_plugin
    return _load_plugin()


def test_user_suite_without_torch_shows_the_table(pytester):
    pytester.makepyfile(
        """
        import numpy as np
        from hypothesis import given, settings
        from symxent.testing import assert_array_ulp_close
        from symxent.testing.strategies import binary_problems

        def naive_bce_with_logits(x, y):
            return np.log(1 + np.exp(x)) - y * x      # overflows for x > 709, loses log1p for x << 0

        @settings(database=None, derandomize=True, max_examples=200)
        @given(binary_problems(logits=True))
        def test_softplus(d):
            with np.errstate(all="ignore"):
                out = naive_bce_with_logits(d.prediction, d.target)
            assert_array_ulp_close(out, d.problem(reduction="none"), ulps=4)
        """
    )
    result = pytester.runpytest_inprocess(*_plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*UlpAssertionError: 1 of 1 elements are more than 4 ULPs*",
                                 "*index*inputs*value*exact*ULPs*",
                                 "*[[]0[]]*y=*x=*",
                                 "*oracle  mathematics: bce (none) of exact binary values of float64 inputs*",
                                 "*Failing test case*", "*prediction=array([[]-3.[]])*"])


def test_user_suite_with_torch_names_the_clamp(pytester):
    _torch()
    pytester.makepyfile(
        """
        import torch
        from hypothesis import given, settings
        from symxent.testing import assert_array_ulp_close
        from symxent.testing.strategies import binary_problems

        @settings(database=None, derandomize=True, max_examples=300)
        @given(binary_problems())
        def test_bce(d):
            y, q = torch.tensor(d.target), torch.tensor(d.prediction)
            out = torch.nn.functional.binary_cross_entropy(q, y, reduction="none")
            assert_array_ulp_close(out, d.problem("bce", reduction="none"), ulps=4,
                                   call="torch.binary_cross_entropy")

        def test_cross_entropy_gradient(ulp_close):
            x = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64, requires_grad=True)
            torch.nn.functional.cross_entropy(x, torch.tensor([0])).backward()
            from symxent.crosscheck import make_problem
            assert_array_ulp_close(x.grad, make_problem("cce", [0], x.detach(), logits=True), grad="logits", ulps=8)
        """
    )
    result = pytester.runpytest_inprocess(*_plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*1 of 1 elements are more than 4 ULPs from the exact values*",
                                 "*[[]0[]]*y=1.0, q=*100.0*",
                                 "*cause   semantics: each log is clamped at -100*"])


# ------------------------------------------------------------------ symxent check --grad

def test_cli_grad_table_and_exit_code(capsys):
    _torch()
    from symxent.cli import main
    assert main(["check", "bce", "--y", "1,0,1", "--q", "0.5,0.25,1e-44", "--libs", "torch", "--grad",
                 "--fail-on", "semantics"]) == 1
    out = capsys.readouterr().out
    assert "gradient of bce (mean) with respect to prediction" in out
    assert "index  value" in out and "semantics: element [2]" in out


def test_cli_grad_json_and_errors(capsys):
    from symxent.cli import main
    assert main(["check", "gaussian_nll", "--y", "1", "--q", "0", "--var", "2", "--grad", "var", "--json",
                 "--libs", "numpy"]) == 0
    import json
    data = json.loads(capsys.readouterr().out)
    assert data["wrt"] == "var" and data["exact"] == ["0.125000000000000000000000000000"]
    assert main(["check", "mse", "--y", "1", "--q", "0", "--grad"]) == 2
    assert "has no certified gradient" in capsys.readouterr().err


def test_exact_value_of_a_drawn_vector_matches_the_problem():
    d = find(xst.probability_vectors(), lambda d: len(d.exact) == 2, settings=settings(database=None))
    assert str(exact_value(d.problem(), 10)) == "0.6931471806"


# ------------------------------------------------------------------ the row at once, against each element on its own

def _rows_agree(p) -> None:
    from symxent.crosscheck import gradients as G
    fast = exact_gradient(p, digits=25)
    k = p.prediction.shape[1]
    slow = []
    for i in range(p.prediction.shape[0]):  # every element certified on its own (the reference path)
        t = ([Fraction(int(c == int(p.target[i]))) for c in range(k)] if p.integer_labels
             else [Fraction(v) for v in p.target[i].tolist()])
        w = [Fraction(v) for v in (p.weight.tolist() if p.weight is not None else [1] * k)]
        eps = Fraction(p.label_smoothing)
        a = [wc * ((1 - eps) * tc + eps / k) for wc, tc in zip(w, t)]
        slow += G._softmax_row_slow(p.prediction[i], a, sum(a, Fraction(0)), Fraction(1), 25)
    for f, s in zip(fast, slow):
        lo, hi = max(f.enclosure.lo, s.enclosure.lo), min(f.enclosure.hi, s.enclosure.hi)
        assert lo <= hi, (f, s)  # the two enclosures of the same number meet
        assert str(f) == str(s) and f.floats == s.floats


@settings(max_examples=25, deadline=None)
@given(xst.logit_rows(max_classes=12, neg_inf=True, smoothing=True, weights=True))
def test_softmax_row_at_once_agrees_with_each_element_on_its_own(d):
    _rows_agree(d.problem(reduction="sum"))


def test_softmax_row_with_huge_spread_and_a_certain_class():
    x = [[0.0, -800.0, -1200.0, -np.inf, 5.0], [1e-300, 2.0**-1074, -1e-300, 700.0, 700.0]]
    _rows_agree(make_problem("cce", [4, 3], x, logits=True, reduction="sum"))
    _rows_agree(make_problem("cce", [[0.25, 0.25, 0.25, 0.0, 0.25], [0.0, 0.0, 0.0, 0.5, 0.5]], x, logits=True,
                             reduction="sum"))


def test_softmax_gradient_of_a_wide_row_is_the_reference_at_sampled_classes():
    """K = 10^4 goes through the shared enclosure (the old per-element path took about 15 s; the
    ratio is printed, not asserted: no timed tests)."""
    import time
    from symxent.crosscheck import gradients as G
    rng = np.random.default_rng(7)
    k = 10**4
    x = rng.normal(size=(1, k)) * 8
    p = make_problem("cce", [17], x, logits=True, reduction="sum")
    start = time.perf_counter()
    g = exact_gradient(p)
    fast = time.perf_counter() - start
    assert len(g) == k and all(isinstance(c, G.LazyCertified) for c in g)
    picks = sorted({17, 0, k - 1, *rng.integers(0, k, 5).tolist()})
    a = [Fraction(int(c == 17)) for c in range(k)]
    start = time.perf_counter()
    slow = G._softmax_row_slow(p.prediction[0], a, Fraction(1), Fraction(1), 30, picks)
    per_element = (time.perf_counter() - start) / len(picks)
    for j, s in zip(picks, slow):
        assert str(g[j]) == str(s) and g[j].floats == s.floats
    assert abs(sum(c.value for c in g)) < Fraction(1, 2**90)  # the softmax sums to 1, the target too
    print(f"K = 10^4: {fast:.2f} s at once; each element on its own would take {per_element * k / fast:.0f}x that")


# ------------------------------------------------------------------ the documented examples run, as a user's tests

def _documented_blocks() -> dict[str, str]:
    """The ``.. code-block:: python`` examples of symxent.testing.strategies, by their heading."""
    import textwrap
    doc = xst.__doc__
    out = {}
    for head in ("pytest + torch:", "pytest + JAX:"):
        body = doc.split(head, 1)[1].split(".. code-block:: python", 1)[1]
        lines = []
        for line in body.splitlines()[1:]:
            if line and not line.startswith("    "):
                break
            lines.append(line)
        out[head.split("+ ")[1].rstrip(":")] = textwrap.dedent("\n".join(lines))
    return out


@pytest.mark.parametrize("library", ["torch", "JAX"])
def test_the_documented_examples_run_as_a_users_tests(library, tmp_path):
    """Each example finds its library's deviation and names it: torch's clamp of log q at -100,
    JAX's softmax - y cancelling near a certain label."""
    for module in (["torch"] if library == "torch" else ["jax", "optax"]):
        pytest.importorskip(module)
    code = _documented_blocks()[library]
    assert "assert_array_ulp_close" in code and "@given" in code
    examples = 300 if library == "torch" else 40  # a JAX call per new shape is slow
    settings_line = (f"from hypothesis import Phase, settings\nsettings.register_profile('doc', max_examples={examples}, "
                     "deadline=None, derandomize=True, database=None, phases=[Phase.generate])\n"
                     "settings.load_profile('doc')\n")  # the first failing draw, unshrunk (a JAX call per shape)
    (tmp_path / "test_documented.py").write_text(settings_line + code)
    # in a subprocess, without the pytester fixture: its restored sys.modules would drop what JAX
    # imports lazily, and importing jaxlib a second time aborts the process
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_documented.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=400)
    assert result.returncode == 1 and "1 failed" in result.stdout, result.stdout[-3000:]
    cause = "each log is clamped at -100" if library == "torch" else "the backward forms softmax - target"
    assert "cause   semantics: " in result.stdout and cause in result.stdout, result.stdout[-3000:]


# ------------------------------------------------------------------ jax.grad, Keras and the libraries without autograd

def _jax():
    pytest.importorskip("optax")
    return pytest.importorskip("jax")


@settings(max_examples=20, deadline=None)
@given(xst.binary_problems(logits=True, soft=True))
def test_jax_bce_with_logits_gradient_is_rounding_or_its_named_convention(d):
    _jax()
    from symxent.crosscheck.autograd import compare_gradients
    r = compare_gradients(d.problem(reduction="sum"), libs=["jax"])
    assert len(r.results) == 2  # the process's mode, and the other one for float64 inputs
    for row in r.results:
        assert row.verdict in ("rounding", "semantics"), row.explanation
        if row.verdict == "semantics":
            assert "optax differentiates log_sigmoid" in row.explanation or "casts the float64" in row.explanation


@settings(max_examples=15, deadline=None)
@given(xst.logit_rows(max_classes=8, neg_inf=False, smoothing=True))
def test_jax_softmax_gradient_is_rounding_in_either_mode(d):
    _jax()
    from symxent.crosscheck.autograd import compare_gradients
    r = compare_gradients(d.problem(reduction="mean"), libs=["jax"])
    assert r.results and all(row.verdict in ("rounding", "semantics") for row in r.results), \
        [row.explanation for row in r.results]
    assert any("jax_enable_x64" in row.function for row in r.results)


def test_bce_with_logits_conventions_of_torch_and_optax_differ_where_they_should():
    """A confident right answer (y = 1, x = 20): torch's sigmoid(x) - 1 cancels, optax's
    -sigmoid(-x) does not; a soft label makes optax's two terms cancel instead."""
    _jax()
    _torch()
    from symxent.crosscheck.autograd import compare_gradients
    hard = compare_gradients(make_problem("bce", [1.0], [20.0], logits=True, reduction="sum"), libs=["torch", "jax"])
    by = {(row.library, "x64" in row.function or row.dtype == "float64"): row for row in hard.results}
    assert by["torch", True].verdict == "semantics" and "sigmoid(x) - y" in by["torch", True].explanation
    assert all(row.verdict == "rounding" for row in hard.results if row.library == "jax")
    soft = compare_gradients(make_problem("bce", [0.5], [1e-3], logits=True, reduction="sum"), libs=["jax"])
    wide = [row for row in soft.results if row.dtype == "float64"][0]
    assert wide.verdict == "semantics" and "-y sigmoid(-x) + (1 - y) sigmoid(x)" in wide.explanation


def test_jax_default_mode_casts_float64_inputs_and_says_so():
    jax = _jax()
    from symxent.crosscheck.autograd import compare_gradients
    from symxent.crosscheck.jax_adapter import x64_enabled
    if x64_enabled():
        pytest.skip("this process runs JAX in 64-bit mode")
    # mu = 1 + 2^-40 is 1 in float32: the gradient (mu - y) / var of the cast inputs is 0, not 2^-40
    p = make_problem("gaussian_nll", [1.0], [1.0 + 2.0**-40], var=[1.0], reduction="sum")
    r = compare_gradients(p, libs=["jax"])
    f32 = [row for row in r.results if row.dtype == "float32"][0]
    assert f32.verdict == "semantics" and "casts the float64 inputs to float32" in f32.explanation
    assert jax.config.jax_enable_x64 is False  # the mode is restored after the x64 row


def _keras():
    _torch()
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras runs on another backend in this process")
    return keras


def test_keras_bce_gradient_is_zero_outside_its_clip_and_named():
    _keras()
    from symxent.crosscheck.autograd import compare_gradients
    p = make_problem("bce", [1.0, 0.0, 1.0], [1e-9, 0.25, 1 - 1e-9], reduction="sum")
    r = compare_gradients(p, libs=["keras"])
    (row,) = r.results
    assert row.values[0] == 0.0 and row.values[2] == 0.0  # q outside [1e-7, 1 - 1e-7]: no gradient flows
    assert row.verdict == "semantics" and "clips q to [1e-7, 1 - 1e-7]" in row.explanation
    assert abs(row.ulp_errors[1]) <= 1  # inside the clip: the exact gradient, rounded
    inside = compare_gradients(make_problem("bce", [1.0, 0.0], [0.5, 0.25], dtype="float32"), libs=["keras"])
    assert inside.results[0].verdict == "rounding"


def test_keras_from_logits_follows_its_backend():
    _keras()
    from symxent.crosscheck.autograd import compare_gradients
    r = compare_gradients(make_problem("bce", [1.0, 0.0], [25.0, -3.0], logits=True, reduction="sum"), libs=["keras"])
    assert r.results[0].verdict == "semantics" and "on the torch backend" in r.results[0].explanation


def test_libraries_without_autograd_get_a_note_not_a_row(capsys):
    from symxent.cli import main
    from symxent.crosscheck.autograd import compare_gradients
    r = compare_gradients(make_problem("bce", [1.0], [0.5]), libs=["sklearn", "numpy"])
    assert r.results == [] and len(r.notes) == 2 and "no autograd" in r.notes[0] and r.notes[0].startswith("sklearn:")
    assert "clip to [eps, 1 - eps]" in r.notes[0]
    assert main(["check", "bce", "--y", "1", "--q", "0.5", "--libs", "sklearn", "--grad", "--fail-on", "any"]) == 0
    assert "sklearn: scikit-learn's log_loss is NumPy code with no autograd" in capsys.readouterr().out
