"""The complaint list's rows: unfold's cells, with everything that is the same for every row worked out once.

unfold's ``items_for_result`` redoes per row and per column what depends only on the column: the
column's CSS classes, its header (``data-label``), the kind of cell (field, label, value), the empty
value, and per row the link's preserved filters (``add_preserved_filters`` resolves the URL each time).
:class:`RowPlan` keeps those per page; each row then costs the column's own value and its escaping.

Only changelists that carry a ``desk_rows`` plan (:class:`~aduan_publik.desk.complaint_admin.DeskChangeList`)
take this path, and only in the plain case the desk uses (no editable list, no popup, no ``to_field``,
no sortable ordering field); anything else goes to unfold. ``test_desk_list_render.py`` compares the
cells with unfold's own on the same rows, so an unfold upgrade that changes a cell fails there.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.contrib.admin.templatetags.admin_list import _coerce_field_name  # type: ignore[attr-defined]
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (  # type: ignore[attr-defined]
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from unfold.templatetags import unfold_list
from unfold.utils import display_for_field, display_for_header, display_for_label, display_for_value

UNFOLD_ITEMS_FOR_RESULT = unfold_list.items_for_result
NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)


@dataclass
class Column:
    """One column of the page: how its value is read and shown, and its fixed HTML around it."""

    name: Any
    field: Any  # the model field, or None for a method/callable
    read: Callable[[Any], Any]
    show: Callable[[Any, Any], Any]  # (row, value) -> the cell's inner HTML
    opening: str  # '<td class="…" data-label="…">' without the nowrap class
    nowrap_opening: str  # the same with the nowrap class unfold adds to dates
    closing: str
    link: bool
    nowrap_always: bool


class RowPlan:
    """The columns of one changelist page, built from its first row."""

    def __init__(self) -> None:
        self.columns: list[Column] | None = None
        self.url_around: tuple[str, str] | None = None  # a row link before and after its id

    @staticmethod
    def usable(cl: Any, form: Any) -> bool:
        admin = cl.model_admin
        return not (form or cl.is_popup or cl.to_field or getattr(admin, "ordering_field", None)
                    or cl.list_display_links is None)

    def build(self, cl: Any, result: Any) -> list[Column]:
        headers = list(unfold_list.result_headers(cl))
        links = cl.list_display_links or cl.list_display[:1]
        empty = cl.model_admin.get_empty_value_display()
        columns, first_link = [], True
        for index, name in enumerate(cl.list_display):
            link = name in links
            tag = "th" if link and first_link else "td"
            first_link = first_link and not link
            label = headers[index]["text"] if (link or index != 0) else gettext("Select record")
            columns.append(column(cl, result, index, name, tag, label, empty, link))
        return columns

    def link_url(self, cl: Any, result: Any) -> str:
        """The row's change URL with the list's filters, as ``add_preserved_filters`` gives it.

        The URL differs between rows only by the id and the filters not at all, so the first row's
        URL is split around its id and its query string kept: no ``reverse``/``resolve`` per row.
        """
        pk = result.pk
        if self.url_around is not None and type(pk) is int:
            return f"{self.url_around[0]}{pk}{self.url_around[1]}"
        url = str(cl.url_for_result(result))
        whole = str(add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url))
        at = url.rfind(f"/{pk}/")
        if self.url_around is None and type(pk) is int and at >= 0 and whole.startswith(url) and "?" not in url:
            self.url_around = (url[:at + 1], whole[at + 1 + len(str(pk)):])
        return whole


def column(cl: Any, result: Any, index: int, name: Any, tag: str, label: Any, empty: str,
           link: bool) -> Column:
    """The fixed parts of one column, as unfold's ``items_for_result`` would render them."""
    admin = cl.model_admin
    field = plain_field(cl, name)
    read: Callable[[Any], Any]
    if field is not None:
        read = attrgetter(name)
        show: Callable[[Any, Any], Any] = field_shower(field, empty)
        classes = [f"field-{_coerce_field_name(name, index)}", *unfold_list.ROW_CLASSES]
        nowrap_always = isinstance(field, NOWRAP_FIELDS)
    else:
        if callable(name):
            read = attr = name
        elif hasattr(admin, name) and name != "__str__":
            read = attr = getattr(admin, name)
        else:  # a model attribute or property: lookup_field's own rules, per row
            attr = lookup_field(name, result, admin)[1]
            read = lambda obj: lookup_field(name, obj, admin)[2]  # noqa: E731
        show = cell_shower(attr, name, getattr(attr, "empty_value_display", empty))
        classes = (list(unfold_list.CHECKBOX_CLASSES) if name == "action_checkbox"
                   else [f"field-{_coerce_field_name(name, index)}", *unfold_list.ROW_CLASSES])
        nowrap_always = False
    label_html = conditional_escape(label)
    opening = f'<{tag} class="{{}}" data-label="{label_html}">'
    shown = [*classes, "nowrap"] if nowrap_always else classes
    return Column(name=name, field=field, read=read, show=show, link=link, closing=f"</{tag}>",
                  opening=opening.format(" ".join(shown)),
                  nowrap_opening=opening.format(" ".join([*classes, "nowrap"])), nowrap_always=nowrap_always)


