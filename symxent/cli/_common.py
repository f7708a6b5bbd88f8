"""What every subcommand shares: a parser whose errors are one line, and JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

from ..errors import SymxentError

__all__ = ["CliError", "Parser", "print_json"]


class CliError(SymxentError):
    """A command line that cannot be carried out (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`CliError` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{self.prog}: {message}")


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
