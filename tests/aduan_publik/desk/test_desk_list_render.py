"""The complaint list at 1,000,000 complaints (issue 14): what a page renders and reads does not grow
with its rows; an OPD's list counts and pages from its scope rows; the sidebar's badges are kept a minute."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.template import base as template_base
from django.test.utils import CaptureQueriesContext
from unfold.contrib.filters.forms import DropdownForm
from unfold.templatetags import unfold_list
from unfold.utils import display_for_label
from unfold.widgets import UnfoldAdminSelectWidget

from aduan_publik.desk.complaint_admin import STATUS_COLOURS
from aduan_publik.desk.rows import UNFOLD_ITEMS_FOR_RESULT, RowPlan
from aduan_publik.desk.widgets import DeskDropdownForm, DeskSelectWidget
from aduan_publik.models import Complaint, OpdScope
from aduan_publik.selectors import queues
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_return
from tests.aduan_publik.desk.desk_helpers import LIST_URL, change_url
from tests.aduan_publik.desk.test_desk_list import make_complaints

pytestmark = pytest.mark.django_db


def rendered_templates(client, params=None) -> list[str]:
    response = client.get(LIST_URL, params or {})
    assert response.status_code == 200
    # unfold includes its row-actions template once per row; without row actions it is one false {% if %}.
    return [t.name for t in response.templates if t.name != "unfold/helpers/actions_row.html"]


def test_a_page_renders_the_same_templates_for_5_and_50_rows(admin_client_, admin_user, opd_pu, category_jalan):
    """unfold rendered a template per label cell, per row checkbox and per row's headers: 150+ for 50 rows."""
    make_complaints(5, admin=admin_user, opds=[opd_pu], category=category_jalan)
    rendered_templates(admin_client_)  # the checkbox of this language, rendered once
    few = rendered_templates(admin_client_)
    make_complaints(45, admin=admin_user, opds=[opd_pu], category=category_jalan)
    many = rendered_templates(admin_client_)
    assert len(many) == len(few), sorted(set(many) - set(few))


def test_cells_keep_unfolds_html(admin_client_, admin_user, opd_pu, category_jalan):
    made = make_complaints(3, admin=admin_user, opds=[opd_pu], category=category_jalan)
    body = admin_client_.get(LIST_URL).content.decode()
    status = display_for_label(("disposed", Complaint.Status.DISPOSED.label), "-", STATUS_COLOURS)
    assert body.count(status) == 3
    for complaint in made:
        assert re.search(rf'<input type="checkbox" name="_selected_action" value="{complaint.pk}" class="[^"]*'
                         r'action-select" aria-label="[^"]+">', body)
    assert body.count('id="action-toggle"') == 1  # the select-all box, in the header only
    assert body.count('data-label="status"') == 3  # every row still names its column


def test_disposing_writes_the_opd_scope_once(admin_user, liaison_pu, opd_pu, opd_dlh, category_jalan, contact):
    complaint, _code = complaint_create(channel="web", title="Jalan rusak", description="Lubang.", contact=contact,
                                        category=category_jalan, acknowledge=False)
    assert not OpdScope.objects.filter(complaint=complaint).exists()
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh])
    rows = OpdScope.objects.filter(complaint=complaint).order_by("opd__code")
    assert [(r.opd.code, r.received_at) for r in rows] == [("DLH", complaint.received_at),
                                                           ("PUPR", complaint.received_at)]
    own = complaint.dispositions.get(opd=opd_pu)
    disposition_return(disposition=own, by=liaison_pu, reason="Bukan kewenangan kami.")
    assert OpdScope.objects.filter(complaint=complaint, opd=opd_pu).count() == 1  # still theirs to read


def list_sql(client, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST_URL, params or {}).status_code == 200
    return [q["sql"] for q in queries]


def test_the_opd_list_counts_and_pages_from_its_scope_rows(liaison_pu_client, admin_user, opd_pu, opd_dlh,
                                                          category_jalan, monkeypatch):
    ours = make_complaints(3, admin=admin_user, opds=[opd_pu], category=category_jalan)
    theirs = make_complaints(2, admin=admin_user, opds=[opd_dlh], category=category_jalan)
    monkeypatch.setattr("aduan_publik.desk.complaint_admin.ComplaintAdmin.list_per_page", 2)
    sql = list_sql(liaison_pu_client)
    counts = [s for s in sql if s.startswith(
        'WITH capped AS (SELECT COUNT(*) AS n FROM (SELECT "aduan_publik_opdscope"."complaint_id"')]
    assert len(counts) == 1 and "aduan_publik_complaint" not in counts[0]  # no complaint row read to count
    sql = list_sql(liaison_pu_client, {"p": "2"})
    page = [s for s in sql if s.startswith('SELECT "aduan_publik_complaint"."id"')]
    assert len(page) == 1 and re.search(r"IN \(SELECT .*aduan_publik_opdscope.* LIMIT 1 OFFSET 2\)", page[0]), page
    body = liaison_pu_client.get(LIST_URL, {"p": "2"}).content.decode()
    shown = {c.tracking_number for c in ours + theirs if c.tracking_number in body}
    assert shown == {ours[0].tracking_number}  # the oldest of PUPR's three; DLH's never


