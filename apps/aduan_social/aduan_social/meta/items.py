"""The item types a parser returns."""

from typing import TypeAlias

from aduan_publik.channels.base import InboundMessage, InboundProblem, StatusUpdate

Item: TypeAlias = InboundMessage | StatusUpdate | InboundProblem
