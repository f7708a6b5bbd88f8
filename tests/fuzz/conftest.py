"""The fuzzing campaign's summary: cases run and outcomes by kind (see :mod:`tests.fuzz.tally`)."""

from __future__ import annotations

import json
import os

from .tally import TALLY


def pytest_terminal_summary(terminalreporter):
    if not TALLY:
        return
    by_where: dict = {}
    for (where, outcome), n in sorted(TALLY.items()):
        by_where.setdefault(where, {})[outcome] = n
    total = sum(TALLY.values())
    terminalreporter.write_sep("-", f"fuzzing campaign: {total} cases")
    for where, outcomes in by_where.items():
        shown = ", ".join(f"{k}: {v}" for k, v in outcomes.items())
        terminalreporter.write_line(f"{where} ({sum(outcomes.values())}): {shown}")
    path = os.environ.get("SYMXENT_FUZZ_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"cases": total, "outcomes": by_where}, f, indent=1, sort_keys=True)