def test_a_deep_admin_page_picks_its_ids_first(admin_client_, admin_user, opd_pu, category_jalan, monkeypatch):
    made = make_complaints(5, admin=admin_user, opds=[opd_pu], category=category_jalan)
    monkeypatch.setattr("aduan_publik.desk.complaint_admin.ComplaintAdmin.list_per_page", 2)
    for params in ({"p": "3"}, {"p": "3", "status__exact": "disposed"}):
        sql = list_sql(admin_client_, params)
        page = [s for s in sql if s.startswith('SELECT "aduan_publik_complaint"."id"')]
        assert len(page) == 1 and re.search(r"IN \(SELECT .* LIMIT 1 OFFSET 4\)", page[0]), page
        body = admin_client_.get(LIST_URL, params).content.decode()
        assert made[0].tracking_number in body and made[1].tracking_number not in body  # newest first


def test_sidebar_badges_are_kept_a_minute_per_scope(admin_user, leader_user, liaison_pu, opd_pu, category_jalan,
                                                    monkeypatch):
    monkeypatch.setattr(queues, "BADGE_SECONDS", 60)
    make_complaints(1, admin=admin_user, opds=[opd_pu], category=category_jalan)
    first = queues.queue_counts_cached(admin_user)
    assert first == queues.queue_counts(admin_user)
    Complaint.objects.create(tracking_number="ADU-T-1", title="t", description="d", channel="web",
                             received_at=first and Complaint.objects.first().received_at)
    with CaptureQueriesContext(connection) as queries:
        again = queues.queue_counts_cached(leader_user)  # leaders read the admins' queues: the same entry
    assert again == first and not [q for q in queries if "aduan_publik_complaint" in q["sql"]]
    assert queues.queue_counts(admin_user)["perlu-verifikasi"] == first["perlu-verifikasi"] + 1  # lists are live
    assert queues.queue_counts_cached(liaison_pu) == queues.queue_counts(liaison_pu)  # an OPD has its own entry


def unfold_and_desk_rows(cl) -> tuple[list[list[str]], list[list[str]]]:
    """Every row of a rendered page twice: through unfold's own ``items_for_result`` (with unfold's own
    headers) and through the desk's plan (desk/rows.py)."""
    cl.desk_headers = None  # unfold's result_headers, not the page's shared copy
    theirs = [[str(c) for c in UNFOLD_ITEMS_FOR_RESULT(cl, row, None)] for row in cl.result_list]
    cl.desk_rows = RowPlan()
    ours = [[str(c) for c in unfold_list.items_for_result(cl, row, None)] for row in cl.result_list]
    return theirs, ours


@pytest.mark.parametrize("params", [{}, {"status__exact": "disposed", "q": "Aduan"}, {"o": "-6"}])
def test_rows_are_unfolds_html(admin_client_, admin_user, opd_pu, opd_dlh, category_jalan, contact, params):
    """The desk builds each column's fixed HTML once per page; an unfold upgrade that changes a cell fails here."""
    make_complaints(3, admin=admin_user, opds=[opd_pu, opd_dlh], category=category_jalan)
    complaint_create(channel="web", title="Rahasia <b>", description="d", contact=contact, is_anonymous=True,
                     category=None, acknowledge=False)
    response = admin_client_.get(LIST_URL, params)
    cl = response.context["cl"]
    assert cl.result_list and isinstance(cl.desk_rows, RowPlan) and cl.desk_rows.columns  # the desk's path ran
    theirs, ours = unfold_and_desk_rows(cl)
    assert ours == theirs
    assert "_changelist_filters=" in ours[0][1] if params else "_changelist_filters" not in ours[0][1]


def test_an_opds_rows_are_unfolds_html(liaison_pu_client, admin_user, opd_pu, category_jalan):
    make_complaints(2, admin=admin_user, opds=[opd_pu], category=category_jalan)
    cl = liaison_pu_client.get(LIST_URL, {"antrean": str(opd_pu.pk)}).context["cl"]
    theirs, ours = unfold_and_desk_rows(cl)
    assert len(ours) == 2 and ours == theirs


