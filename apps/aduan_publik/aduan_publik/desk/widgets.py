"""The complaint list's dropdown filters (category, status): unfold's select with its options built in Python.

Django renders a select by including ``select_option.html`` (and ``attrs.html`` inside it) once per
option: 60 template renders for the category filter alone. :class:`DeskSelectWidget` builds the same
option markup in one pass; its template is unfold's ``unfold/widgets/select.html`` with the option loop
replaced by that markup. ``test_desk_list_render.py`` compares both on the same choices, so an unfold or
Django upgrade that changes the select fails there rather than changing the page.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.contrib.filters.forms import DropdownForm
from unfold.widgets import UnfoldAdminSelectWidget

OPTION_INDENT = "\n            "  # before each option in unfold's template; Django's option template ends in "\n"


def stringformat(value: Any) -> str:
    """Django's ``|stringformat:'s'``."""
    return "%s" % (value,)  # noqa: UP031 - the filter's own formatting


def attrs_html(attrs: dict[str, Any]) -> str:
    """Django's ``django/forms/widgets/attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}" if value is True
                     else f' {conditional_escape(name)}="{conditional_escape(stringformat(value))}"')
    return "".join(parts)


def options_html(optgroups: list[tuple[Any, list[dict[str, Any]], int]]) -> SafeString:
    """The ``<option>`` (and ``<optgroup>``) markup of unfold's select template, whitespace included."""
    parts = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n        <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(f'{OPTION_INDENT}<option value="{conditional_escape(stringformat(option["value"]))}"'
                         f'{attrs_html(option["attrs"])}>{conditional_escape(option["label"])}</option>\n')
        if group_name:
            parts.append("\n                </optgroup>")
    return mark_safe("".join(parts))  # every value and label escaped above


class DeskSelectWidget(UnfoldAdminSelectWidget):
    template_name = "desk/widgets/select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["desk_options"] = options_html(context["widget"]["optgroups"])
        return context


class DeskDropdownForm(DropdownForm):
    """unfold's filter form with :class:`DeskSelectWidget` (same attributes as unfold's own; a multiple
    choice filter still gets unfold's own widget from ``DropdownForm``)."""

    widget = DeskSelectWidget(attrs={"data-theme": "admin-autocomplete",
                                     "class": "unfold-admin-autocomplete admin-autocomplete"})


class DeskChoicesDropdownFilter(ChoicesDropdownFilter):
    """unfold's choices dropdown (the status filter) with the desk's select."""

    form_class = DeskDropdownForm


def desk_select(formfield: Any) -> Any:
    """Give a form field's unfold select (bare or inside the admin's related-object wrapper) the desk's
    option rendering: the same widget, attributes and choices, only built in one pass."""
    widget = getattr(formfield, "widget", None)
    inner = getattr(widget, "widget", widget)
    if type(inner) is UnfoldAdminSelectWidget:
        inner.__class__ = DeskSelectWidget
    return formfield
