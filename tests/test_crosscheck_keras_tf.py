"""Keras on the TensorFlow backend (a worker process), against the exact value of what that
backend computes; its conventions differ from the torch backend's."""

from __future__ import annotations

import math

import mpmath
import pytest

from symxent.crosscheck import compare, keras_tf_adapter, make_problem

mpmath.mp.dps = 40
pytestmark = pytest.mark.skipif(not keras_tf_adapter.available(), reason="tensorflow and keras are not installed")


def _row(report, library, function):
    (res,) = [r for r in report.results if r.library == library and r.function == function]
    return res


def test_the_worker_runs_keras_on_tensorflow():
    assert "backend tensorflow" in keras_tf_adapter.version()


def test_sparse_cross_entropy_clips_before_it_renormalises_on_tensorflow():
    q = [[0.6, 0.4, 1e-9]]  # below epsilon = 1e-7: the order of clip and renormalisation shows
    r = compare(make_problem("cce", [2], q), libs=["keras_tf", "keras"], digits=30)
    f = "ops.mean(losses.sparse_categorical_crossentropy())"
    tf_row, torch_row = _row(r, "keras_tf", f), _row(r, "keras", f)
    eps = mpmath.mpf(1e-7)
    clipped_then_divided = -mpmath.log(eps / (mpmath.mpf(0.6) + mpmath.mpf(0.4) + eps))
    divided_then_clipped = -mpmath.log(eps)
    assert tf_row.convention_value == pytest.approx(float(clipped_then_divided), rel=1e-15)
    assert torch_row.convention_value == pytest.approx(float(divided_then_clipped), rel=1e-15)
    assert tf_row.convention_value != torch_row.convention_value
    assert tf_row.verdict == "semantics" and "TensorFlow backend's order" in tf_row.explanation
    assert abs(tf_row.convention_ulp_error) <= 4  # float64 kept: TensorFlow computes in the inputs' dtype


def test_tensorflow_keeps_float64_where_the_torch_backend_computes_in_float32():
    r = compare(make_problem("kl", [[0.1, 0.4, 0.5]], [[0.8, 0.15, 0.05]]), libs=["keras_tf", "keras"], digits=25)
    f = "ops.mean(losses.kl_divergence())"
    assert _row(r, "keras_tf", f).verdict == "rounding"
    assert _row(r, "keras", f).verdict == "precision"


def test_binary_cross_entropy_on_tensorflow_rounds_one_minus_q():
    import numpy as np
    r = compare(make_problem("bce", [0.0, 1.0], [0.1, 0.8], dtype="float32"), libs=["keras_tf"], digits=30)
    row = _row(r, "keras_tf", "ops.mean(losses.binary_crossentropy())")
    q0, q1 = np.float32(0.1), np.float32(0.8)
    rounded = -(mpmath.log(mpmath.mpf(float(np.float32(1) - q0))) + mpmath.log(mpmath.mpf(float(q1)))) / 2
    exact = -(mpmath.log(1 - mpmath.mpf(float(q0))) + mpmath.log(mpmath.mpf(float(q1)))) / 2
    assert abs(rounded - exact) > 1e-9  # 1 - q in float32 is visibly not 1 - q
    assert row.convention_value == pytest.approx(float(rounded), rel=1e-14)
    assert row.verdict == "rounding" and abs(row.convention_ulp_error) <= 2
