"""Mergeable partials: any split of the same data, in any order, gives the identical state,
enclosure and float64; the JSON form round-trips and is validated."""

from __future__ import annotations

import json
import pickle
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from symxent.errors import DomainError, PrecisionError, ShapeError, SymxentError
from symxent.kernels import losses
from symxent.kernels import partial as P

RNG = np.random.default_rng(16)
N = 600
Q = np.concatenate([RNG.random(N - 8), [0.0, 1.0, 1e-310, 2.0**-1022, 0.5, 1 - 2.0**-53, 0.75, 1e-20]])
Y = (RNG.random(N) < 0.5).astype(np.int64)
Y[:2] = [0, 1]  # q = 0 with y = 0 and q = 1 with y = 1: finite terms
PROBS = RNG.dirichlet(np.ones(4), size=N)
LABELS = RNG.integers(0, 4, N)
LOGITS = RNG.normal(scale=5.0, size=(N, 4))
PP, QQ = RNG.dirichlet(np.ones(N)), RNG.dirichlet(np.ones(N))
PP[:3] = 0.0  # 0 log 0 = 0
SOFT = RNG.random(N)
SOFT[:4] = [0.0, 1.0, 0.5, 2.0**-60]
QS = RNG.random(N)
QS[4:8] = [1.0, 0.0, 1 - 2.0**-53, 2.0**-1070]  # q = 1 with y = 0 and q = 0 with y = 1 below: finite
SOFT[4:6] = [1.0, 0.0]
SOFT[100:300] = (SOFT[100:300] < 0.5)  # a run of hard labels: splits with all-hard pieces
PK = PP.copy()  # near-equal pairs (the log ratio's close elements), a few far ones, zeros
QK = PP * (1 + RNG.normal(scale=1e-7, size=N))
QK[10:20] = RNG.random(10) * 1e-3
QK[20] = 0.0  # p > 0 = q: +inf ...
QK[3] = 0.0  # ... but 0 log(0/0) = 0
PK[20] = 0.0  # keep the sum finite

CASES = {
    "mean_bce": (lambda s: P.partial_mean_bce(Y[s], Q[s]), lambda: losses.mean_bce(Y, Q)),
    "soft_bce": (lambda s: P.partial_mean_bce(SOFT[s], QS[s]), lambda: losses.mean_bce(SOFT, QS)),
    "categorical_ce": (lambda s: P.partial_categorical_ce(LABELS[s], PROBS[s]),
                       lambda: losses.categorical_ce(LABELS, PROBS)),
    "categorical_ce_logits": (lambda s: P.partial_categorical_ce_logits(LABELS[s], LOGITS[s]),
                              lambda: losses.categorical_ce_logits(LABELS, LOGITS)),
    "kl_divergence": (lambda s: P.partial_kl_divergence(PP[s], QQ[s]), lambda: losses.kl_divergence(PP, QQ)),
    "entropy": (lambda s: P.partial_entropy(PP[s]), lambda: losses.entropy(PP)),
    "kl_log_ratio": (lambda s: P.partial_kl_log_ratio(PK[s], QK[s]), lambda: losses.kl_divergence(PK, QK)),
}


@st.composite
def splits(draw):
    cuts = sorted(draw(st.lists(st.integers(0, N), max_size=6)))
    bounds = [0, *cuts, N]
    pieces = [slice(a, b) for a, b in zip(bounds, bounds[1:])]
    return draw(st.permutations(pieces))


@pytest.fixture(scope="module")
def whole():
    return {k: f(slice(0, N)) for k, (f, _) in CASES.items()}


@pytest.mark.parametrize("kind", sorted(CASES))
@settings(max_examples=15, deadline=None)
@given(pieces=splits())
def test_any_split_in_any_order_gives_the_identical_result(whole, kind, pieces):
    parts = [CASES[kind][0](s) for s in pieces]
    merged = P.merge(*parts)
    assert merged == whole[kind]
    a, b = P.finish(merged), P.finish(whole[kind])
    assert (a.enclosure, a.float64) == (b.enclosure, b.float64)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_partial_agrees_with_the_oracle_losses(whole, kind):
    got, ref = P.finish(whole[kind]), CASES[kind][1]()
    assert got.float64 == ref.float64, (kind, got.float64, ref.float64)
    assert got.enclosure.lo <= ref.enclosure.hi and ref.enclosure.lo <= got.enclosure.hi
    assert got.digits >= 30


def test_merge_is_associative_and_commutative():
    a, b, c = (P.partial_log_sum(RNG.random(50), RNG.random(50)) for _ in range(3))
    assert P.merge(P.merge(a, b), c) == P.merge(a, P.merge(b, c)) == P.merge(c, b, a) == a + b + c


def test_merge_refuses_different_kinds():
    with pytest.raises(ShapeError, match="different kinds"):
        P.merge(P.partial_entropy([0.5, 0.5]), P.partial_log_sum([0.5]))


def test_infinite_terms_are_counted_not_skipped():
    p = P.partial_mean_bce([1, 0], [0.0, 0.5])  # -log 0 = +inf
    assert p.neg_inf == 1 and P.finish(p).float64 == float("inf")
    assert P.finish(P.partial_kl_divergence([0.5, 0.5], [1.0, 0.0])).float64 == float("inf")
    assert P.partial_mean_bce([0.5, 0.25], [0.0, 0.5]).neg_inf == 1  # soft: y log 0 with y > 0


