"""Template filters of the portal: thin wrappers over the figures' Indonesian formatting."""

from __future__ import annotations

from typing import Any

from django import template

from ... import figures

register = template.Library()


@register.filter
def duration(value: Any) -> str:
    """A duration in words a resident reads at a glance: "2 hari 4 jam", "35 menit"."""
    return figures.fmt_duration(value)


@register.filter
def percent(value: Any) -> str:
    """A percentage as :mod:`aduan_publik.figures` rounds and writes it: "66,7%"."""
    return figures.fmt_pct(value)


@register.filter
def number(value: Any) -> str:
    """An integer with Indonesian thousands: "1.234"."""
    return figures.fmt_int(value)


@register.filter
def decimal1(value: Any) -> str:
    """One decimal, Indonesian: "4,3"."""
    return figures.fmt_decimal(value)
