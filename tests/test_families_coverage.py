"""scripts/families_coverage.py: its statuses come from derivations/, and each family gets a row."""

from __future__ import annotations

import runpy
from pathlib import Path

from symxent.families import registry

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "families_coverage.py"


def test_statuses_are_read_from_the_derivations_index():
    mod = runpy.run_path(str(SCRIPT))
    st = mod["statuses"]()
    assert st["entropy_poisson"] == "proved" and st["kl_normal_normal"] == "proved"
    assert set(st.values()) <= {"proved", "unverified", "failed", "incomplete"}


def test_every_family_has_a_row(capsys):
    mod = runpy.run_path(str(SCRIPT))
    mod["families_table"].__globals__["LIBS"] = ()  # no library: only symxent's columns
    mod["families_table"](mod["statuses"]())
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(registry.FAMILIES)
    poisson = next(r for r in rows if r.startswith("| Poisson "))
    assert "1.7048826439329838384" in poisson and "proved" in poisson
