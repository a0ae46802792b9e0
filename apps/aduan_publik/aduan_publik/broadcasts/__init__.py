"""Broadcasts: the city's official information to opted-in residents, approved, paced, exactly once.

A :class:`~.models.Broadcast` is drafted in the desk (template, variables, optional header file,
topic and area filters, "send at"), approved by someone else (maker-checker), its recipient
list materialised at approval, and sent by any number of RQ workers (:mod:`.engine`) through
a channel with the ``broadcast`` capability, paced by a Redis token bucket (:mod:`.pacing`).
Residents opt in twice (:mod:`.optin`): the subscription, then a YA answer. See docs/broadcast.md.
"""
