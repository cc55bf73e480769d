"""Unreliable networks (SPEC 8): the channel's semantics, its accounting and its reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import ltadmm_verify as lv
from ltadmm_verify.algorithms.base import Algorithm
from ltadmm_verify.algorithms.channel import parse_compression
from ltadmm_verify.algorithms.transport import ChannelTransport
from ltadmm_verify.backends.simulator import Simulator
from ltadmm_verify.errors import InvalidParameterError

NET = lv.make_network("ring", 6)
PROBLEM = lv.random_least_squares(6, 4, 5, seed=1)
ALGORITHMS: dict[str, Algorithm] = {
    "lt-admm": lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=2),
    "lt-admm-inner": lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2, penalty="inner", alpha=0.3),
    "lt-admm-vr": lv.LTADMMVR(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=1),
    "lt-admm-vr-noreset": lv.LTADMMVR(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=2, reset=False),
    "local-dsgd": lv.LocalDSGD(gamma=0.05, tau=3, batch_size=2),
    "led": lv.LED(gamma=0.05, beta=0.05, tau=3, batch_size=2),
    "k-gt": lv.KGT(eta_c=0.05, eta_s=1.0, tau=3, batch_size=2),
    "exact-admm": lv.ExactADMM(rho=1.0),
}
UNRELIABLE = lv.Channel(loss=0.3, activation=0.7, compression=lv.RandK(2), noise=0.01)


def _equal(a: lv.RunResult, b: lv.RunResult) -> bool:
    return bool(np.array_equal(a.x, b.x) and a.history.keys() == b.history.keys()
                and all(np.array_equal(a.history[k], b.history[k]) for k in a.history))


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_the_ideal_channel_is_bit_identical_to_a_run_without_one(name: str) -> None:
    algorithm = ALGORITHMS[name]
    noise = lv.GaussianNoise(0.01)
    plain = lv.run(algorithm, PROBLEM, NET, 15, seed=3, noise=noise, check="off")
    ideal = lv.run(algorithm, PROBLEM, NET, 15, seed=3, noise=noise, check="off", channel=lv.Channel())
    assert _equal(plain, ideal)
    assert np.array_equal(plain.history["messages_delivered"], plain.history["messages"])
    assert np.array_equal(plain.history["floats_sent"], PROBLEM.dim * plain.history["messages"])


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_replicas_on_an_unreliable_channel_equal_single_runs(name: str) -> None:
    algorithm = ALGORITHMS[name]
    replicas = lv.run_replicas(algorithm, PROBLEM, NET, 15, [5, 9], check="off", channel=UNRELIABLE)
    for seed, replica in zip([5, 9], replicas, strict=True):
        assert _equal(replica, lv.run(algorithm, PROBLEM, NET, 15, seed=seed, check="off",
                                      channel=UNRELIABLE))
    assert not _equal(replicas[0], lv.run(algorithm, PROBLEM, NET, 15, seed=5, check="off"))


def _transport(channel: lv.Channel, seed: int = 0, network: lv.Network = NET) -> ChannelTransport:
    return ChannelTransport(Simulator(network), channel, np.array([seed]))


def test_a_lost_message_gives_the_fallback_and_a_delivered_one_the_sent_value() -> None:
    transport = _transport(lv.Channel(loss=0.5))
    transport.start_round(0)
    values = np.arange(NET.n_directed_edges * 2.0).reshape(-1, 2)
    fallback = -values - 100.0
    received = transport.exchange(values, fallback=fallback)
    arrived = received[:, 0] > -50
    assert 0 < arrived.sum() < arrived.size
    assert np.array_equal(received[arrived], values[NET.edge_reverse][arrived])
    assert np.array_equal(received[~arrived], fallback[~arrived])
    assert transport.delivered[0] == arrived.sum() and transport.sent[0] == arrived.size


def test_mix_substitutes_the_receivers_own_value_and_keeps_constants() -> None:
    transport = _transport(lv.Channel(loss=0.4))
    transport.start_round(2)
    constant = np.ones((NET.n_agents, 3)) * 7.0
    assert np.allclose(transport.mix(constant), constant)
    values = np.random.default_rng(0).standard_normal((NET.n_agents, 3))
    mixed = transport.mix(values)
    # call 1 of round 2: rebuild W with the lost entries moved onto the diagonal
    arrived = transport._arrived(1)
    W = NET.mixing_matrix.toarray()
    lost = ~arrived
    src, dst = NET.edge_source[lost], NET.edge_target[lost]  # edge i -> j receives from j
    effective = W.copy()
    np.add.at(effective, (src, src), W[src, dst])
    effective[src, dst] = 0.0
    assert lost.any()
    assert np.allclose(mixed, effective @ values)
    assert np.allclose(effective.sum(axis=1), 1.0)


def test_inactive_agents_keep_their_rows_and_send_nothing() -> None:
    channel = lv.Channel(activation=0.5)
    transport = _transport(channel, seed=4, network=lv.make_network("complete", 6))
    transport.start_round(0)
    inactive = ~transport.active
    assert inactive.any() and transport.active.any()
    network = transport.network
    result = lv.run(lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2), PROBLEM, network, 1, seed=4,
                    x0=np.ones(4), check="off", channel=channel)
    assert result.x is not None
    assert np.array_equal(result.x[inactive], np.ones((int(inactive.sum()), 4)))
    assert not np.array_equal(result.x[~inactive], np.ones((int((~inactive).sum()), 4)))
    active_edges = transport.active[network.edge_source].sum()
    assert result.history["messages"][-1] == active_edges
    assert result.history["grad_evals"][-1] == 2 * PROBLEM.n_samples[transport.active].sum()


def test_an_exchange_without_fallback_is_refused_on_a_lossy_channel() -> None:
    transport = _transport(lv.Channel(loss=0.5))
    transport.start_round(0)
    with pytest.raises(InvalidParameterError, match="fallback"):
        transport.exchange(np.zeros((NET.n_directed_edges, 1)))


@pytest.mark.parametrize("loss", [0.2, lv.GilbertElliott(0.9, 0.1, 0.3)])
def test_the_long_run_loss_rate_is_inside_the_interval(loss: float | lv.GilbertElliott) -> None:
    channel = lv.Channel(loss=loss)
    result = lv.run(lv.LocalDSGD(gamma=0.01, tau=1), PROBLEM, NET, 3000, seed=2, check="off",
                    channel=channel, record_every=3000)
    sent, delivered = result.history["messages"][-1], result.history["messages_delivered"][-1]
    rate = 1.0 - delivered / sent
    expected = loss if isinstance(loss, float) else loss.loss_rate
    # bursts correlate the messages of a link over about 1/b rounds: widen by the correlation time
    correlation = 1.0 if isinstance(loss, float) else (1.0 + 2.0 * (1.0 - loss.good_to_bad - loss.bad_to_good)
                                                       / (loss.good_to_bad + loss.bad_to_good))
    half_width = 4.0 * np.sqrt(expected * (1 - expected) * correlation / sent)
    assert abs(rate - expected) < half_width


@pytest.mark.parametrize("compressor", [lv.StochasticQuantize(2), lv.RandK(2, unbiased=True)])
def test_unbiased_compressors_are_unbiased(compressor: lv.algorithms.Compressor) -> None:
    rng = np.random.default_rng(1)
    v = rng.standard_normal((1, 5))
    draws = np.vstack([compressor.apply(v, rng.random((1, 5))) for _ in range(4000)])
    mean, sem = draws.mean(axis=0), draws.std(axis=0, ddof=1) / np.sqrt(draws.shape[0])
    assert np.all(np.abs(mean - v[0]) < stats.norm.ppf(1 - 0.001 / 10) * sem)


def test_deterministic_compressors_and_their_cost() -> None:
    v = np.array([[0.3, -2.0, 0.05, 1.0]])
    assert np.array_equal(lv.TopK(2).apply(v, None), [[0.0, -2.0, 0.0, 1.0]])
    assert np.array_equal(lv.TopK(0.25).apply(v, None), [[0.0, -2.0, 0.0, 0.0]])
    assert np.allclose(lv.Quantize(0.5).apply(v, None), [[0.5, -2.0, 0.0, 1.0]])
    kept = lv.RandK(3).apply(v, np.array([[0.9, 0.1, 0.5, 0.2]]))
    assert np.array_equal(kept, [[0.0, -2.0, 0.05, 1.0]])
    assert [c.floats(4) for c in (lv.TopK(0.25), lv.RandK(3), lv.StochasticQuantize(2), lv.Quantize(1))] \
        == [1, 3, 5, 4]
    result = lv.run(lv.LED(gamma=0.05, beta=0.05, tau=1), PROBLEM, NET, 5, check="off",
                    channel=lv.Channel(compression=lv.TopK(0.25)))
    assert result.history["floats_sent"][-1] == result.history["messages"][-1]


def test_channel_noise_has_the_stated_variance() -> None:
    transport = _transport(lv.Channel(noise=0.5))
    d, rounds = 8, 400
    draws = []
    for k in range(rounds):
        transport.start_round(k)
        draws.append(transport.exchange(np.zeros((NET.n_directed_edges, d)), fallback=None))
    energy = (np.concatenate(draws) ** 2).sum(axis=1)
    sem = energy.std(ddof=1) / np.sqrt(energy.size)
    assert abs(energy.mean() - 0.5) < 4 * sem


@pytest.mark.parametrize(("arguments", "match"), [
    ({"loss": 1.0}, "loss"), ({"loss": -0.1}, "loss"), ({"activation": 0.0}, "activation"),
    ({"noise": -1.0}, "noise"), ({"compression": "topk"}, "compression"),
])
def test_bad_channels_are_refused_naming_the_argument(arguments: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        lv.Channel(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [
    ("none", None), ("topk:0.25", lv.TopK(0.25)), ("topk:3", lv.TopK(3)), ("randk:2", lv.RandK(2)),
    ("randk-unbiased:0.5", lv.RandK(0.5, unbiased=True)), ("qsgd:4", lv.StochasticQuantize(4)),
    ("quantize:0.1", lv.Quantize(0.1)),
])
def test_compression_specs_parse(text: str, expected: object) -> None:
    assert parse_compression(text) == expected


@pytest.mark.parametrize("text", ["topk", "topk:0", "topk:-1", "zip:3", "qsgd:0.5", "quantize:0"])
def test_bad_compression_specs_are_refused(text: str) -> None:
    with pytest.raises(InvalidParameterError):
        parse_compression(text)


def test_the_time_model_can_charge_the_floats_sent() -> None:
    result = lv.run(lv.LED(gamma=0.05, beta=0.05, tau=2), PROBLEM, NET, 6, check="off",
                    channel=lv.Channel(compression=lv.TopK(1)))
    fig = lv.plot(result, axes=("time", "time_floats"), metrics=("stationarity",), comm_ratio=3.0)
    rounds_axis, floats_axis = fig.axes
    k = result.history["round"]
    assert np.allclose(rounds_axis.lines[0].get_xdata(), k * (2 + 3.0))
    floats_per_round = NET.n_directed_edges  # one float per message (top-1)
    assert np.allclose(floats_axis.lines[0].get_xdata(), k * 2 + 3.0 * k * floats_per_round / NET.n_agents)
