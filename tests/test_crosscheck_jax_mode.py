"""JAX is called as a user's code calls it: in the process's mode (float32 by default), with the
other mode as a second row for float64 inputs; the oracle never leaves 64-bit mode switched."""

from __future__ import annotations

import numpy as np
import pytest

from symxent.crosscheck import compare, make_problem


def test_default_mode_is_float32_and_x64_is_a_second_row():
    jax = pytest.importorskip("jax")
    pytest.importorskip("optax")
    import jax.scipy.special as jss
    if jax.config.jax_enable_x64:
        pytest.skip("this process runs JAX in 64-bit mode")
    r = compare(make_problem("kl", [0.25, 0.75], [0.5, 0.5]), libs=["jax"], digits=20)
    assert not jax.config.jax_enable_x64  # left as the user had it
    rows = {x.function: x for x in r.results if "rel_entr" in x.function}
    default = rows["jnp.mean(jax.scipy.special.rel_entr(p, q).sum(-1))"]
    (x64,) = [v for k, v in rows.items() if "jax_enable_x64=True" in k]
    P, Q = np.array([0.25, 0.75]), np.array([0.5, 0.5])
    import jax.numpy as jnp
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        user = float(jnp.mean(jss.rel_entr(jnp.asarray(P), jnp.asarray(Q)).sum(-1)))
    assert default.dtype == "float32" and default.value == user
    assert default.verdict == "precision" and "float32 for float64 inputs" in default.explanation
    assert x64.dtype == "float64" and x64.verdict == "rounding"
    from symxent import evaluate, kl_divergence
    assert r.exact_text == str(evaluate(kl_divergence(["0.25", "0.75"], ["0.5", "0.5"]), 20))
