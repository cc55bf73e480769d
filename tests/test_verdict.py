"""The verdict rule (SPEC 4): one function decides every check, one combines a claim's checks."""

from __future__ import annotations

import math

import pytest

from ltadmm_verify.verify import CheckResult, Verdict, combine, decide

PASS, FAIL, INCONCLUSIVE, NA = (Verdict.PASS, Verdict.FAIL, Verdict.INCONCLUSIVE,
                                Verdict.NOT_APPLICABLE)


@pytest.mark.parametrize(("measured", "half_width", "relation", "expected"), [
    (0.5, 0.1, "<=", PASS),          # [0.4, 0.6] below 1
    (1.5, 0.1, "<=", FAIL),          # [1.4, 1.6] above 1
    (0.95, 0.1, "<=", INCONCLUSIVE),  # straddles
    (1.5, 0.1, ">=", PASS),
    (0.5, 0.1, ">=", FAIL),
    (0.5, 0.1, "<", PASS),
    (1.5, 0.1, ">", PASS),
    (0.5, 0.1, ">", FAIL),
    (1.0, 0.0, "<=", PASS),          # a weak bound is on the claim's side
    (1.0, 0.0, ">=", PASS),
])
def test_interval_against_bound(measured, half_width, relation, expected):
    assert decide(measured, 1.0, relation, half_width=half_width)[0] == expected


@pytest.mark.parametrize("relation", ["<", ">"])
def test_a_tie_is_inconclusive(relation):
    """A superiority claim needs the whole interval on its side: equality is no evidence."""
    verdict, why = decide(1.0, 1.0, relation)
    assert verdict == INCONCLUSIVE
    assert "tie" in why
    # a tie within the precision of an exact computation, too
    assert decide(1.0 + 1e-12, 1.0, relation, margin=1e-8)[0] == INCONCLUSIVE


def test_margin_is_a_band_around_the_bound():
    # an exact slope equal to the claimed exponent up to rounding supports the claim
    assert decide(1.0 - 1e-12, 1.0, ">=", margin=1e-8)[0] == PASS
    assert decide(1.0 - 1e-6, 1.0, ">=", margin=1e-8)[0] == FAIL
    assert decide(-1e-9, 0.0, "<", margin=1e-8)[0] == INCONCLUSIVE
    assert decide(-1e-3, 0.0, "<", margin=1e-8)[0] == PASS


def test_a_margin_coarser_than_the_effect_is_inconclusive():
    """The tolerance must not swallow the effect the check exists to detect."""
    verdict, why = decide(0.6, 1.0, ">=", margin=0.45, resolution=0.5)
    assert verdict == PASS
    verdict, why = decide(0.6, 1.0, ">=", margin=1.01, resolution=0.5)
    assert verdict == INCONCLUSIVE
    assert "could not fail" in why


def test_asymmetric_interval_and_missing_measurement():
    assert decide(0.8, 1.0, "<", interval=(0.7, 0.95))[0] == PASS
    assert decide(0.8, 1.0, "<", interval=(0.7, 1.05))[0] == INCONCLUSIVE
    assert decide(math.nan, 1.0, "<")[0] == INCONCLUSIVE
    assert decide(0.5, 1.0, "<=", half_width=math.inf)[0] == INCONCLUSIVE


def test_contradiction_fails_and_bad_input_is_rejected():
    assert decide(math.nan, 1.0, "<=", contradiction="a run diverged") == (FAIL, "a run diverged")
    assert decide(0.5, 1.0, "<", undecided="depends on the budget") == (INCONCLUSIVE,
                                                                         "depends on the budget")
    with pytest.raises(ValueError, match="relation"):
        decide(0.0, 1.0, "=")
    with pytest.raises(ValueError, match="half_width"):
        decide(0.0, 1.0, "<=", half_width=-1.0)


def test_combine():
    assert combine([PASS, PASS, NA]) == PASS
    assert combine([PASS, INCONCLUSIVE]) == INCONCLUSIVE
    assert combine([INCONCLUSIVE, FAIL, PASS]) == FAIL
    assert combine([NA]) == NA
    assert combine([]) == NA


def test_check_result_carries_the_rule_and_its_conditions():
    rate = CheckResult("O1", "rate < 1", 0.9, 1.0, "<", half_width=0.01)
    assert rate.verdict == PASS
    floor = CheckResult("O1.vanishing", "slope <= -1", 0.0, -1.0, "<=", half_width=0.1)
    with_floor = CheckResult("O1", "rate < 1", 0.9, 1.0, "<", half_width=0.01, conditions=(floor,))
    assert with_floor.verdict == FAIL
    assert "O1.vanishing" in with_floor.explanation
    data = with_floor.to_dict()
    assert data["verdict"] == "FAIL" and data["interval"] == [0.89, 0.91]
    assert CheckResult.not_applicable("C3", "s", "no constant").verdict == NA
    assert CheckResult.contradicted("C5", "s", 0.0, ">=", "disconnected").verdict == FAIL
    assert CheckResult("C6", "s", 0.8, 1.0, "<", bounds=(0.7, 1.2)).verdict == INCONCLUSIVE
