"""Every evaluation is time-bounded, on the main thread and off it (cooperative deadlines, SIGALRM, worker processes)."""

from __future__ import annotations

import threading
import time

import pytest
import sympy as sp

from symxent import SymxentError, evaluate, verify
from symxent.cli import main
from symxent.errors import PrecisionError
from symxent.timebound import CannotSend, OutOfTime, checkpoint, deadline, in_worker, remaining

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


def _in_thread(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` on another thread: (its value or exception, seconds taken); a hang guard."""
    got: list = []

    def run():
        try:
            got.append(fn(*args, **kwargs))
        except Exception as err:
            got.append(err)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the bounded call hung"
    return got[0], time.monotonic() - started


# the start of a worker interpreter (a second or two, more on a loaded machine) is not part of the
# bound: the margins below only tell "stopped near its bound" from "ran to its end" (minutes)
MARGIN = 30


def test_a_slow_evaluation_stops_at_its_bound_on_another_thread():
    got, took = _in_thread(evaluate, SLOW, 3000, seconds=0.2)
    assert isinstance(got, PrecisionError) and "within seconds=0.2" in str(got) and took < MARGIN


K = sp.Symbol("k", integer=True, positive=True)
SLOW_SUM = sp.Sum(1 / (K**2 + sp.Rational(1, 3)), (K, 1, 20000))  # SymPy's doit: minutes, no checkpoint


def test_sympy_loops_in_evaluate_stop_on_the_main_thread():
    started = time.monotonic()
    with pytest.raises(PrecisionError, match=r"within seconds=1"):
        evaluate(SLOW_SUM, 10, seconds=1)
    assert time.monotonic() - started < MARGIN


def test_sympy_loops_in_evaluate_stop_off_the_main_thread():
    got, took = _in_thread(evaluate, SLOW_SUM, 10, seconds=1)
    assert isinstance(got, PrecisionError) and "within seconds=1" in str(got) and took < MARGIN
    value, _ = _in_thread(evaluate, sp.log(2), 10)  # and the worker answers ordinary calls
    assert str(value) == "0.6931471806"


HANGS = ("log((p+q+r+s)**60)", "60*log(p+q+r+s)", {"p": "(0, 1)"})  # SymPy's log expansion: minutes


def test_verify_off_the_main_thread_stays_within_its_bound():
    got, took = _in_thread(verify, *HANGS, seconds=2)
    assert got.status == "undecided" and "time bound of 2 s" in got.detail and took < MARGIN
    proved, _ = _in_thread(verify, "KL(P, Q)", "0", relation=">=")
    assert proved.status == "proved" and proved.derivation is not None


def test_verify_errors_off_the_main_thread_are_the_same():
    got, _ = _in_thread(verify, "p", "p", [3])
    assert isinstance(got, SymxentError) and "where[0]" in str(got)


def test_a_worker_that_ignores_its_bound_is_killed():
    started = time.monotonic()
    with pytest.raises(OutOfTime, match="worker process"):
        in_worker("time:sleep", (600,), seconds=1)  # no alarm in a plain sleep: only the kill ends it
    assert time.monotonic() - started < MARGIN
    assert in_worker("math:gcd", (12, 18), seconds=5) == 6  # a fresh worker replaces it


def test_unpicklable_arguments_run_in_place():
    with pytest.raises(CannotSend):  # the callers (verify, evaluate) then run the call in place
        in_worker("builtins:print", (lambda: 0,), seconds=1)


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
