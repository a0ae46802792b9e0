"""Outgoing webhooks for integrators (docs/webhooks.md): subscriptions, signed deliveries, dead letters."""
