"""C4: local training saves communication: at fixed ``K``, ``tau = 2`` local steps give a smaller
``Mbar_K`` than ``tau = 1`` (until client drift sets in).

Exact expected curves on quadratics, noise-free (the transient ``A/(K tau)`` is then all of
``Mbar_K``), with steps inside the theorem's admissible region (cards C3, at ``tau = 8``), and a
simulated property on minibatch logistic regression.

Most generated instances satisfy the claim when the initial error dominates the heterogeneity of
the local costs (the regime where the transient ``A/(K tau)`` is the bound's main term:
``||x_0 - x*|| = 10 max_i ||grad f_i(x*)|| / mu``, a random direction): 159 of 271 examples of a
``thorough`` run passed, and the ``ci`` examples pass. It is not a theorem there either
(``test_c4_transient_dominated``, pinned below).

Findings encoded as expected failures (strict), each pinned by its minimal counterexample:

- even from a transient-dominated start the claim fails inside the theorem's region when the
  penalty is weak and ``beta / gamma`` large: complete graph on 7 agents, ``d = 1``, ``H_i = 1``,
  ``rho = 0.1``, ``gamma = 0.0139``, ``beta = 10 gamma``, ``x_0 = 12.37`` at every agent:
  ``Mbar_100`` 7910, 8514, 10855, 16501 for ``tau`` 1, 2, 4, 8 (exact curve; a simulation gives the
  same to 1e-8). The first round's local steps, pulled by the penalty against ``z_0 = 0``, drive the
  stationarity from 7763 to 23059 at ``tau = 1`` and to 46101 at ``tau = 2``, and that first
  transient dominates ``Mbar_K`` (found by the ``thorough`` profile);
- from the default start ``x_0 = 0`` the claim fails inside the theorem's region when the initial
  error is small next to the heterogeneity of the local optima: every extra local step adds client
  drift. The ``thorough`` profile found it on generated instances (e.g. a 5-agent path, ``d = 2``,
  ``H_i = I``, ``gamma = beta = 7.6e-4``: ``Mbar_100`` 8.5e-3, 1.2e-2, 1.8e-2, 2.3e-2 for ``tau`` 1,
  2, 4, 8); minimal form: two agents, ``f_1 = x^2/2 - x``, ``f_2 = x^2/2 + x`` (``x* = 0 = x_0``),
  ``gamma = beta = 0.05`` times the card-C3 step: ``Mbar_100`` 2.2e-4 at ``tau = 1``, 4.0e-4 at
  ``tau = 2``;
- simulated, with minibatch gradients (logistic regression, ``x_0 = 0``): two agents, 11 samples
  each, ``d = 1``, ``l2 = 0.5``, ``|B| = 3``, ``gamma = beta = 0.5 / (8 (L + 1))``: ``Mbar_100``
  8.0e-4, 1.6e-3, 2.2e-3, 1.9e-3 for ``tau`` 1, 2, 4, 8 (3 seeds; log-ratio 0.71, interval
  [0.23, 1.20]): near the optimum the stochastic floor, which grows with ``gamma tau`` (C1),
  outweighs the transient (found by the ``thorough`` profile);
- with the inner-penalty variant (ours, not the paper's), ``tau = 2`` can be worse than
  ``tau = 1`` even inside the theorem's region (e.g. complete graph, ``N = 7``, ``d = 1``,
  ``rho = 10``, ``gamma = beta = 0.0208``: ``Mbar_100`` 0.547 at ``tau = 1``, 0.724 at ``tau = 2``);
- between the theorem's step and the stability limit, ``tau = 2`` can already be worse than
  ``tau = 1`` (client drift from the first extra local step).

The sweep at fixed computation ``K tau`` is a trade-off the paper does not claim: it has no
property here (the report shows it without a verdict; on quadratics ``tau = 2`` reaches an accuracy
within a relative 1e-3 of ``tau = 1`` at the same number of gradient steps, with half the messages).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, example, given, note, settings, target
from hypothesis import strategies as st

from ltadmm_verify import LTADMM, LogisticRegression, Quadratic, make_network, random_quadratic
from ltadmm_verify.theory.admissibility import admissible_step_size
from ltadmm_verify.verify import Verdict, checks
from ltadmm_verify.verify import strategies as lst
from ltadmm_verify.verify.experiments import MonteCarlo

TAUS = (1, 2, 4, 8)
SIM_EXAMPLES = max(2, settings.default.max_examples // 3)
#: Expected failures are not shrunk (their minimal counterexamples are quoted in the docstrings).
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]


QUADRATICS = lst.instances("quadratic", max_nodes=12, max_dim=3)


@st.composite
def cases(draw, region="theorem", penalties=("frozen",)):
    """A quadratic instance and LT-ADMM at ``tau = 1`` with a step inside ``region`` at ``tau = 8``."""
    problem, network = draw(QUADRATICS)
    alg = draw(lst.ltadmm_algorithms(problem, network, tau=1, critical_taus=TAUS, region=region,
                                     penalties=penalties))
    return problem, network, alg


def _exact_property(case, record, x0=None):
    problem, network, alg = case
    result = checks.check_c4_local_training(alg, problem, network, TAUS, mc=MonteCarlo(rounds=100),
                                            x0=x0)
    record(result)
    target(result.measured, label=f"{result.claim} log-ratio (larger is worse)")
    note(f"{result.line()}; {result.evidence}")
    assert result.verdict != Verdict.FAIL, result.line()


def transient_start(problem, direction_seed):
    """``x* + 10 max_i ||grad f_i(x*)|| / mu`` along a random unit direction."""
    x_star = problem.optimum()
    grads = problem.local_gradients(np.tile(x_star, (problem.n_agents, 1)))
    scale = 10.0 * np.sqrt((grads**2).sum(axis=1).max()) / problem.smoothness().mu
    u = np.random.default_rng(direction_seed).standard_normal(problem.dim)
    return x_star + scale * u / np.linalg.norm(u)


#: Counterexample of the transient-dominated property (module docstring; ``direction=0`` gives
#: ``x_0 = 12.37``).
TRANSIENT = (Quadratic(np.ones((7, 1, 1)), np.array([[-1.24591095], [-0.73226735], [-0.54425898],
                                                     [-0.31630016], [0.41163054], [1.04251337],
                                                     [-0.12853466]])),
             make_network("complete", 7), LTADMM(0.0138940227, 0.138940227, 0.1, 1))


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="finding: even from a transient-dominated start, a weak penalty with large "
                   "beta/gamma makes the first round's transient grow with tau: tau=2 worse than "
                   "tau=1 at fixed K inside the theorem's region")
@settings(phases=NO_SHRINK)
@example(case=TRANSIENT, direction=0)
@given(case=cases(), direction=st.integers(0, 2**31 - 1))
def test_c4_transient_dominated(case, direction, record):
    _exact_property(case, record, x0=transient_start(case[0], direction))


def _two_agents_at_the_optimum():
    """``f_{1,2} = x^2/2 -+ x`` on two agents, ``x* = 0``, LT-ADMM at 0.05 times card C3's step."""
    problem, network = Quadratic(np.ones((2, 1, 1)), np.array([[1.0], [-1.0]])), make_network("path", 2)
    law = admissible_step_size(problem, network, tau=max(TAUS), rho=1.0, exact=False).gamma_max
    return problem, network, LTADMM(0.05 * law, 0.05 * law, 1.0, 1)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="finding: from x_0 = 0 near the optimum, client drift makes "
                   "tau=2 worse than tau=1 at fixed K inside the theorem's region (heterogeneous "
                   "local costs)")