def failed_lookups(client, monkeypatch, params=None) -> int:
    """How often a page's templates looked up a missing attribute: each such lookup runs dir() on the object
    (django.template.base re-raises if the name is in it)."""
    calls = []

    def counting_dir(obj):
        calls.append(type(obj).__name__)
        return dir(obj)

    monkeypatch.setattr(template_base, "dir", counting_dir, raising=False)
    assert client.get(LIST_URL, params or {}).status_code == 200
    monkeypatch.undo()
    return len(calls)


def test_no_failed_lookup_per_row_or_sidebar_link(admin_client_, admin_user, opd_pu, category_jalan, monkeypatch):
    """unfold's row template asked the admin for ``list_sections`` twice per row, the sidebar asked every link
    for its badge, icon and callback: some 300 dir() calls per page."""
    make_complaints(5, admin=admin_user, opds=[opd_pu], category=category_jalan)
    few = failed_lookups(admin_client_, monkeypatch)
    make_complaints(45, admin=admin_user, opds=[opd_pu], category=category_jalan)
    many = failed_lookups(admin_client_, monkeypatch)
    assert many == few and few < 40, (few, many)


@pytest.mark.parametrize("value", ["", "in_progress", None])
def test_the_desks_select_is_unfolds(value):
    """The dropdown filters' select builds its options in one pass; the markup is unfold's own."""
    choices = [("", "Semua"), ("in_progress", "Diproses"), ("x<y", 'Kutip "a" & <b>'), (7, 7),
               ("Grup", [("g1", "Satu"), ("g2", "Dua")])]
    attrs = {"data-theme": "admin-autocomplete", "class": "unfold-admin-autocomplete admin-autocomplete"}
    theirs = UnfoldAdminSelectWidget(attrs=dict(attrs), choices=choices).render("status__exact", value)
    ours = DeskSelectWidget(attrs=dict(attrs), choices=choices).render("status__exact", value)
    assert ours == theirs and "<option" in ours


def test_the_filter_panel_is_unfolds(admin_client_, admin_user, opd_pu, category_jalan, monkeypatch):
    """The same panel (every filter's HTML) with unfold's own dropdown form as with the desk's."""
    make_complaints(2, admin=admin_user, opds=[opd_pu], category=category_jalan)
    params = {"status__exact": "disposed", "category__id__exact": str(category_jalan.pk)}
    ours = filter_panel(admin_client_.get(LIST_URL, params))
    assert 'value="disposed" selected' in ours
    monkeypatch.setattr(DeskDropdownForm, "widget", DropdownForm.widget)
    theirs = filter_panel(admin_client_.get(LIST_URL, params))
    assert ours == theirs


def filter_panel(response) -> str:
    body = response.content.decode()
    start = body.index('id="changelist-filter"')
    return body[start:body.index('id="changelist-filter-extra-actions"', start)]


def page_without_tokens(client, url) -> str:
    body = client.get(url).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_the_complaint_page_form_is_unfolds(admin_client_, disposed, category_jalan, monkeypatch):
    """The complaint page's selects (category, priority, kind) build their options in one pass: same page."""
    ours = page_without_tokens(admin_client_, change_url(disposed))
    assert ours.count('<select name="') >= 3 and f'<option value="{category_jalan.pk}" selected>' in ours
    monkeypatch.setattr("aduan_publik.desk.complaint_admin.desk_select", lambda field: field)
    theirs = page_without_tokens(admin_client_, change_url(disposed))
    assert ours == theirs


def test_no_failed_lookup_per_form_row(admin_client_, disposed, monkeypatch):
    """unfold asks the admin for ``conditional_fields`` on each of the page's 28 form rows."""
    calls = []
    monkeypatch.setattr(template_base, "dir", lambda obj: calls.append(type(obj).__name__) or dir(obj),
                        raising=False)
    assert admin_client_.get(change_url(disposed)).status_code == 200
    assert calls.count("ComplaintAdmin") <= 1, calls  # once per page (the submit line), not per row


def test_the_sidebar_names_are_translated_once(admin_user, rf):
    """Sorting the app list compared lazy names, translating both sides on every comparison."""
    request = rf.get("/desk/")
    request.user = admin_user
    apps = admin.site.get_app_list(request)
    names = [app["name"] for app in apps] + [m["name"] for app in apps for m in app["models"]]
    assert names and all(isinstance(name, str) for name in names), [type(n) for n in names]
    assert [m["name"] for m in apps[0]["models"]] == sorted(m["name"] for m in apps[0]["models"])
