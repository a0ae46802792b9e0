"""The desk's notification inbox and the unread count on every desk page."""

from __future__ import annotations

from django.urls import reverse

from aduan_publik.models import Notification
from aduan_publik.services.notify import notify
from tests.aduan_publik.desk.desk_helpers import LIST_URL, change_url

INBOX = "/desk/aduan_publik/notification/"


def test_the_liaison_sees_the_unread_count_and_opens_the_complaint(liaison_pu, liaison_pu_client, disposed):
    # (the liaison exists before the complaint is disposed: fixtures run in argument order)
    page = liaison_pu_client.get(LIST_URL).content.decode()
    assert "1 notifikasi baru" in page  # the label in the header of every desk page
    assert "Notifikasi (1)" in page  # the sidebar entry

    inbox = liaison_pu_client.get(INBOX).content.decode()
    assert disposed.tracking_number in inbox
    row = Notification.objects.get(recipient=liaison_pu)
    opened = liaison_pu_client.get(reverse("admin:aduan_publik_notification_open", args=[row.pk]))
    assert opened.status_code == 302 and opened["Location"] == change_url(disposed)
    row.refresh_from_db()
    assert row.read_at is not None
    assert "notifikasi baru" not in liaison_pu_client.get(LIST_URL).content.decode()


def test_nobody_reads_or_opens_another_persons_notifications(liaison_pu, liaison_dlh_client, admin_client_,
                                                             disposed):
    row = Notification.objects.get(recipient=liaison_pu)
    assert disposed.tracking_number not in liaison_dlh_client.get(INBOX).content.decode()
    assert disposed.tracking_number not in admin_client_.get(INBOX).content.decode()
    url = reverse("admin:aduan_publik_notification_open", args=[row.pk])
    assert liaison_dlh_client.get(url).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_read_action_only_touches_own_rows(liaison_pu, liaison_pu_client, admin_user, disposed):
    [other] = notify(key="uji:admin", kind="digest", title="Untuk admin", users=[admin_user])
    mine = Notification.objects.get(recipient=liaison_pu)
    response = liaison_pu_client.post(INBOX, {"action": "mark_read", "_selected_action": [mine.pk, other.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None


def test_the_leader_cannot_add_or_change_notifications(leader_client):
    assert leader_client.get(INBOX + "add/").status_code == 403


def test_the_unread_count_costs_the_same_queries_for_1_and_30_notifications(liaison_pu, liaison_pu_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert liaison_pu_client.get(INBOX).status_code == 200
        return len(queries)

    notify(key="uji:0", kind="digest", title="Satu", users=[liaison_pu])
    few = page_queries()
    for i in range(1, 30):
        notify(key=f"uji:{i}", kind="digest", title=f"Ke-{i}", users=[liaison_pu])
    assert "30 notifikasi baru" in liaison_pu_client.get(INBOX).content.decode()
    assert page_queries() == few
