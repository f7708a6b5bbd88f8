"""``symxent derive``: derivations and worked examples as LaTeX, Markdown or plain text.

``symxent derive NAME`` renders one catalogue identity (or ``example_1``, ``example_2``);
``symxent derive example --p ... --q ... --measure cross-entropy --base 2`` a worked example of
the user's own numbers (read exactly); ``symxent derive --all -o derivations/`` regenerates the
whole folder. Files are written atomically and a file edited by hand is kept unless ``--force``.
With ``--figure`` a worked example's figure (:mod:`symxent.plot`) is written next to ``-o``, as
PDF beside LaTeX and PNG beside Markdown or text, and the document includes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..inputs import parse_number_list
from ..render.api import FORMATS, Format, render
from ..render.files import stamp, write_generated
from ._common import CliError

__all__ = ["register", "run"]

_SUFFIX: dict[Format, str] = {"latex": ".tex", "markdown": ".md", "text": ".txt"}
_MEASURES = ("entropy", "cross-entropy", "kl", "log-loss")
_EXAMPLES = ("example_1", "example_2")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("derive", help="render derivations and worked examples (LaTeX, Markdown, text)",
                       description="Render a catalogue identity, a worked example, or a worked example of "
                                   "your own numbers (NAME 'example'), step by step, each step checked.")
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="a catalogue identity, example_1, example_2, or 'example' for your own numbers")
    p.add_argument("--all", action="store_true", help="every identity and worked example")
    p.add_argument("--list", action="store_true", help="list the names NAME may take")
    p.add_argument("--format", choices=FORMATS,
                   help="output format (default: from the suffix of -o, .tex or .md; otherwise text)")
    p.add_argument("--standalone", action="store_true", help="LaTeX: a complete, compilable document")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="write to PATH (with --all: a folder, filled with .tex, .md and README.md)")
    p.add_argument("--force", action="store_true", help="overwrite files edited by hand")
    p.add_argument("--figure", action="store_true",
                   help="worked examples: draw the matching figure next to -o (PDF for LaTeX, PNG otherwise) "
                        "and include it (needs symxent[plot])")
    p.add_argument("--check-roundtrip", action="store_true",
                   help="debug: parse every rendered step back and check it is the step's expression "
                        "(exit 1 naming the first step that is not)")
    own = p.add_argument_group("your own numbers (NAME 'example')")
    own.add_argument("--measure", choices=_MEASURES, default="cross-entropy", help="the quantity")
    own.add_argument("--p", help="P, comma-separated (e.g. 0.1,0.4,0.5)")
    own.add_argument("--q", help="Q, comma-separated; for log-loss the predicted probabilities of class 1")
    own.add_argument("--y", help="log-loss labels, comma-separated 0/1")
    own.add_argument("--events", help="names of the events, comma-separated (e.g. red,green,blue)")
    own.add_argument("--base", default="e", help="log base: 2, e, 10 or any positive number != 1 (default e)")
    own.add_argument("--digits", default="10", help="significant digits of the decimal value (default 10)")
    p.set_defaults(run=run)


def _names() -> list[str]:
    from ..families.catalogue import entries
    from ..identities import catalogue

    return [i.name for i in catalogue()] + list(_EXAMPLES) + [e.name for e in entries()]


def _digits(text: str) -> int:
    try:
        return int(text) if len(text) < 20 else int("x")
    except ValueError:
        raise CliError(f"--digits={text!r} is not an integer") from None


def _own_example(args: argparse.Namespace):
    from ..worked import worked_log_loss, worked_measure

    digits = _digits(args.digits)
    if args.measure == "log-loss":
        if args.y is None or args.q is None:
            raise CliError("derive example --measure log-loss needs --y and --q")
        return worked_log_loss(parse_number_list(args.y, "y"), parse_number_list(args.q, "q"),
                               base=args.base, digits=digits)
    if args.p is None or (args.measure != "entropy" and args.q is None):
        raise CliError(f"derive example --measure {args.measure} needs --p" + ("" if args.measure == "entropy"
                                                                                else " and --q"))
    events = None if args.events is None else [e.strip() for e in args.events.split(",")]
    q = None if args.measure == "entropy" else parse_number_list(args.q, "q")
    return worked_measure(args.measure, parse_number_list(args.p, "p"), q, base=args.base, digits=digits,
                          events=events)


def _subject(name: str, args: argparse.Namespace):
    from .. import worked
    from ..identities import get

    if name == "example":
        return _own_example(args)
    if name in _EXAMPLES:
        return getattr(worked, name)(_digits(args.digits))
    known = _names()
    if name not in known:
        raise CliError(f"derive: NAME={name!r} is not one of {', '.join([*known, 'example'])}")
    from ..families.catalogue import find

    family_derivation = find(name)
    return family_derivation.derive() if family_derivation is not None else get(name).derive()


def _format(args: argparse.Namespace) -> Format:
    """--format, or the format the suffix of -o names (.tex, .md), or text."""
    if args.format is not None:
        return args.format
    by_suffix = {suffix: fmt for fmt, suffix in _SUFFIX.items()}
    return by_suffix.get(Path(args.output).suffix, "text") if args.output else "text"


def _emit(text: str, args: argparse.Namespace) -> None:
    if args.output is None:
        sys.stdout.write(text)
        return
    try:
        _write(text, args)
    except OSError as err:  # a name too long, a missing permission, a full disk
        raise CliError(f"derive: -o {_shown(args.output)}: {err.strerror or err}") from None


def _target(args: argparse.Namespace) -> Path:
    target = Path(args.output)
    if target.is_dir():  # -o FOLDER: the file is named after the derivation
        return target / f"{args.name}{_SUFFIX[_format(args)]}"
    if args.output.endswith(("/", "\\")):
        raise CliError(f"derive: -o {args.output!r} is not an existing folder")
    return target


def _write(text: str, args: argparse.Namespace) -> None:
    target = _target(args)
    if write_generated(target, stamp(text, _SUFFIX[_format(args)]), force=args.force):
        print(f"wrote {target}", file=sys.stderr)


def _shown(path: str) -> str:
    return repr(path) if len(path) <= 80 else repr(path[:60] + "...")


def run(args: argparse.Namespace) -> int:
    if args.list:
        print("\n".join([*_names(), "example"]))
        return 0
    if args.all == (args.name is not None):
        raise CliError("derive: give exactly one of NAME or --all")
    if args.all and args.output is not None:
        from ..render.folder import write_folder

        try:
            if Path(args.output).exists() and not Path(args.output).is_dir():
                raise CliError(f"derive --all: -o {_shown(args.output)} is an existing file, not a folder")
            written = write_folder(args.output, force=args.force)
        except OSError as err:
            raise CliError(f"derive --all: -o {_shown(args.output)}: {err.strerror or err}") from None
        print(f"{args.output}: {len(written)} file(s) written", file=sys.stderr)
        return 0
    if args.figure:
        _figure_allowed(args)
    names = _names() if args.all else [args.name]
    subjects = [_subject(name, args) for name in names]
    if args.check_roundtrip:
        failed = _roundtrip(names, subjects)
        if failed:
            return 1
    figure = _figure(args) if args.figure else None
    texts = [render(subject, _format(args), standalone=args.standalone, figure=figure) for subject in subjects]
    _emit("\n".join(texts), args)
    return 0


def _roundtrip(names: list[str], subjects: list) -> bool:
    """--check-roundtrip: one line on stderr per rendered formula that does not read back; True if any."""
    from ..render.roundtrip import roundtrip_failures, text_roundtrip_failures

    failed = False
    for name, subject in zip(names, subjects):
        d = getattr(subject, "derivation", subject)
        for failure in roundtrip_failures(d) + text_roundtrip_failures(d):
            print(f"derive {name}: round trip failed at {failure}", file=sys.stderr)
            failed = True
    return failed


_CAPTIONS = {
    "distributions": "P and Q per event, and each event's contribution to $H(P)$, $H(P, Q)$ and "
                     "$\\mathrm{KL}(P \\,\\|\\, Q)$, in {unit}.",
    "entropy": "P per event, and each event's contribution $-p_i \\log p_i$ to $H(P)$, in {unit}.",
    "log-loss": "Each sample's loss on the curves $-\\log q$ (label 1) and $-\\log(1 - q)$ (label 0); "
                "the dashed line is the mean, in {unit}.",
}


def _figure_allowed(args: argparse.Namespace) -> None:
    if args.all or args.name not in ("example", *_EXAMPLES):
        raise CliError("derive --figure: only worked examples (example, example_1, example_2) have a figure")
    if args.output is None:
        raise CliError("derive --figure needs -o PATH: the figure is written next to the document")


def _figure(args: argparse.Namespace):
    """--figure: draw the worked example's figure next to the output file; what the document includes."""
    import re

    from .. import plot
    from ..render.document import FigureRef

    target = _target(args)
    suffix = ".pdf" if _format(args) == "latex" else ".png"
    path = target.with_name(re.sub(r"[^A-Za-z0-9-]+", "-", target.stem).strip("-") + "-figure" + suffix)
    fig, kind, base = _draw(args, plot)
    try:
        plot.save(fig, path)
    except OSError as err:
        raise CliError(f"derive --figure: {_shown(str(path))}: {err.strerror or err}") from None
    print(f"wrote {path}", file=sys.stderr)
    from ..logbase import as_base, unit_of

    return FigureRef(path.name, _CAPTIONS[kind].replace("{unit}", unit_of(as_base(base))))


def _draw(args: argparse.Namespace, plot):
    """(figure, caption key, base) of the worked example NAME."""
    from ..examples import EXAMPLE_1, EXAMPLE_2

    if args.name == "example_1":
        return plot.distributions(EXAMPLE_1.p, EXAMPLE_1.q, base=EXAMPLE_1.base, events=EXAMPLE_1.events), \
            "distributions", EXAMPLE_1.base
    if args.name == "example_2":
        return plot.binary_predictions(EXAMPLE_2.labels, EXAMPLE_2.predictions, base="e"), "log-loss", "e"
    if args.measure == "log-loss":
        return plot.binary_predictions(parse_number_list(args.y, "y"), parse_number_list(args.q, "q"),
                                       base=args.base), "log-loss", args.base
    events = None if args.events is None else [e.strip() for e in args.events.split(",")]
    q = None if args.measure == "entropy" else parse_number_list(args.q, "q")
    kind = "entropy" if q is None else "distributions"
    return plot.distributions(parse_number_list(args.p, "p"), q, base=args.base, events=events), kind, args.base
