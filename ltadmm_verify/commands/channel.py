"""The unreliable-network flags of ``ltadmm-verify run`` (SPEC 8): ``--loss``, ``--activation``,
``--compress``, ``--channel-noise``, and the :class:`~ltadmm_verify.algorithms.channel.Channel`
they describe. Bad values end in one line naming the flag (exit status 2), like every flag."""

from __future__ import annotations

import argparse

from .._validation import probability
from ..algorithms.channel import Channel, parse_compression
from .common import NONNEGATIVE, _flag_type

#: a probability in [0, 1) (message loss)
LOSS = _flag_type(lambda name, value: probability(name, value, one=False), float,
                  "a probability in [0, 1)")
#: a probability in (0, 1] (agent activation)
ACTIVATION = _flag_type(lambda name, value: probability(name, value, zero=False), float,
                        "a probability in (0, 1]")
#: none, quantize:STEP, qsgd:LEVELS, topk:K, randk:K, randk-unbiased:K
COMPRESSION = _flag_type(lambda name, value: value, parse_compression,
                         "a compression (none, quantize:STEP, qsgd:LEVELS, topk:K, randk:K or "
                         "randk-unbiased:K; K an integer >= 1 or a fraction in (0, 1))")


def add_channel_options(parser: argparse.ArgumentParser) -> None:
    """Register the channel flags (defaults: the ideal network)."""
    group = parser.add_argument_group("unreliable network (SPEC 8)")
    group.add_argument("--loss", type=LOSS, default=0.0,
                       help="probability that a directed message is lost (default 0)")
    group.add_argument("--activation", type=ACTIVATION, default=1.0,
                       help="probability that an agent is active in a round (default 1)")
    group.add_argument("--compress", type=COMPRESSION, default=None,
                       help="compression of every message: none, quantize:STEP, qsgd:LEVELS, topk:K, "
                       "randk:K or randk-unbiased:K (K entries, or a fraction in (0, 1))")
    group.add_argument("--channel-noise", type=NONNEGATIVE, default=0.0,
                       help="variance of the additive Gaussian noise on every message (default 0)")


def build_channel(args: argparse.Namespace) -> Channel:
    """The :class:`Channel` of the flags."""
    return Channel(loss=args.loss, activation=args.activation, compression=args.compress,
                   noise=args.channel_noise)
