"""The ``symxent`` command line: ``main(argv) -> int``; each subcommand lives in its own module.

Entry points only translate: they parse arguments, call the public API and print. Any
:class:`symxent.errors.SymxentError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys
from typing import Sequence

from .._version import __version__
from ..errors import SymxentError
from ._common import Parser, glue_negative_values, shield_expressions

__all__ = ["main", "build_parser"]

# Each module defines register(subparsers), which adds its parser with set_defaults(run=...).
COMMANDS = ("eval_cmd", "tour", "check_cmd", "prove", "verify", "derive", "bench", "plot_cmd", "sheet_cmd")


def build_parser() -> Parser:
    """The ``symxent`` parser with every subcommand (the docs generate one page per command from it)."""
    parser = Parser(prog="symxent", description="Exact entropy, cross-entropy, KL divergence and log loss.")
    parser.add_argument("--version", action="version", version=f"symxent {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ImportError as missing:  # a command whose optional extra is not installed
            _register_unavailable(sub, name.removesuffix("_cmd"), missing)
        else:
            module.register(sub)
    return parser


def _register_unavailable(sub, command: str, missing: ImportError) -> None:
    """Keep the other commands working; this one explains which extra to install."""
    need = missing.name or str(missing)
    p = sub.add_parser(command, help=f"(needs {need}: not installed)", add_help=False, prefix_chars="\0")
    p.add_argument("rest", nargs="*")

    def run(_args) -> int:
        raise SymxentError(f"'symxent {command}' needs the optional package {need!r}; "
                           f"install it, e.g. pip install 'symxent[all-peers]'")

    p.set_defaults(run=run)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 a check failed, 2 bad input)."""
    try:
        args = build_parser().parse_args(
            shield_expressions(glue_negative_values(list(sys.argv[1:] if argv is None else argv))))
        return int(args.run(args) or 0)
    except SymxentError as err:  # one line, whatever a library's text inside the message spans
        print("symxent: error: " + " ".join(str(err).split()), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symxent: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
