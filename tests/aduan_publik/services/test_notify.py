"""Staff notifications: in the desk and over real SMTP (a local sink), escalation levels, the digest.

Time is moved by patching ``django.utils.timezone.now`` (as in the deadline tests).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from aduan_publik.models import Escalation, Event, Notification
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.escalation import digest_send, escalation_sweep, levels
from aduan_publik.services.notify import notify
from tests.conftest import make_user
from tests.fakes.smtp_sink import start_sink

pytestmark = pytest.mark.django_db(transaction=True)
WIB = ZoneInfo("Asia/Jakarta")
K = Notification.Kind


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


@contextmanager
def at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def smtp(monkeypatch):
    """The site's SMTP settings point at a real SMTP server on 127.0.0.1."""
    sink, controller = start_sink()
    notify_conf = {**settings.ADUAN["notify"], "smtp": {"host": sink.host, "port": sink.port,
                                                        "from_email": "aduan@kota.example"}}
    monkeypatch.setitem(settings.ADUAN, "notify", notify_conf)
    yield sink
    controller.stop()


@pytest.fixture
def team(opd_pu, admin_user, leader_user, liaison_pu, operator_pu):
    for user, address in ((admin_user, "admin@kota.example"), (leader_user, "pimpinan@kota.example"),
                          (liaison_pu, "penghubung@pupr.example"), (operator_pu, "operator@pupr.example")):
        user.email = address
        user.save()
    opd_pu.head_email = "kadis@pupr.example"
    opd_pu.save()
    return {"admin": admin_user, "leader": leader_user, "liaison": liaison_pu, "operator": operator_pu}


def test_disposing_notifies_the_opd_staff_in_the_desk_and_by_smtp_once(smtp, team, complaint, opd_pu):
    [disposition] = complaint_verify(complaint=complaint, by=team["admin"], opds=[opd_pu])

    rows = Notification.objects.filter(kind=K.DISPOSED)
    assert sorted(r.recipient.username for r in rows) == ["operator_pu", "penghubung_pu"]
    assert {r.mail_state for r in rows} == {Notification.MailState.SENT}
    assert sorted(smtp.recipients) == ["operator@pupr.example", "penghubung@pupr.example"]
    mail = smtp.to("penghubung@pupr.example")[0]
    assert complaint.tracking_number in mail["Subject"]
    assert mail["From"] == "aduan@kota.example"
    body = mail.get_payload(decode=True).decode()
    assert "Batas respons" in body and f"/desk/aduan_publik/complaint/{complaint.pk}/" in body

    from aduan_publik.services.notify import on_disposed

    on_disposed(disposition)  # the same news again: nobody hears it twice
    assert Notification.objects.filter(kind=K.DISPOSED).count() == 2
    assert len(smtp.messages) == 2
    assert not Notification.objects.filter(recipient=team["admin"]).exists()


def test_an_operators_draft_notifies_the_liaison_not_the_operator(team, complaint, opd_pu):
    [disposition] = complaint_verify(complaint=complaint, by=team["admin"], opds=[opd_pu])
    disposition_accept(disposition=disposition, by=team["operator"])
    followup = followup_draft(disposition=disposition, by=team["operator"],
                              body="Lubang sudah ditambal oleh UPT Jalan pada pagi ini, rambu terpasang.")
    [row] = Notification.objects.filter(kind=K.DRAFT_WAITING)
    assert row.recipient == team["liaison"] and row.complaint == complaint
    assert complaint.tracking_number in row.title
    followup_draft(disposition=disposition, by=team["liaison"], publish=True,
                   body="Lubang sudah ditambal oleh UPT Jalan pada pagi ini, rambu terpasang lagi.")
    assert Notification.objects.filter(kind=K.DRAFT_WAITING).count() == 1  # a liaison's own answer waits for nobody
    assert followup.pk


def test_an_unreachable_smtp_server_marks_the_mail_failed_with_the_reason(monkeypatch, team):
    from tests.fakes.smtp_sink import free_port

    conf = {**settings.ADUAN["notify"], "smtp": {"host": "127.0.0.1", "port": free_port(), "timeout": 2}}
    monkeypatch.setitem(settings.ADUAN, "notify", conf)
    [row] = notify(key="uji:1", kind=K.DIGEST, title="Uji", body="Isi", users=[team["liaison"]])
    row.refresh_from_db()
    assert row.mail_state == Notification.MailState.FAILED
    assert row.mail_error  # the refusal is kept for the admins
    assert row.read_at is None  # the desk copy is there regardless


