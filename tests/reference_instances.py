"""The instance shared by the loop-reference tests (``test_reference.py``, ``test_baselines.py``).

``N = 7`` agents, ``d = 4``, uneven local data sets ``m_i`` (the smallest, 3, allows batches of 3
without replacement), and an Erdos-Renyi graph whose node labels are shuffled so that agent order
differs from node-label order.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ltadmm_verify import LeastSquares, LogisticRegression
from ltadmm_verify.network import Network, erdos_renyi

N = 7
DIM = 4
M_I = [3, 9, 5, 4, 8, 6, 7]


def shuffled_erdos_renyi() -> Network:
    """``erdos_renyi(N, p=0.45, seed=3)`` with its node labels permuted (seed 0)."""
    er = erdos_renyi(N, p=0.45, seed=3).graph
    relabel = dict(zip(er.nodes(), np.random.default_rng(0).permutation(N).tolist(), strict=True))
    return Network(nx.relabel_nodes(er, relabel))


def uneven_least_squares(seed: int = 1) -> LeastSquares:
    """Least squares with ``m_i = M_I[i]`` samples, ``a ~ N(0, I/d)``, ``b = a^T x_true + 0.3 e``."""
    rng = np.random.default_rng(seed)
    A = [rng.standard_normal((m, DIM)) / np.sqrt(DIM) for m in M_I]
    b = [a @ rng.standard_normal(DIM) + 0.3 * rng.standard_normal(a.shape[0]) for a in A]
    return LeastSquares(A, b)


def uneven_logistic(seed: int = 2) -> LogisticRegression:
    """Logistic regression (``l2 = 0.1``) with ``m_i = M_I[i]`` samples and random +-1 labels."""
    rng = np.random.default_rng(seed)
    A = [rng.standard_normal((m, DIM)) for m in M_I]
    y = [np.where(rng.standard_normal(m) > 0, 1.0, -1.0) for m in M_I]
    return LogisticRegression(A, y, l2=0.1)