def plain_field(cl: Any, name: Any) -> Any:
    """The model field a column shows as a field (unfold's ``display_for_field``), else None."""
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName, TypeError):
        return None
    return None if field.auto_created else field  # an automatic field shows as a plain value


def field_shower(field: Any, empty: str) -> Callable[[Any, Any], Any]:
    """How unfold shows a field: a foreign key as its object, anything else by ``display_for_field``."""
    if isinstance(field.remote_field, models.ManyToOneRel):
        return lambda obj, value: empty if value is None else value
    return lambda obj, value: display_for_field(value, field, empty)


def cell_shower(attr: Any, name: Any, empty: str) -> Callable[[Any, Any], Any]:
    """How unfold shows a method's value: a label, a header, a dropdown or a plain value."""
    if getattr(attr, "label", False):
        return lambda obj, value: display_for_label(value, empty, attr.label)
    if getattr(attr, "dropdown", False):
        from unfold.utils import display_for_dropdown

        return lambda obj, value: display_for_dropdown(obj, name, value, empty)
    if getattr(attr, "header", False):
        return lambda obj, value: display_for_header(value, empty)
    boolean = getattr(attr, "boolean", False)
    return lambda obj, value: display_for_value(value, empty, boolean)


def row_cells(cl: Any, plan: RowPlan, result: Any) -> Iterator[SafeString]:
    """One row's cells, the same HTML as unfold's ``items_for_result``."""
    if plan.columns is None:
        plan.columns = plan.build(cl, result)
    for col in plan.columns:
        try:
            value = col.read(result)
        except ObjectDoesNotExist:
            value, html = None, cl.model_admin.get_empty_value_display()
        else:
            html = col.show(result, value)
        dated = not col.nowrap_always and col.field is None and isinstance(value, datetime.date | datetime.time)
        inner: str = conditional_escape(html)
        if col.link:
            inner = link(cl, plan, result, inner)
        yield mark_safe((col.nowrap_opening if dated else col.opening) + inner + col.closing)  # parts escaped


def link(cl: Any, plan: RowPlan, result: Any, inner: str) -> str:
    try:
        url = plan.link_url(cl, result)
    except NoReverseMatch:
        return inner
    return f'<a href="{conditional_escape(url)}" class="{" ".join(unfold_list.LINK_CLASSES)}" >{inner}</a>'


def share_rows() -> None:
    """Route the rows of a changelist that carries a ``desk_rows`` plan through :func:`row_cells`.

    Installed once, when the desk's admin modules load; every other changelist keeps unfold's function.
    """
    if getattr(unfold_list.items_for_result, "desk_rows", False):
        return

    def items_for_result(cl: Any, result: Any, form: Any) -> Iterator[SafeString]:
        plan = getattr(cl, "desk_rows", None)
        if plan is None or not RowPlan.usable(cl, form):
            return UNFOLD_ITEMS_FOR_RESULT(cl, result, form)  # type: ignore[no-any-return]
        return row_cells(cl, plan, result)

    items_for_result.desk_rows = True  # type: ignore[attr-defined]
    unfold_list.items_for_result = items_for_result