def test_escalation_levels_fire_once_each_at_their_working_day(smtp, team, complaint, opd_pu):
    with at(wib(2026, 11, 2, 10)):  # Monday
        [disposition] = complaint_verify(complaint=complaint, by=team["admin"], opds=[opd_pu])
    disposition.refresh_from_db()
    assert disposition.respond_due == wib(2026, 11, 9, 23, 59, 59)  # 5 working days: next Monday
    smtp.messages.clear()
    smtp.recipients.clear()

    def sweep(moment: datetime) -> int:
        with at(moment):
            return escalation_sweep(now=moment)

    assert sweep(wib(2026, 11, 5, 12)) == 0  # Thursday: too early for the reminder
    assert sweep(wib(2026, 11, 6, 8)) == 1  # Friday, the working day before: the reminder
    assert sweep(wib(2026, 11, 6, 9)) == 0  # never twice
    reminder = Notification.objects.filter(kind=K.DUE_SOON)
    assert sorted(r.recipient.username for r in reminder) == ["operator_pu", "penghubung_pu"]

    assert sweep(wib(2026, 11, 9, 20)) == 0  # the deadline has not passed yet
    assert sweep(wib(2026, 11, 10, 1)) == 1  # passed: the OPD and its head
    overdue = Notification.objects.filter(kind=K.OVERDUE)
    assert sorted(r.email for r in overdue) == ["kadis@pupr.example", "operator@pupr.example",
                                                "penghubung@pupr.example"]
    assert "kadis@pupr.example" in smtp.recipients

    assert sweep(wib(2026, 11, 11, 20)) == 0  # 2 working days after: end of Wednesday
    assert sweep(wib(2026, 11, 12, 9)) == 1  # Diskominfo and the leader
    assert sweep(wib(2026, 11, 12, 10)) == 0
    top = Notification.objects.filter(kind=K.ESCALATION)
    assert sorted(r.recipient.username for r in top) == ["admin1", "pimpinan"]

    events = Event.objects.filter(complaint=complaint, verb="escalated").order_by("id")
    assert [e.data["level"] for e in events] == ["pengingat", "batas_waktu", "pimpinan"]
    assert all(e.data["deadline"] == "respond" and e.data["opd"] == "PUPR" for e in events)
    assert Escalation.objects.count() == 3


def test_accepting_stops_the_response_escalation(team, complaint, opd_pu):
    with at(wib(2026, 11, 2, 10)):
        [disposition] = complaint_verify(complaint=complaint, by=team["admin"], opds=[opd_pu])
        disposition_accept(disposition=disposition, by=team["liaison"])
    with at(wib(2026, 11, 10, 9)):
        assert escalation_sweep(now=wib(2026, 11, 10, 9)) == 0  # accepted: no response deadline any more


def test_levels_are_configured_per_site_and_checked(monkeypatch):
    conf = {**settings.ADUAN["notify"], "escalation": [
        {"level": "walikota", "offset_working_days": 5, "notify": ["leader"]},
        {"level": "h-2", "offset_working_days": -2, "notify": ["liaison"]},
    ]}
    monkeypatch.setitem(settings.ADUAN, "notify", conf)
    assert [(lv.name, lv.offset) for lv in levels()] == [("h-2", -2), ("walikota", 5)]
    monkeypatch.setitem(settings.ADUAN, "notify", {**conf, "escalation": [{"level": "x", "notify": ["lurah"]}]})
    with pytest.raises(ValueError, match="lurah"):
        levels()


def test_daily_digest_once_per_working_day_after_the_hour(team, complaint, opd_pu):
    with at(wib(2026, 11, 2, 10)):
        complaint_verify(complaint=complaint, by=team["admin"], opds=[opd_pu])
    make_user("operator_lain", "operator", opd_pu)  # no e-mail: the desk copy only

    def digest(moment: datetime) -> int:
        with at(moment):
            return digest_send(now=moment)

    assert digest(wib(2026, 11, 3, 6)) == 0  # before 07:00
    assert digest(wib(2026, 11, 7, 9)) == 0  # Saturday
    assert digest(wib(2026, 11, 3, 8)) == 3  # liaison, two operators; the admins have nothing waiting
    assert digest(wib(2026, 11, 3, 15)) == 0  # once a day
    liaison = Notification.objects.get(kind=K.DIGEST, recipient=team["liaison"])
    assert "Disposisi baru menunggu diterima: 1" in liaison.body
    assert not Notification.objects.filter(kind=K.DIGEST, recipient=team["admin"]).exists()
    assert digest(wib(2026, 11, 4, 8)) == 3  # the next working day again
