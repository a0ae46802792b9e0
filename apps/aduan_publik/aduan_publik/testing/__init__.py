"""Helpers shipped for channel plugin authors and the hub's own tests.

* :mod:`.channel_contract` — :class:`ChannelContractTests`, the mixin every channel's tests use
  (its hooks in :mod:`.contract_base`, the inbound checks in :mod:`.contract_inbound`).
* :mod:`.settings`, :mod:`.pytest_plugin` — run the mixin from a package outside the hub:
  Django settings for tests and the ``aduan_redis``, ``fake_provider`` and ``channel_settings``
  fixtures.
* :mod:`.fake_provider` — :class:`FakeProvider`, a provider API on 127.0.0.1 (real HTTP).
* :mod:`.entry_points` — register a channel through a real entry point inside a test;
  ``unused_channel_name()`` for an unknown channel.
* :mod:`.fake_channel` — :class:`FakeChannel`, a signed-webhook channel that records what it
  sends, and :class:`FakeHttpChannel`, the same configured per site and sending over HTTP.

These modules import pytest; install them with ``pip install "aduan-publik[testing]"``.
"""
