"""``symxent check MEASURE``: compare ML libraries' losses with the exact value and explain why
they differ.

Inputs come on the command line (``0.8,0.4``; rows separated by ``;``; ``-inf`` allowed for
logits) or from ``.npy``/``.csv`` files. Decimal text is rounded once, correctly, to ``--dtype``:
that binary value is what every library receives and what the oracles evaluate exactly.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..crosscheck import LIBRARIES, MEASURES, REDUCTIONS, available_libraries, compare, make_problem
from ..crosscheck.arrays import READINGS
from ..exact import MAX_DIGITS
from ..exact.rounding import FORMATS, round_binary
from ..inputs import parse_number
from ._common import CliError, print_json

__all__ = ["register", "run", "read_values"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="compare ML libraries' losses with the exact value",
                       description="Compute a loss exactly and with every installed library, and explain the "
                                   "differences (rounding, precision, or semantics).")
    p.add_argument("measure", help=f"one of {', '.join(MEASURES)} (aliases: log_loss, cross_entropy, kl_div, ...)")
    p.add_argument("--y", "--p", "--target", dest="target",
                   help="targets: labels, probabilities P, or class indices (list, rows split by ';', .npy, .csv)")
    p.add_argument("--q", "--pred", "--prediction", dest="prediction",
                   help="predictions: probabilities, logits (with --logits), Q, the Gaussian mean, the Poisson rate")
    p.add_argument("--var", help="Gaussian variances (gaussian_nll)")
    p.add_argument("--weight", help="class weights (cce)")
    p.add_argument("--label-smoothing", type=float, default=0.0, help="label smoothing epsilon (cce)")
    p.add_argument("--ignore-index", type=int, default=None, help="class label to ignore (cce)")
    p.add_argument("--logits", action="store_true", help="predictions are logits")
    p.add_argument("--rate", action="store_true", help="poisson_nll: the prediction is the rate, not its log")
    p.add_argument("--dtype", default="float64", choices=[d for d in READINGS if d != "float16"],
                   help="the dtype the libraries receive (default float64)")
    p.add_argument("--libs", default=None, help=f"comma-separated, from {','.join(LIBRARIES)} (default: all installed)")
    p.add_argument("--reduction", default="mean", choices=REDUCTIONS)
    p.add_argument("--digits", type=int, default=30, help="certified significant digits of the exact value (30)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--base", default=None,
                   help="log base for entropy, cross-entropy, kl, js: 2, e, 10 or any positive number != 1 (default e)")
    p.add_argument("--fail-on", choices=("semantics", "precision", "rounding", "any"), default=None,
                   help="exit 1 when some library's verdict is at or above this level (rounding < precision < "
                        "semantics < cancellation/unexplained/error); 'rounding' = not correctly rounded, 'any' = any deviation")
    p.add_argument("--ulps", type=float, default=None,
                   help="rounding threshold: ULPs from the library's own convention still called rounding (16)")
    p.add_argument("--stream", action="store_true",
                   help="out of core: stream .npy/Parquet/Arrow files, directories or globs of shards in chunks and "
                        "print the certified value only (automatic for globs, directories and FILE::COLUMN)")
    p.add_argument("--chunk-rows", type=int, default=None, help="rows per streamed chunk (default 2**20)")
    fam = p.add_argument_group("parametric families (MEASURE kl, entropy or cross-entropy)")
    fam.add_argument("--family", help="a torch.distributions family: normal, gamma, beta, bernoulli, ...")
    fam.add_argument("--p-params", help="P's parameters, e.g. loc=0,scale=1e-200 (a list as probs=0.2|0.8)")
    fam.add_argument("--q-params", help="Q's parameters (kl, cross-entropy)")
    fam.add_argument("--q-family", help="Q's family when it differs from P's (e.g. --family exponential --q-family gamma)")
    p.add_argument("--grad", nargs="?", const="prediction", default=None, metavar="WRT",
                   help="compare the gradient instead (torch.autograd, jax.grad) with the certified one, per element "
                        "in ULPs; WRT is prediction (q, logits, mean; the default) or var")
    p.set_defaults(run=run)


def family_params(text: str | None, name: str) -> dict | None:
    """``loc=0,scale=1e-200`` as a dict of exact strings (lists as ``a|b|c``), read by the family.

    >>> family_params("loc=0,scale=1e-200", "p-params")
    {'loc': '0', 'scale': '1e-200'}
    >>> family_params("probs=0.2|0.8", "p-params")
    {'probs': ['0.2', '0.8']}
    """
    if text is None:
        return None
    out = {}
    for item in text.split(","):
        key, eq, value = item.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise CliError(f"--{name}: {item!r} is not NAME=VALUE (e.g. loc=0,scale=1)")
        out[key.strip()] = [v.strip() for v in value.split("|")] if "|" in value else value.strip()
    return out


def _run_family(args: argparse.Namespace) -> int:
    from ..crosscheck.families_oracle import check_family

    measure = {"kl_div": "kl", "cross_entropy": "cross-entropy", "kl-divergence": "kl"}.get(args.measure, args.measure)
    libs = tuple(args.libs.split(",")) if args.libs else ("torch", "tfp")
    q = family_params(args.q_params, "q-params")
    report = check_family(measure, args.family, family_params(args.p_params, "p-params") or {}, q, libs=libs,
                          digits=args.digits, q_family=args.q_family)
    if args.json:
        print_json(_json_safe(report.to_json()))
    else:
        print(f"{measure} of {report.family}: exact {report.exact}")
        for r in report.results:
            shown_value = "-" if r.value is None else repr(r.value)
            ulps = "" if r.ulps is None else f"{r.ulps:+.3g} ulp"
            print(f"  {r.library:<6} {r.dtype:<8} {shown_value:<24} {ulps:<12} {r.verdict:<10} {r.why}")
    bad = [r for r in report.results if r.verdict not in ("exact", "rounding", "skipped")]
    return 1 if args.fail_on and bad else 0


def read_values(text: str, name: str, dtype: str, *, integers: bool = False) -> Any:
    """A number list, rows split by ';', or a .npy/.csv path; decimals rounded once to ``dtype``.

    >>> read_values("0.5,-inf", "q", "float32").tolist()
    [0.5, -inf]
    >>> read_values("2,0", "y", "float64", integers=True).tolist()
    [2, 0]
    """
    if text.endswith((".npy", ".csv")):
        return _read_file(Path(text), name)
    if text.count(",") + text.count(";") >= MAX_ELEMENTS:
        raise CliError(f"--{name} holds more than {MAX_ELEMENTS} numbers")
    rows = [row for row in text.split(";")]
    parsed = [[_number(tok, f"{name}[{i}]", dtype, integers) for tok in row.split(",")] for i, row in enumerate(rows)]
    if any(len(r) != len(parsed[0]) for r in parsed):
        raise CliError(f"--{name}: rows have different lengths")
    arr = np.array(parsed if ";" in text else parsed[0], dtype=np.int64 if integers else np.float64)
    return arr if integers or dtype == "float64" else arr.astype(_np_dtype(dtype))


def _np_dtype(dtype: str):
    from ..crosscheck.arrays import numpy_dtype
    return numpy_dtype(dtype)


def _number(tok: str, name: str, dtype: str, integers: bool):
    t = tok.strip().lower()
    if t in ("inf", "+inf", "-inf"):
        return -math.inf if t.startswith("-") else math.inf
    value = Fraction(str(parse_number(tok, name)))
    if integers:
        if value.denominator != 1:
            raise CliError(f"{name}={tok!r} is not an integer class label")
        return int(value)
    rounded = round_binary(value, FORMATS[dtype])  # once, correctly, to the dtype
    return float(rounded)


MAX_ELEMENTS = 100_000
"""The most numbers one option of ``symxent check`` may hold (each is evaluated exactly)."""


def _read_file(path: Path, name: str) -> np.ndarray:
    """A .npy or .csv file as a numeric array of at least one dimension; any defect is one clear line."""
    try:
        if not path.is_file():
            raise CliError(f"--{name}={str(path)!r}: no such file")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy's "input contained no data": said below, once
            if path.suffix == ".npy":
                a = np.load(path, allow_pickle=False, mmap_mode="r")
            else:
                a = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=1)
    except CliError:
        raise
    except Exception as err:  # malformed headers raise ValueError, tokenize.TokenError, EOFError, ...
        why = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        raise CliError(f"--{name}={str(path)!r} cannot be read: {why}") from None
    if a.dtype.names is not None or a.dtype.kind not in "biuf":
        raise CliError(f"--{name}={str(path)!r} holds dtype {str(a.dtype)[:60]!r}, not plain numbers")
    if a.size == 0:
        raise CliError(f"--{name}={str(path)!r} is empty")
    if a.size > MAX_ELEMENTS:
        raise CliError(f"--{name}={str(path)!r} holds {a.size} numbers, more than {MAX_ELEMENTS}")
    a = np.array(np.atleast_1d(a))
    if a.dtype.kind in "biu":  # integers: as float64, exactly, or refused
        as_float = a.astype(np.float64)
        if not np.array_equal(as_float.astype(a.dtype), a):
            raise CliError(f"--{name}={str(path)!r} holds integers that float64 cannot represent exactly")
        return as_float if name != "y" else a
    return a


def _libs(text: str | None, show=None) -> list[str]:
    if text is None:
        return available_libraries(progress=show)
    names = [t.strip() for t in text.split(",") if t.strip()]
    for n in names:
        if n not in LIBRARIES:
            raise CliError(f"--libs: {n!r} is not one of {','.join(LIBRARIES)}")
    return names


def _problem(args: argparse.Namespace):
    from ..crosscheck.problem import canonical_measure
    if args.target is None:
        raise CliError(f"{args.measure} needs --y (targets)")
    measure = canonical_measure(args.measure)
    if args.prediction is None and measure != "entropy":
        raise CliError(f"{args.measure} needs --q (predictions)")
    pred = None if args.prediction is None else _in_dtype(read_values(args.prediction, "q", args.dtype), args.dtype)
    labels = measure == "cce" and pred is not None and np.ndim(pred) == 2 and ";" not in args.target
    target = read_values(args.target, "y", args.dtype, integers=labels and not _is_file(args.target))
    if not labels:
        target = _in_dtype(target, args.dtype)
    extra = {k: _in_dtype(read_values(getattr(args, k), k, args.dtype), args.dtype)
             for k in ("var", "weight") if getattr(args, k)}
    return make_problem(measure, target, pred, logits=args.logits, reduction=args.reduction,
                        label_smoothing=args.label_smoothing, ignore_index=args.ignore_index,
                        log_input=not args.rate, base=args.base, var=extra.get("var"), weight=extra.get("weight"))


def _is_file(text: str) -> bool:
    return text.endswith((".npy", ".csv"))


def _in_dtype(a: np.ndarray, dtype: str) -> np.ndarray:
    """File contents read as float64 go to ``--dtype`` (one more rounding, said in the reading)."""
    if a.dtype == np.float64 and dtype != "float64":
        return a.astype(_np_dtype(dtype))
    return a


def _progress():
    if not sys.stderr.isatty():
        return None
    count = [0]

    def show(what: str) -> None:
        count[0] += 1
        sys.stderr.write(f"\r\033[K[{count[0]}] {what}")
        sys.stderr.flush()
    return show


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.digits <= MAX_DIGITS:
        raise CliError(f"--digits={args.digits} must be from 1 to {MAX_DIGITS}")
    if args.family is not None:
        return _run_family(args)
    from ..kernels.stream import is_streamed
    if args.stream or any(t is not None and is_streamed(t) for t in (args.target, args.prediction)):
        return _run_stream(args)
    problem = _problem(args)
    if args.grad is not None:
        return _run_grad(args, problem, _libs(args.libs))
    show = _progress()
    libs = _libs(args.libs, show)
    ulps = _ulps(args.ulps)
    report = compare(problem, libs, digits=args.digits, progress=show, **({} if ulps is None else {"ulps": ulps}))
    if show:
        sys.stderr.write("\r\033[K")
    if args.json:
        out = report.to_json()
        out["inputs"]["text_reading"] = f"decimals on the command line are rounded once, to nearest, to {args.dtype}"
        print_json(_json_safe(out))
        return _exit_code(report, args.fail_on)
    _print_table(report)
    return _exit_code(report, args.fail_on)


_STREAMED = {"bce": "mean_bce", "cce": "categorical_ce", "kl": "kl_divergence", "entropy": "entropy"}


def _run_stream(args: argparse.Namespace) -> int:
    """``--stream``: the certified value of a loss over inputs too large for memory (no library
    comparison: the libraries would need the whole arrays in memory)."""
    from ..crosscheck.problem import canonical_measure
    from ..kernels.stream import CHUNK_ROWS, stream_loss
    measure = canonical_measure(args.measure)
    kind = "categorical_ce_logits" if measure == "cce" and args.logits else _STREAMED.get(measure)
    if kind is None or args.reduction != "mean" and measure in ("bce", "cce"):
        raise CliError(f"--stream computes {', '.join(_STREAMED)} (mean for bce and cce), not {args.measure} "
                       f"with --reduction {args.reduction}")
    if args.target is None or (args.prediction is None and kind != "entropy"):
        raise CliError(f"{args.measure} --stream needs --y{'' if kind == 'entropy' else ' and --q'}")
    inputs = [args.target] if kind == "entropy" else [args.target, args.prediction]
    rows = args.chunk_rows or CHUNK_ROWS
    if rows < 1:
        raise CliError(f"--chunk-rows={rows} must be positive")
    r = stream_loss(kind, *inputs, digits=min(args.digits, 30), chunk_rows=rows)
    text = r.decimal(min(args.digits, r.digits))
    if args.json:
        print_json(_json_safe({"measure": kind, "streamed": True, "value": text, "float64": r.float64,
                               "certified_digits": r.digits}))
    else:
        print(f"{kind} (streamed, certified): {text}")
        print(f"correctly rounded: float64 {r.float64!r}")
    return 0


def _ulps(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise CliError(f"--ulps={value!r} must be a finite number >= 0")
    return value


def _exit_code(report, fail_on: str | None) -> int:
    """1 when ``--fail-on LEVEL`` is given and some library's result reaches it (for CI), else 0."""
    if fail_on is None:
        return 0
    from ..crosscheck.report import fails
    failing = [r for r in report.results if fails(r, fail_on)]
    for r in failing:
        sys.stderr.write(f"--fail-on {fail_on}: {r.library} {r.function}: {r.verdict}\n")
    return 1 if failing else 0


