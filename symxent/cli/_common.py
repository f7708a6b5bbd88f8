"""What every subcommand shares: a parser whose errors are one line, and JSON output."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, NoReturn

from ..errors import SymxentError

__all__ = ["CliError", "Parser", "print_json", "glue_negative_values"]

_NEGATIVE = re.compile(r"^-\.?\d")


class CliError(SymxentError):
    """A command line that cannot be carried out (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`CliError` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{self.prog}: {message}")


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def shield_expressions(argv: list[str], commands: tuple[str, ...] = ("verify",)) -> list[str]:
    """``verify "-log(q)" ...``: a side that starts with ``-`` is a positional, not an option.

    After one of ``commands``, a token with a single leading ``-`` (other than ``-h``) is an
    expression; it gets a leading space, which argparse does not read as an option prefix and the
    parser strips. ``--`` options and everything after a bare ``--`` are left alone.

    >>> shield_expressions(["verify", "-log(q)", "BCE(1, q)", "--where", "q in (0, 1)"])
    ['verify', ' -log(q)', 'BCE(1, q)', '--where', 'q in (0, 1)']
    >>> shield_expressions(["verify", "-h"])
    ['verify', '-h']
    """
    out: list[str] = []
    active = None  # decided by the first token that is not an option: the subcommand
    for k, token in enumerate(argv):
        if token == "--":
            out.extend(argv[k:])
            return out
        if active is None and not token.startswith("-"):
            active = token in commands
        elif active and token.startswith("-") and not token.startswith("--") and token != "-h":
            token = " " + token
        out.append(token)
    return out


def glue_negative_values(argv: list[str]) -> list[str]:
    """``--p -0.1,1.1`` -> ``--p=-0.1,1.1``: argparse would take ``-0.1,1.1`` for an option."""
    out: list[str] = []
    for token in argv:
        if out and _NEGATIVE.match(token) and out[-1].startswith("--") and "=" not in out[-1]:
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out
