"""Cheap cells for the complaint list: unfold's own HTML, rendered once per page instead of once per row.

unfold renders a template for every label cell (``display_for_label``) and every row's checkbox
(a form widget): 150 template renders for a page of 50 complaints. The HTML of a label depends only
on its value (a handful of statuses and priorities) and the checkbox only on the row's id, so each is
rendered once and reused: the page looks exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.contrib.admin import helpers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from unfold.admin import checkbox
from unfold.decorators import display
from unfold.utils import display_for_label

PK_SLOT = "__desk_pk__"


@lru_cache(maxsize=32)
def _checkbox_html(language: str | None) -> str:
    """unfold's row checkbox with a slot for the id (its aria-label is translated: one per language)."""
    return str(checkbox.render(helpers.ACTION_CHECKBOX_NAME, PK_SLOT))


def row_checkbox(pk: Any) -> SafeString:
    """The same ``<input type="checkbox" name="_selected_action" value="<pk>" …>`` as unfold's widget."""
    return mark_safe(_checkbox_html(get_language()).replace(PK_SLOT, escape(str(pk))))  # escaped


def label_column(name: str, description: Any, colours: dict[Any, str],
                 value: Callable[[Any], tuple[str, Any]]) -> Any:
    """A label column (status, priority) for one page: each distinct value's HTML rendered once.

    ``value(obj)`` gives ``(key, text)``; ``colours`` maps a key to unfold's label variant.
    Built per request (admin instances are shared by every request; the labels are translated).
    """
    rendered: dict[str, SafeString] = {}

    @display(description=description)
    def label(obj: Any) -> SafeString:
        key, text = value(obj)
        if key not in rendered:
            rendered[key] = mark_safe(display_for_label((key, str(text)), "-", colours))  # unfold's HTML
        return rendered[key]

    label.__name__ = name  # the column's CSS class (field-<name>) stays that of the method it replaces
    return label


def share_headers() -> None:
    """Let a changelist build its column headers once per page instead of once per row.

    unfold's ``items_for_result`` calls ``result_headers(cl)`` for every row (it needs one header's
    text for the cell's ``data-label``), which renders the select-all checkbox widget and every
    sort link again: a fifth of the complaint list's rendering. A changelist that carries a
    ``desk_headers`` list (:class:`~aduan_publik.desk.complaint_admin.DeskChangeList`) gets the
    headers of its first call back on every later call; every other changelist is untouched.
    Installed once, when the desk's admin modules load.
    """
    from unfold.templatetags import unfold_list

    original = unfold_list.result_headers
    if getattr(original, "desk_shared", False):
        return

    def result_headers(cl: Any) -> Any:
        shared = getattr(cl, "desk_headers", None)
        if shared is None:
            return original(cl)
        if not shared:
            shared.extend(original(cl))
        return iter(shared)

    result_headers.desk_shared = True  # type: ignore[attr-defined]
    unfold_list.result_headers = result_headers