def test_pickle_and_json_round_trip(whole):
    for p in whole.values():
        assert pickle.loads(pickle.dumps(p)) == p
        text = P.to_json(p)
        assert P.from_json(text) == p
        assert len(text) < 4096  # a few KB cross the network, whatever the row count


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b.update(version=2), "version"),
    (lambda b: b.update(format="other"), "not a symxent.partial"),
    (lambda b: b.update(kind="median"), "kind"),
    (lambda b: b.update(n=-1), "count"),
    (lambda b: b.update(n=True), "count"),
    (lambda b: b.update(rest="1/0"), "exact rational"),
    (lambda b: b.update(rest="0.5"), "exact rational"),
    (lambda b: b.update(err="-1/3"), "negative"),
    (lambda b: b.update(extra=1), "unexpected or missing"),
    (lambda b: b.pop("log2"), "unexpected or missing"),
])
def test_bad_json_is_refused_with_a_symxent_error(mutate, message):
    body = json.loads(P.to_json(P.partial_log_sum([0.5])))
    mutate(body)
    with pytest.raises(SymxentError, match=message):
        P.from_json(json.dumps(body))
    with pytest.raises(SymxentError, match="not JSON"):
        P.from_json("{")


@pytest.mark.parametrize("call, message", [
    (lambda: P.partial_mean_bce([1, 0, 1], [0.5, float("nan"), 0.5], where="shard-7", offset=100),
     r"shard-7: row 101: q=nan is not a probability"),
    (lambda: P.partial_mean_bce([1, 2], [0.5, 0.5], where="s", offset=10), r"s: row 11: label=2 is not a class"),
    (lambda: P.partial_mean_bce([1.0, 1.5], [0.5, 0.5], where="s"), r"s: row 1: y=1.5 is not a probability"),
    (lambda: P.partial_categorical_ce([0, 1], [[0.5, 0.5], [0.5, 1.5]]), r"row 1: probs=1.5"),
    (lambda: P.partial_categorical_ce_logits([0, 3], [[0.0, 1.0], [0.0, 1.0]]), r"row 1: label=3"),
    (lambda: P.partial_categorical_ce_logits([0, 0], [[0.0, 1.0], [0.0, float("nan")]]), r"row 1: logit=nan"),
    (lambda: P.partial_entropy([0.5, -0.5]), r"row 1: p=-0.5"),
    (lambda: P.partial_kl_log_ratio([0.5, 0.5], [0.5, 1.5], where="s", offset=4), r"s: row 5: q=1.5"),
    (lambda: P.partial_mean_bce(np.array([1.0, 0.0, np.nan]), [0.5, 0.5, 0.5]), r"row 2: y=nan"),
    (lambda: P.partial_log_sum([1.0, -2.0]), r"row 1: x=-2.0"),
])
def test_bad_rows_are_named(call, message):
    with pytest.raises(DomainError, match=message):
        call()


def test_finish_refuses_more_digits_than_certified():
    with pytest.raises(PrecisionError, match="digits"):
        P.finish(P.partial_log_sum(RNG.random(100)), digits=80)


def test_exact_values_come_out_exact():
    p = P.partial_log_sum([1.0, 2.0, 0.5])  # log 1 + log 2 + log(1/2) = 0
    assert p.err == 0 and p.rest == 0 and p.log2 == 0
    assert P.finish(p).float64 == 0.0


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_compiled_engine_gives_the_numpy_state(whole, kind, monkeypatch):
    """Workers on either engine merge to one answer: the states are equal, not just close."""
    monkeypatch.setattr(P, "_compiled", lambda: None)
    assert CASES[kind][0](slice(0, N)) == whole[kind]


def test_the_compiled_engine_is_used_where_numba_is():
    pytest.importorskip("numba")
    from symxent.kernels import jit

    assert P.engine() == ("numba" if jit.available() else "numpy")


def test_the_log_ratio_certifies_where_the_two_sums_cancel():
    p = RNG.dirichlet(np.ones(200))
    q = p * (1 + 2.0**-30 * RNG.standard_normal(200))
    q /= q.sum()
    r = P.finish(P.partial_kl_log_ratio(p, q))
    assert r.digits >= 30 and r.float64 == losses.kl_divergence(p, q).float64
    with pytest.raises(PrecisionError):
        P.finish(P.partial_kl_divergence(p, q))  # sum p log p - sum p log q: the digits cancel
    assert P.finish(P.partial_kl_log_ratio([0.5, 0.5], [0.5, 0.5])).enclosure.hi == 0
    assert P.partial_kl_log_ratio([0.5, 0.5], [1.0, 0.0]).pos_inf == 1


def test_weighted_edge_cases_give_the_same_state_on_both_engines(monkeypatch):
    x = np.concatenate([RNG.random(300), [2.0**-1074, 1e-310, 2.0**-1022, 1.0, 2.0, 0.0, 0.5]])
    cases = [np.concatenate([RNG.random(300), [1.0, 2.0**900, 2.0**-700, 3.0, 0.0, 0.25, 1e-5]]),
             np.concatenate([RNG.random(300), [1.0, 1.0, 2.0**-800, 1.0, 1.0, 1.0, 1.0]])]  # NumPy answers
    fast = [P.partial_log_sum(x, w) for w in cases]
    monkeypatch.setattr(P, "_compiled", lambda: None)
    assert fast == [P.partial_log_sum(x, w) for w in cases]
    assert fast[0].neg_inf == 1 and fast[0].n == x.size
