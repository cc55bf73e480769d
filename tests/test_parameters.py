"""Declared parameters: validation from the constraints, step scaling, values and ratios, ranges."""

from __future__ import annotations

import dataclasses

import pytest

import ltadmm_verify as lv
from ltadmm_verify.algorithms import KGT, LED, ExactADMM, LocalDSGD
from ltadmm_verify.algorithms.parameters import Range

ALL = [
    lv.LTADMM(gamma=0.1, beta=0.2, rho=1.0, tau=2),
    lv.LTADMMVR(gamma=0.1, beta=0.2, rho=1.0, tau=2),
    LocalDSGD(gamma=0.1, tau=2),
    LED(gamma=0.1, beta=0.3, tau=2),
    KGT(eta_c=0.1, eta_s=2.0, tau=2),
    ExactADMM(rho=1.0),
]


@pytest.mark.parametrize("algorithm", ALL, ids=lambda a: a.name)
def test_every_field_has_a_constraint_and_ranges_name_parameters(algorithm: lv.Algorithm) -> None:
    fields = {f.name for f in dataclasses.fields(algorithm)}
    assert set(algorithm.parameter_constraints) == fields
    assert set(algorithm.step_parameters) <= fields
    for key in algorithm.tuning_ranges:
        assert all(part in fields for part in key.split("/")), key


@pytest.mark.parametrize("algorithm", [a for a in ALL if a.step_parameters], ids=lambda a: a.name)
def test_with_step_scales_every_step_parameter_and_keeps_ratios(algorithm: lv.Algorithm) -> None:
    scaled = algorithm.with_step(3 * algorithm.step_size)
    assert type(scaled) is type(algorithm)
    assert scaled.step_size == pytest.approx(3 * algorithm.step_size, rel=1e-15)
    for name in algorithm.step_parameters:
        assert getattr(scaled, name) == pytest.approx(3 * getattr(algorithm, name), rel=1e-15)
    others = {f.name for f in dataclasses.fields(algorithm)} - set(algorithm.step_parameters)
    assert all(getattr(scaled, n) == getattr(algorithm, n) for n in others)


def test_with_step_without_step_parameter_is_an_error() -> None:
    with pytest.raises(lv.InvalidParameterError, match="no step size"):
        ExactADMM(rho=1.0).with_step(0.1)


def test_with_values_sets_fields_then_ratios_and_validates() -> None:
    alg = lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=2)
    out = alg.with_values(gamma=0.2, rho=3.0, **{"beta/gamma": 2.5})
    assert (out.gamma, out.beta, out.rho) == (0.2, 0.5, 3.0)
    with pytest.raises(lv.InvalidParameterError, match="no parameter 'eta'"):
        alg.with_values(eta=1.0)
    with pytest.raises(lv.InvalidParameterError, match="not a ratio"):
        alg.with_values(**{"beta/eta": 1.0})
    with pytest.raises(lv.InvalidParameterError, match="alpha"):
        alg.with_values(alpha=1.5)


@pytest.mark.parametrize(("value", "word"), [(None, "batch_size"), (0, "batch_size")])
def test_vr_needs_a_minibatch(value: object, word: str) -> None:
    with pytest.raises(lv.InvalidParameterError, match=word):
        lv.LTADMMVR(gamma=0.1, beta=0.1, rho=1.0, tau=2, batch_size=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_booleans_are_booleans(bad: object) -> None:
    with pytest.raises(lv.InvalidParameterError, match="replace"):
        lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=2, replace=bad)  # type: ignore[arg-type]


def test_range_grids() -> None:
    assert Range(1e-3, 1e-1).grid(3) == pytest.approx([1e-3, 1e-2, 1e-1])
    assert Range(0.1, 0.9, "linear").grid(3) == pytest.approx([0.1, 0.5, 0.9])
    assert Range(1, 10, "integer").grid(4) == [1.0, 2.0, 5.0, 10.0]
    with pytest.raises(lv.InvalidParameterError):
        Range(0.0, 1.0)
    with pytest.raises(lv.InvalidParameterError):
        Range(2.0, 1.0, "linear")