@settings(phases=NO_SHRINK)
@example(case=_two_agents_at_the_optimum())
@given(case=cases())
def test_c4_local_training_from_zero(case, record):
    _exact_property(case, record)


#: Minimal counterexample with the inner penalty (found by Hypothesis, rounded): complete graph on 7
#: agents, d = 1, H_i = 1, rho = 10, gamma = beta = 0.0208: Mbar_100 0.548 (tau 1) < 0.723 (tau 2).
INNER = (random_quadratic(7, 1, mu=1.0, L=1.0, seed=0), make_network("complete", 7),
         LTADMM(0.0208, 0.0208, 10.0, 1, penalty="inner"))


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="finding: with the inner penalty, tau=2 can be worse than "
                   "tau=1 at fixed K inside the theorem's region (penalty stiffness gamma rho d_i)")
@settings(phases=NO_SHRINK)
@example(case=INNER)
@given(case=cases(penalties=("inner",)))
def test_c4_inner_penalty(case, record):
    _exact_property(case, record)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="finding: up to the stability limit, client drift can make "
                   "tau=2 worse than tau=1 at fixed K")
@settings(phases=NO_SHRINK)
@given(case=cases(region="stable"))
def test_c4_local_training_up_to_stability_limit(case, record):
    _exact_property(case, record)


#: Counterexample of the simulated property (found by the ``thorough`` profile): two agents,
#: 11 samples each, ``d = 1``, ``l2 = 0.5``.
TWO_LOGISTIC = (
    LogisticRegression(
        [[[-1.8281352719859223], [-0.403510583113448], [0.5992052399745581], [-1.3035051610121382],
          [-0.780690363536569], [-0.9104194739828779], [-0.8144335294705632], [-1.0114324834086814],
          [-1.5086071889571404], [1.5465045935553612], [1.4124804691390844]],
         [[0.0683691035864211], [-1.1231197544367804], [-0.5947580060407209], [-0.11932458823797362],
          [1.2329677368077434], [0.16376823892957848], [1.0128699012682452], [1.2905219965278159],
          [-0.6506429107447754], [-0.444177230258984], [-1.374714009203787]]],
        [[1, 1, -1, -1, -1, 1, -1, 1, -1, 1, -1], [1, -1, -1, 1, -1, 1, -1, 1, 1, -1, 1]], l2=0.5),
    make_network("path", 2))


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="finding: with minibatch gradients near the optimum, tau=2 can be worse "
                   "than tau=1 at fixed K (the stochastic floor grows with tau)")
@settings(max_examples=SIM_EXAMPLES, phases=NO_SHRINK)
@example(instance=TWO_LOGISTIC, batch=3, fraction=0.5)
@given(instance=lst.instances("logistic", max_nodes=6, max_dim=3), batch=st.integers(1, 3),
       fraction=st.floats(0.1, 0.5))
def test_c4_local_training_logistic_simulated(instance, batch, fraction, record):
    problem, network = instance
    L = problem.smoothness().per_sample
    gamma = fraction / (max(TAUS) * (L + network.max_degree))
    alg = LTADMM(gamma, gamma, 1.0, 1, batch_size=min(batch, int(problem.n_samples.min())))
    result = checks.check_c4_local_training(alg, problem, network, TAUS, mc=MonteCarlo(seeds=3, rounds=100))
    record(result)
    note(f"{result.line()}; Mbar_K {result.evidence['means']}")
    assert result.verdict != Verdict.FAIL, result.line()
