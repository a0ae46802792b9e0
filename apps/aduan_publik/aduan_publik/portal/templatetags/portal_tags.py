"""Template filters of the portal."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..stats import as_duration

register = template.Library()


@register.filter
def duration(value: Any) -> str:
    """A mean duration in words a resident reads at a glance: "2 hari 4 jam", "35 menit"."""
    span = as_duration(value)
    if span is None:
        return "–"
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        parts = [ngettext("%(n)d hari", "%(n)d hari", days) % {"n": days}]
        if hours:
            parts.append(ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours})
        return " ".join(parts)
    if hours:
        return ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours}
    return ngettext("%(n)d menit", "%(n)d menit", max(mins, 1)) % {"n": max(mins, 1)} if minutes else _("< 1 menit")


@register.filter
def percent(value: Any) -> str:
    return "–" if value is None else f"{number_format(value, 1)}%"
