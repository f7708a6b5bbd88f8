"""Outcomes of the fuzzing campaign, by kind, summed over a pytest session.

Each fuzz test records what every case ended in (an exit code, a returned value, a named error
class); ``tests/fuzz/conftest.py`` prints the sums at the end of the session and, when the
environment variable ``SYMXENT_FUZZ_REPORT`` names a file, writes them there as JSON.
"""

from __future__ import annotations

from collections import Counter

TALLY: Counter = Counter()


def record(where: str, outcome: str) -> None:
    """Count one case of ``where`` (e.g. ``"cli eval"``) that ended in ``outcome`` (e.g. ``"exit 2"``)."""
    TALLY[(where, outcome)] += 1
