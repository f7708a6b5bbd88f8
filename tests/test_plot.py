"""symxent.plot and ``symxent plot``: values read back from the Axes, a smoke render, the CLI.

The exact per-event terms need no matplotlib; everything drawn is skipped cleanly without it.
Every drawn number is compared with an exact value built here from its formula, through
:func:`symxent.testing.assert_ulp_close` (a certified float64 is within half an ULP).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys

import pytest
import sympy as sp

from symxent import measures
from symxent.cli import main
from symxent.exact import closed_form, evaluate
from symxent.plot import event_contributions
from symxent.testing import assert_ulp_close

CERTIFIED = 0.5  # ULPs: a certified float64 is the correctly rounded value


def R(text: str) -> sp.Rational:
    return sp.Rational(text)


def logb(x: sp.Expr, b: sp.Expr) -> sp.Expr:
    return sp.log(x) / sp.log(b)


# -- the exact terms (no matplotlib) ------------------------------------------------------------

@pytest.mark.parametrize("p, q, base", [
    (["1/2", "1/4", "1/4"], ["1/3", "1/3", "1/3"], 2),
    (["0.10", "0.40", "0.50"], ["0.80", "0.15", "0.05"], 2),
    (["1/5", "0", "4/5"], ["1/2", "1/4", "1/4"], "e"),
    (["1/3", "2/3"], ["3/4", "1/4"], 10),
    (["1/3", "2/3"], ["3/4", "1/4"], "3/2"),
])
def test_terms_add_up_to_the_measures_exactly(p, q, base):
    c = event_contributions(p, q, base=base)
    for quantity, measure in [("entropy", lambda: measures.entropy(p, base=base)),
                              ("cross_entropy", lambda: measures.cross_entropy(p, q, base=base)),
                              ("kl", lambda: measures.kl_divergence(p, q, base=base))]:
        assert closed_form(sp.Add(*getattr(c, quantity)) - measure()) == 0, quantity


def test_conventions_zero_log_zero_and_infinite_terms():
    c = event_contributions(["1/2", "1/2", "0"], ["1/2", "0", "1/2"], base=2)
    assert c.entropy == (sp.Rational(1, 2), sp.Rational(1, 2), 0)
    assert c.cross_entropy[1] == sp.oo and c.cross_entropy[2] == 0
    assert c.kl == (0, sp.oo, 0)
    assert c.floats("kl") == (0.0, math.inf, 0.0)


@pytest.mark.parametrize("p, q, base, quoted", [
    (["1/2", "1/2"], ["1/3", "1/3", "1/3"], 2, "p has 2 entries but q has 3"),
    (["1/2", "1/3"], None, 2, "sums to"),
    (["3/2", "-1/2"], None, 2, "outside [0, 1]"),
    (["1/2", "1/2"], None, sp.Symbol("b", positive=True), "a picture needs a numeric base"),
    ([sp.Symbol("p", positive=True), 1 - sp.Symbol("p", positive=True)], None, 2, "a picture needs numbers"),
])
def test_bad_distributions_are_symxent_errors(p, q, base, quoted):
    from symxent import SymxentError

    with pytest.raises(SymxentError, match=quoted.replace("[", r"\[").replace("]", r"\]")):
        event_contributions(p, q, base=base)


def test_importing_plot_does_not_import_matplotlib():
    code = "import sys, symxent.plot, symxent.cli; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_matplotlib_names_the_extra(monkeypatch, capsys, tmp_path):
    from symxent.errors import MissingExtraError
    from symxent.plot import distributions

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(MissingExtraError, match=r"install symxent\[plot\]"):
        distributions(["1/2", "1/2"])
    assert main(["plot", "distributions", "--p", "1/2,1/2", "-o", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "symxent[plot]" in err


# -- figures (matplotlib) -----------------------------------------------------------------------

@pytest.fixture
def plot():
    pytest.importorskip("matplotlib")
    import symxent.plot

    return symxent.plot


def containers(ax):
    return {c.get_label().split(" = ")[0]: c for c in ax.containers}


@pytest.mark.parametrize("base, unit", [(2, "bits"), ("e", "nats"), (10, "hartleys"), (3, "base 3")])
def test_distributions_bars_are_the_certified_terms(plot, base, unit):
    p, q = ["1/10", "2/5", "1/2"], ["4/5", "3/20", "1/20"]
    fig = plot.distributions(p, q, base=base, events=["red", "green", "blue"])
    top, bottom = fig.axes
    assert bottom.get_ylabel() == f"contribution ({unit})" and top.get_ylabel() == "probability"
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["red", "green", "blue"]
    b = sp.E if base == "e" else sp.Integer(base)
    bars = containers(bottom)
    assert set(bars) == {"H(P)", "H(P, Q)", "KL(P ‖ Q)"}
    for k, (pi, qi) in enumerate(zip(map(R, p), map(R, q))):
        assert_ulp_close(bars["H(P)"][k].get_height(), -pi * logb(pi, b), ulps=CERTIFIED)
        assert_ulp_close(bars["H(P, Q)"][k].get_height(), -pi * logb(qi, b), ulps=CERTIFIED)
        assert_ulp_close(bars["KL(P ‖ Q)"][k].get_height(), pi * logb(pi / qi, b), ulps=CERTIFIED)
        assert_ulp_close(containers(top)["P"][k].get_height(), pi, ulps=CERTIFIED)
        assert_ulp_close(containers(top)["Q"][k].get_height(), qi, ulps=CERTIFIED)
    legend = [t.get_text() for t in bottom.get_legend().get_texts()]
    assert legend[1] == f"H(P, Q) = {evaluate(measures.cross_entropy(p, q, base=b), 4)} {unit}"
    assert unit in fig.get_suptitle()


def test_distributions_mark_infinite_terms_and_zero_weights(plot):
    fig = plot.distributions(["1/2", "1/2", "0"], ["1/2", "0", "1/2"], base=2)
    bottom = fig.axes[1]
    bars = containers(bottom)
    top_finite = max(b.get_height() for b in bars["H(P)"])
    for name in ("H(P, Q)", "KL(P ‖ Q)"):
        infinite = bars[name][1]
        assert infinite.get_hatch() and infinite.get_height() > top_finite  # drawn to the top, hatched
        assert bars[name][2].get_height() == 0 and not bars[name][2].get_hatch()
    assert sum(t.get_text() == "∞" for t in bottom.texts) == 2
    assert any("0 · log 0 = 0" in t.get_text() for t in bottom.texts)
    legend = [t.get_text() for t in bottom.get_legend().get_texts()]
    assert legend[1:] == ["H(P, Q) = ∞ bits", "KL(P ‖ Q) = ∞ bits"]
    assert bottom.get_ylim()[1] > infinite.get_height()  # the ∞ marks stay inside the axes


def test_distributions_of_p_alone_draw_the_entropy(plot):
    fig = plot.distributions(["1/2", "1/4", "1/4"], base=2)
    assert set(containers(fig.axes[0])) == {"P"} and set(containers(fig.axes[1])) == {"H(P)"}
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == ["H(P) = 1.500 bits"]


def _offsets(ax):
    return {c.get_label(): [tuple(map(float, xy)) for xy in c.get_offsets()] for c in ax.collections}


def test_binary_predictions_marks_each_loss_and_the_mean(plot):
    y, q = [1, 1, 0, 0], ["0.8", "0.3", "0.1", "0.6"]
    fig = plot.binary_predictions(y, q, base=2)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted probability q of class 1", "loss (bits)")
    curve1, curve0, mean = ax.get_lines()
    two = sp.Integer(2)
    for x, v in list(zip(curve1.get_xdata(), curve1.get_ydata()))[::97]:
        assert_ulp_close(v, -logb(sp.Rational(float(x)), two), ulps=8)  # float64 curves, a few ULPs
    for x, v in list(zip(curve0.get_xdata(), curve0.get_ydata()))[::97]:
        assert_ulp_close(v, -logb(1 - sp.Rational(float(x)), two), ulps=8)
    marks = _offsets(ax)
    assert [x for x, _ in marks["samples with y = 1"]] == [0.8, 0.3]
    for (x, v), qi in zip(marks["samples with y = 1"], ["0.8", "0.3"]):
        assert_ulp_close(v, -logb(R(qi), two), ulps=CERTIFIED)
    for (x, v), qi in zip(marks["samples with y = 0"], ["0.1", "0.6"]):
        assert_ulp_close(v, -logb(1 - R(qi), two), ulps=CERTIFIED)
    exact_mean = measures.log_loss(y, q, base=2)
    assert_ulp_close(mean.get_ydata()[0], exact_mean, ulps=CERTIFIED)
    assert mean.get_label() == f"mean loss = {evaluate(exact_mean, 4)} bits"


def test_binary_predictions_with_an_infinite_loss(plot):
    fig = plot.binary_predictions([1, 0, 0], ["0", "0.5", "0.5"])
    ax = fig.axes[0]
    marks = _offsets(ax)
    (x, v), = marks["y = 1: loss ∞ (off the top)"]
    assert x == 0.0 and v == ax.get_ylim()[1]
    assert "mean loss = ∞" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.get_text() == "×2" for t in ax.texts)  # two samples on one point


def test_bce_vs_logit_curves_and_samples(plot):
    fig = plot.bce_vs_logit([1, 0], ["2", "-1/2"], base="e")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("logit z", "binary cross-entropy (nats)")
    one, zero = ax.get_lines()[:2]
    for x, v in list(zip(one.get_xdata(), one.get_ydata()))[::111]:
        z = sp.Rational(float(x))
        assert_ulp_close(v, sp.log(1 + sp.exp(-z)), ulps=8)
    for x, v in list(zip(zero.get_xdata(), zero.get_ydata()))[::111]:
        z = sp.Rational(float(x))
        assert_ulp_close(v, sp.log(1 + sp.exp(z)), ulps=8)
    marks = _offsets(ax)
    (x1, v1), = marks["samples with y = 1"]
    (x0, v0), = marks["samples with y = 0"]
    assert (x1, x0) == (2.0, -0.5)
    assert_ulp_close(v1, sp.log(1 + sp.exp(-2)), ulps=CERTIFIED)
    assert_ulp_close(v0, sp.log(1 + sp.exp(sp.Rational(-1, 2))), ulps=CERTIFIED)
    mean = [line for line in ax.get_lines() if line.get_label().startswith("mean loss")]
    assert_ulp_close(mean[0].get_ydata()[0], (sp.log(1 + sp.exp(-2)) + sp.log(1 + sp.exp(sp.Rational(-1, 2)))) / 2,
                     ulps=CERTIFIED)


def test_bce_vs_logit_without_samples_and_wide_samples(plot):
    ax = plot.bce_vs_logit().axes[0]
    assert len(ax.collections) == 0 and ax.get_xlim() == (-6.0, 6.0)
    ax = plot.bce_vs_logit([1], ["-10"], base=2).axes[0]
    assert ax.get_xlim()[0] <= -10 and ax.get_ylabel() == "binary cross-entropy (bits)"


def test_kl_heatmap_values_colorbar_and_marked_point(plot):
    fig = plot.kl_bernoulli_heatmap(base=2, p="0.1", q="0.5", resolution=40)
    ax, bar = fig.axes
    assert bar.get_ylabel() == "KL(Bern(p) ‖ Bern(q))  (bits)"
    assert [t.get_text() for t in bar.get_yticklabels()][:4] == ["0", "0.05", "0.25", "1"]  # contour levels
    assert ax.get_xlabel().startswith("p ") and ax.get_ylabel().startswith("q ")
    image, = ax.get_images()
    kl = image.get_array()
    assert kl.shape == (40, 40) and image.get_extent() == [0, 1, 0, 1]
    two = sp.Integer(2)
    for i, j in [(3, 30), (30, 3), (0, 39), (12, 20), (25, 10)]:  # rows q, columns p; off the diagonal
        p, q = sp.Rational(2 * j + 1, 80), sp.Rational(2 * i + 1, 80)
        assert_ulp_close(kl[i, j], measures.kl_divergence([p, 1 - p], [q, 1 - q], base=two), ulps=64)
    assert all(kl[k, k] == 0 for k in range(40))
    (x, y), = _offsets(ax)["p = 1/10, q = 1/2:  KL = 0.5310 bits"]
    assert (x, y) == (0.1, 0.5)


@pytest.mark.parametrize("draw", [
    lambda plot: plot.distributions(["0.1", "0.4", "0.5"], ["0.8", "0.15", "0.05"], base=2),
    lambda plot: plot.binary_predictions([1, 0, 1], ["0.9", "0.2", "0.4"]),
    lambda plot: plot.bce_vs_logit([1, 0], ["1", "2"]),
    lambda plot: plot.kl_bernoulli_heatmap(resolution=30, p=["0.2", "0.9"], q=["0.6", "0"]),
])
def test_smoke_render_png_svg_pdf(plot, draw, tmp_path):
    fig = draw(plot)
    for suffix, magic in [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")]:
        path = plot.save(fig, tmp_path / f"figure{suffix}", dpi=60)
        assert path.read_bytes()[:5].startswith(magic)
    assert fig._repr_png_()[:4] == b"\x89PNG"  # what Jupyter shows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.pdf", "figure.png", "figure.svg"]


def test_save_refuses_other_suffixes(plot, tmp_path):
    from symxent import SymxentError

    with pytest.raises(SymxentError, match=r"\.png, \.svg or \.pdf"):
        plot.save(plot.bce_vs_logit(), tmp_path / "figure.gif")


def test_pdf_is_the_same_bytes_twice(plot, tmp_path):
    fig = plot.bce_vs_logit()
    a, b = plot.save(fig, tmp_path / "a.pdf"), plot.save(fig, tmp_path / "b.pdf")
    assert a.read_bytes() == b.read_bytes()


# -- the command line ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["distributions", "--p", "1/2,1/4,1/4", "--q", "1/3,1/3,1/3", "--base", "2"],
    ["distributions", "--p", "0.1,0.4,0.5", "--events", "red,green,blue"],
    ["binary-predictions", "--y", "1,0,1", "--q", "0.9,0.2,0.4", "--base", "10"],
    ["bce-vs-logit"],
    ["bce-vs-logit", "--y", "1,0", "--z", "2,-1.5"],
    ["kl-bernoulli-heatmap", "--p", "0.1", "--q", "0.5", "--base", "e"],
])
def test_cli_writes_the_figure(plot, capsys, tmp_path, argv):
    suffix = {"distributions": ".svg", "bce-vs-logit": ".pdf"}.get(argv[0], ".png")  # the suffix picks the format
    target = tmp_path / f"fig{suffix}"
    assert main(["plot", *argv, "-o", str(target), "--dpi", "50"]) == 0
    assert target.stat().st_size > 1000 and f"wrote {target}" in capsys.readouterr().err
    assert target.read_bytes()[:5].startswith({".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix])


@pytest.mark.parametrize("argv, quoted", [
    (["distributions", "--p", "1/2,x", "-o", "f.png"], "p[1]='x'"),
    (["distributions", "-o", "f.png"], "needs --p"),
    (["distributions", "--p", "1/2,1/2", "-o", "f.gif"], "must end in .png, .svg or .pdf"),
    (["distributions", "--p", "1/2,1/2", "--q", "1/3,1/3,1/3", "-o", "f.png"], "p has 2 entries but q has 3"),
    (["distributions", "--p", "1/2,1/2", "--base", "1", "-o", "f.png"], "base='1'"),
    (["distributions", "--p", "1/2,1/2", "--events", "a", "-o", "f.png"], "events has 1 names"),
    (["distributions", "--p", "1/2,1/2", "--dpi", "lots", "-o", "f.png"], "--dpi='lots'"),
    (["distributions", "--p", "1/2,1/2"], "required: -o"),
    (["binary-predictions", "--y", "1,0", "-o", "f.png"], "needs --q"),
    (["binary-predictions", "--y", "1,2", "--q", "0.5,0.5", "-o", "f.png"], "y[1]=2 is not a binary label"),
    (["binary-predictions", "--y", "1", "--q", "1.5", "-o", "f.png"], "outside [0, 1]"),
    (["bce-vs-logit", "--y", "1", "-o", "f.png"], "both --y and --z"),
    (["kl-bernoulli-heatmap", "--p", "1.5", "--q", "0.5", "-o", "f.png"], "p[0]=3/2 lies outside [0, 1]"),
    (["kl-bernoulli-heatmap", "--p", "0.5", "-o", "f.png"], "both --p and --q"),
    (["histogram", "-o", "f.png"], "invalid choice: 'histogram'"),
])
def test_cli_bad_input_is_one_line_and_exit_2(plot, capsys, tmp_path, monkeypatch, argv, quoted):
    monkeypatch.chdir(tmp_path)
    assert main(["plot", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symxent: error:") and quoted in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_cli_unwritable_output(plot, capsys, tmp_path):
    assert main(["plot", "bce-vs-logit", "-o", str(tmp_path / "missing" / "f.png")]) == 2
    assert "No such file or directory" in capsys.readouterr().err


# -- derive --figure ----------------------------------------------------------------------------

OWN = ["example", "--p", "0.1,0.4,0.5", "--q", "0.8,0.15,0.05", "--base", "2"]


def test_derive_figure_latex_includes_the_pdf(plot, capsys, tmp_path):
    tex = tmp_path / "ce.tex"
    assert main(["derive", *OWN, "--standalone", "-o", str(tex), "--figure"]) == 0
    text = tex.read_text()
    assert r"\usepackage{graphicx}" in text
    assert r"\includegraphics[width=0.9\linewidth]{ce-figure.pdf}" in text
    assert text.index(r"\includegraphics") < text.index(r"\paragraph{Status.}")
    assert (tmp_path / "ce-figure.pdf").read_bytes()[:4] == b"%PDF"
    assert "wrote " + str(tmp_path / "ce-figure.pdf") in capsys.readouterr().err


@pytest.mark.parametrize("name, argv, caption", [
    ("example_1", [], "contribution to"),
    ("example_2", [], "dashed line is the mean, in nats"),
    ("example", ["--measure", "log-loss", "--y", "1,0", "--q", "0.9,0.2", "--base", "10"], "in hartleys"),
    ("example", ["--measure", "entropy", "--p", "1/2,1/4,1/4"], "$-p_i \\log p_i$"),
])
def test_derive_figure_markdown_links_the_png(plot, tmp_path, name, argv, caption):
    md = tmp_path / "ex.md"
    assert main(["derive", name, *argv, "-o", str(md), "--figure"]) == 0
    text = md.read_text()
    assert "](ex-figure.png)" in text and caption in text
    assert (tmp_path / "ex-figure.png").read_bytes()[:4] == b"\x89PNG"


def test_derive_figure_into_a_folder_and_as_text(plot, tmp_path):
    assert main(["derive", "example_1", "--format", "latex", "--standalone", "-o", str(tmp_path), "--figure"]) == 0
    assert r"{example-1-figure.pdf}" in (tmp_path / "example_1.tex").read_text()
    txt = tmp_path / "ex.txt"
    assert main(["derive", "example_2", "-o", str(txt), "--figure"]) == 0
    assert "Figure: ex-figure.png" in txt.read_text()


@pytest.mark.parametrize("argv, quoted", [
    (["example_1", "--figure"], "needs -o PATH"),
    (["kl_nonnegative", "-o", "x.tex", "--figure"], "only worked examples"),
])
def test_derive_figure_errors(plot, capsys, tmp_path, monkeypatch, argv, quoted):
    monkeypatch.chdir(tmp_path)
    assert main(["derive", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and quoted in err


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("name, argv", [("example", OWN[1:]), ("example_2", [])])
def test_derive_figure_document_compiles(plot, tmp_path, name, argv):
    tex = tmp_path / "worked.tex"
    assert main(["derive", name, *argv, "--standalone", "-o", str(tex), "--figure"]) == 0
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "worked.pdf").stat().st_size > 10_000
    assert "worked-figure.pdf" in (tmp_path / "worked.log").read_text(errors="replace")  # really included
