"""``symxent sheet``: a problem sheet and its checked solutions, as LaTeX or Markdown.

``symxent sheet -n 8 --seed 3`` prints the questions (Markdown); ``--solutions`` the solutions;
``--format latex`` a compilable document; ``-o FOLDER`` writes both documents in both formats
(``NAME-questions.tex``, ``NAME-questions.md``, ``NAME-solutions.tex``, ``NAME-solutions.md``).
Files are stamped and written atomically, and a file edited by hand is kept unless ``--force``.
``--figures`` (with ``symxent.plot`` installed) adds figures to the solutions: their PDF and PNG
files are written beside the documents, so it needs ``-o``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..render.files import stamp, write_generated
from ..sheet.folder import NOTE
from ._common import CliError

__all__ = ["register", "run"]

_SUFFIX = {"latex": ".tex", "markdown": ".md"}


def register(sub: argparse._SubParsersAction) -> None:
    from ..sheet import KINDS, LEVELS, MAX_EXERCISES

    p = sub.add_parser("sheet", help="problem sheets: exercises with exact numbers, solutions checked by symxent",
                       description="Draw a problem sheet of N exercises and its solutions, every solution a "
                                   "derivation checked step by step. The same arguments give the same sheet.")
    p.add_argument("-n", default="8", metavar="N", help=f"number of exercises, 1 to {MAX_EXERCISES} (default 8)")
    p.add_argument("--kinds", metavar="K1,K2", help=f"kinds used in turn (default all): {', '.join(KINDS)}")
    p.add_argument("--seed", default="0", help="seed of the numbers (default 0)")
    p.add_argument("--level", default="fractions", metavar="LEVEL",
                   help=f"how nice the numbers are: {', '.join(LEVELS)} (default fractions)")
    p.add_argument("--base", default="2", help="log base: 2, e, 10 or any positive number != 1 (default 2)")
    p.add_argument("--digits", default="6", help="significant digits of the decimals (default 6)")
    p.add_argument("--format", choices=tuple(_SUFFIX), help="latex or markdown (default: from -o, else markdown)")
    p.add_argument("--solutions", action="store_true", help="the solutions instead of the questions")
    p.add_argument("--figures", action="store_true",
                   help="figures in the solutions, drawn by symxent.plot when it is installed (else none)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="a file (.tex or .md), or a folder: then both documents in both formats")
    p.add_argument("--name", default="sheet", help="file stem in a folder (default sheet)")
    p.add_argument("--force", action="store_true", help="overwrite files edited by hand")
    p.set_defaults(run=run)


def _integer(text: str, option: str) -> int:
    if not re.fullmatch(r"[+-]?\d{1,18}", text.strip()):
        raise CliError(f"sheet: {option}={text!r} is not an integer")
    return int(text)


def _sheet(args: argparse.Namespace):
    from ..sheet import sheet

    return sheet(_integer(args.n, "-n"), kinds=args.kinds, seed=_integer(args.seed, "--seed"), level=args.level,
                 base=args.base, digits=_integer(args.digits, "--digits"), figures=args.figures)


def _folder(target: Path, raw: str) -> bool:
    return target.is_dir() or raw.endswith(("/", "\\"))


def _shown(path: str) -> str:
    return repr(path) if len(path) <= 80 else repr(path[:60] + "...")


def _write(files: dict[str, str], folder: Path, force: bool) -> None:
    from ..sheet.folder import stamped

    for name, text in stamped(files).items():
        target = folder / name
        if write_generated(target, text, force=force):
            print(f"wrote {target}", file=sys.stderr)


def _write_figures(drawn, folder: Path) -> None:
    """The figures' files beside the documents (atomically; the same bytes are not rewritten)."""
    import os

    for name, data in drawn.figure_files().items():
        target = folder / name
        if target.is_file() and target.read_bytes() == data:
            continue
        partial = target.with_name(f".{name}.partial")
        try:
            partial.write_bytes(data)
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
        print(f"wrote {target}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", args.name) or args.name.startswith("."):
        raise CliError(f"sheet: --name={args.name!r} must be letters, digits, '_', '-' or '.' (at most 80)")
    target = Path(args.output) if args.output else None
    if target is not None and not _folder(target, args.output) and target.suffix not in (".tex", ".md") \
            and args.format is None:
        raise CliError(f"sheet: -o {_shown(args.output)} is neither a folder nor a .tex or .md file "
                       "(or give --format)")
    if args.figures and args.solutions and target is None:
        raise CliError("sheet --figures needs -o PATH: the figures' files are written beside the document")
    drawn = _sheet(args)
    try:
        if target is not None and _folder(target, args.output):
            _write(drawn.documents(args.name), target, args.force)
            _write_figures(drawn, target)
            return 0
        fmt = args.format or ("latex" if target is not None and target.suffix == ".tex" else "markdown")
        text = drawn.solutions(fmt) if args.solutions else drawn.questions(fmt)
        if target is None:
            sys.stdout.write(text)
        elif write_generated(target, stamp(text, _SUFFIX[fmt], NOTE), force=args.force):
            print(f"wrote {target}", file=sys.stderr)
        if target is not None and args.figures and args.solutions:
            _write_figures(drawn, target.parent)
    except OSError as err:  # a missing folder, a missing permission, a full disk
        raise CliError(f"sheet: -o {_shown(args.output)}: {err.strerror or err}") from None
    return 0
