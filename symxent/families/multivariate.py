"""Multivariate families: ``MultivariateNormal`` (any k, full covariance) and ``Dirichlet`` (any K).

Parameters are lists (a k x k nested list for the covariance), read exactly. Their measures are
the closed forms of :mod:`symxent.families.closed`, checked against the univariate derivations
(a diagonal covariance is a product of independent normals) and by integration in the tests.

>>> MultivariateNormal([0, 0], [[1, 0], [0, 2]]).k
2
>>> MultivariateNormal([0], [[-1]])
Traceback (most recent call last):
...
symxent.errors.DomainError: MultivariateNormal: covariance_matrix=Matrix([[-1]]) must be symmetric positive definite
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..errors import DomainError, ShapeError, UnsupportedError, shown
from ..inputs import exact
from .base import POSITIVE, Family, check_parameter

__all__ = ["MultivariateNormal", "Dirichlet"]


def _vector(values: Any, name: str, family: str) -> tuple[sp.Expr, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise UnsupportedError(f"{family}: {name}={shown(values)} must be a nonempty list of numbers")
    return tuple(exact(v, f"{name}[{i}]") for i, v in enumerate(values))


class MultivariateNormal(Family):
    """``N(loc, covariance_matrix)`` in k dimensions; ``covariance_matrix`` symmetric positive definite.

    A list of variances (``covariance_matrix=[s1, s2, ...]``) is read as a diagonal matrix.
    """

    PARAMS = {"loc": POSITIVE, "covariance_matrix": POSITIVE}

    def __init__(self, loc: Any, covariance_matrix: Any) -> None:
        mu = _vector(loc, "loc", "MultivariateNormal")
        rows = covariance_matrix
        if isinstance(rows, Sequence) and rows and not isinstance(rows[0], (Sequence, sp.MatrixBase)) \
                or isinstance(rows, Sequence) and rows and isinstance(rows[0], str):
            diag = [check_parameter(v, f"covariance_matrix[{i}]", POSITIVE, "MultivariateNormal")
                    for i, v in enumerate(rows)]
            cov = sp.diag(*diag)
        else:
            try:
                cov = sp.Matrix([[exact(v, "covariance_matrix") for v in row] for row in rows])
            except TypeError:
                raise UnsupportedError(f"MultivariateNormal: covariance_matrix={shown(rows)} must be a list "
                                       "of rows") from None
        if cov.shape != (len(mu), len(mu)):
            raise ShapeError(f"MultivariateNormal: covariance_matrix is {cov.shape[0]}x{cov.shape[1]}, "
                             f"loc has {len(mu)} entries")
        if cov != cov.T or any(m.is_positive is False for m in _leading_minors(cov)):
            raise DomainError(f"MultivariateNormal: covariance_matrix={cov} must be symmetric positive definite")
        self.params = {"loc": mu, "covariance_matrix": sp.ImmutableMatrix(cov)}

    @property
    def k(self) -> int:
        return len(self.params["loc"])

    def __hash__(self) -> int:
        return hash(("MultivariateNormal", self.params["loc"], self.params["covariance_matrix"]))


def _leading_minors(m: sp.Matrix) -> list[sp.Expr]:
    return [m[:i, :i].det() for i in range(1, m.shape[0] + 1)]


class Dirichlet(Family):
    """``Dir(concentration)`` on the simplex of dimension K - 1; every concentration > 0.

    >>> Dirichlet(["1e-8", 1, "1e8"]).params["concentration"][1]
    1
    """

    PARAMS = {"concentration": POSITIVE}

    def __init__(self, concentration: Any) -> None:
        if isinstance(concentration, (str, bytes)) or not isinstance(concentration, Sequence) or \
                len(concentration) < 2:
            raise UnsupportedError(f"Dirichlet: concentration={shown(concentration)} must be a list of at least "
                                   "two numbers")
        self.params = {"concentration": tuple(check_parameter(v, f"concentration[{i}]", POSITIVE, "Dirichlet")
                                              for i, v in enumerate(concentration))}

    def __hash__(self) -> int:
        return hash(("Dirichlet", self.params["concentration"]))
