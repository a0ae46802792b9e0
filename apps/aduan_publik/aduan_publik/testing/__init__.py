"""Helpers shipped for channel plugin authors and the hub's own tests.

* :mod:`.channel_contract` — :class:`ChannelContractTests`, the mixin every channel's tests use.
* :mod:`.entry_points` — register a channel through a real entry point inside a test.
* :mod:`.fake_channel` — :class:`FakeChannel`, a signed-webhook channel that records what it sends.

These modules import pytest; install it with your test dependencies.
"""
