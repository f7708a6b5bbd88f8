"""The fuzzing campaign's summary: cases run and outcomes by kind (see :mod:`tests.fuzz.tally`)."""

from __future__ import annotations

import json
import os

from .tally import TALLY


def _by_where() -> dict:
    by_where: dict = {}
    for (where, outcome), n in sorted(TALLY.items()):
        by_where.setdefault(where, {})[outcome] = n
    return by_where


def _write(done: list) -> None:
    path = os.environ.get("SYMXENT_FUZZ_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"cases": sum(TALLY.values()), "outcomes": _by_where(), "tests": done}, f, indent=1,
                      sort_keys=True)


_DONE: list = []


def pytest_runtest_logreport(report):
    """After each test, the report so far (a campaign stopped half-way still says what it ran)."""
    if report.when == "call":
        _DONE.append(f"{report.nodeid}: {report.outcome} in {report.duration:.0f} s")
        _write(_DONE)


def pytest_terminal_summary(terminalreporter):
    if not TALLY:
        return
    by_where = _by_where()
    total = sum(TALLY.values())
    terminalreporter.write_sep("-", f"fuzzing campaign: {total} cases")
    for where, outcomes in by_where.items():
        shown = ", ".join(f"{k}: {v}" for k, v in outcomes.items())
        terminalreporter.write_line(f"{where} ({sum(outcomes.values())}): {shown}")
    _write(_DONE)
