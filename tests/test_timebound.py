"""Every evaluation is time-bounded, on the main thread and off it (cooperative deadlines)."""

from __future__ import annotations

import threading
import time

import pytest
import sympy as sp

from symxent import evaluate
from symxent.cli import main
from symxent.errors import PrecisionError
from symxent.timebound import OutOfTime, checkpoint, deadline, remaining

SLOW = sp.Add(*[sp.log(sp.Integer(k)) * sp.Rational(1, k) for k in range(2, 300)])  # seconds at 3000 digits


@pytest.mark.parametrize("seconds", [0, -1, float("inf"), float("nan"), True, "soon", 3601])
def test_bad_bounds_are_refused(seconds):
    with pytest.raises(PrecisionError, match="must be a number of seconds"):
        evaluate(sp.log(2), 10, seconds=seconds)


def test_a_slow_evaluation_stops_at_its_bound_on_the_main_thread():
    started = time.monotonic()
    with pytest.raises(PrecisionError, match=r"within seconds=0.2"):
        evaluate(SLOW, 3000, seconds=0.2)
    assert time.monotonic() - started < 5  # well before the unbounded run ends (the margin is for loaded CI)


def test_a_slow_evaluation_stops_at_its_bound_on_another_thread():
    caught: list = []

    def run():
        try:
            evaluate(SLOW, 3000, seconds=0.2)
        except PrecisionError as err:
            caught.append(err)

    started = time.monotonic()
    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive() and caught and time.monotonic() - started < 5


def test_an_outer_deadline_governs_and_its_out_of_time_passes_through():
    with pytest.raises(OutOfTime):
        with deadline(0.2):
            evaluate(SLOW, 3000, seconds=60)


def test_deadlines_nest_to_the_earlier_one():
    with deadline(100):
        outer = remaining()
        with deadline(1):
            assert remaining() <= 1 < outer
        with deadline(1000):
            assert remaining() <= outer
    assert remaining() == float("inf")
    checkpoint()


def test_the_default_bound_leaves_ordinary_calls_alone():
    assert str(evaluate(sp.log(2), 30)) == "0.693147180559945309417232121458"


def test_cli_eval_seconds(capsys):
    n = 200  # p_i = i / (n (n + 1) / 2): 10 000 digits of this entropy take about half a minute
    p = ",".join(f"{i}/{n * (n + 1) // 2}" for i in range(1, n + 1))
    assert main(["eval", "entropy", "--p", p, "--digits", "10000", "--seconds", "0.2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "within seconds=0.2" in err[0]
    assert main(["eval", "entropy", "--p", "0.5,0.5", "--seconds", "nan"]) == 2
    assert "--seconds" in capsys.readouterr().err