def _json_safe(obj: Any) -> Any:
    """Non-finite errors become null, non-finite values the strings 'inf', '-inf', 'nan'."""
    if isinstance(obj, dict):
        return {k: (_err(v) if k.endswith("_error") else _json_safe(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    return obj


def _err(v: Any) -> Any:
    return v if not isinstance(v, float) or math.isfinite(v) else None


def _print_table(report) -> None:
    p = report.problem
    exact = report.exact_text
    in_base = "" if p.base is None else f", base {p.base}"
    print(f"{p.measure} ({p.reduction}{in_base}), {p.reading}")
    print(f"exact: {exact if isinstance(exact, str) else ', '.join(exact)}")
    if isinstance(exact, str) and report.exact is not None:
        rounded = report.exact_floats
        print("correctly rounded: " + ", ".join(f"{k} {v!r}" for k, v in rounded.items()))
    if not report.results:
        print("no installed library implements this loss with these options")
    for r in report.results:
        print()
        print(f"{r.library} {r.version}: {r.function} -> {r.dtype}")
        print(f"  value {_short(r.value)}   abs. error {_num(r.abs_error)}   rel. error {_num(r.rel_error)}   "
              f"ULPs {_num(r.ulp_error)}")
        print(f"  convention {_short(r.convention_value)}   ULPs from it {_num(r.convention_ulp_error)}")
        print(f"  {r.explanation}")


def _short(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v[:4]) + (", ...]" if len(v) > 4 else "]")
    return repr(v) if v is not None else "-"


def _num(v: float) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def _run_grad(args: argparse.Namespace, problem, libs: list[str]) -> int:
    """``--grad``: each library's gradient against the certified one, element by element."""
    from ..crosscheck.autograd import compare_gradients
    ulps = _ulps(args.ulps)
    report = compare_gradients(problem, args.grad, libs, digits=args.digits,
                               **({} if ulps is None else {"ulps_allowed": ulps}))
    if args.json:
        print_json(_json_safe(report.to_json()))
    else:
        _print_grad_table(report)
    return _exit_code(report, args.fail_on)


def _print_grad_table(report) -> None:
    p = report.problem
    print(f"gradient of {p.measure} ({p.reduction}) with respect to {report.wrt}, {p.reading}")
    print("exact: " + ", ".join(str(c) for c in report.exact[:8]) + (", ..." if len(report.exact) > 8 else ""))
    if not report.results:
        print("no installed library with autograd implements this loss with these options")
    for note in report.notes:
        print(note)
    for r in report.results:
        print()
        print(f"{r.library} {r.version}: {r.function} -> {r.dtype}")
        order = sorted(range(len(r.values)), key=lambda i: -abs(r.ulp_errors[i]) if r.ulp_errors[i] == r.ulp_errors[i]
                       else -math.inf)
        print("  index  value                    exact                    ULPs")
        for i in order[:5]:
            where = "[" + ", ".join(str(int(j)) for j in np.unravel_index(i, p.prediction.shape)) + "]"
            print(f"  {where:<6} {r.values[i]!r:<24} {str(report.exact[i])[:24]:<24} {_num(r.ulp_errors[i])}")
        if len(order) > 5:
            print(f"  ... {len(order) - 5} more elements")
        print(f"  {r.explanation}")
