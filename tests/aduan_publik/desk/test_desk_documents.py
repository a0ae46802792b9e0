"""The other documents' admins: manual messages, inbound deliveries, days off, staff users."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from aduan_publik.models import DayOff, Event, InboundEvent, Message, Role, StaffProfile

pytestmark = pytest.mark.django_db
MESSAGES = "/desk/aduan_publik/message/"


def manual_message(complaint) -> Message:
    message = complaint.messages.filter(direction="out").first()
    Message.objects.filter(pk=message.pk).update(state=Message.State.MANUAL)
    return message


def test_manual_filter_lists_messages_to_deliver_by_phone(admin_client_, complaint):
    manual = manual_message(complaint)
    body = admin_client_.get(MESSAGES, {"manual": "ya"}).content.decode()
    assert "081234567890" in body  # the phone number to call
    assert f'value="{manual.pk}"' in body


def test_mark_delivered_action(admin_client_, complaint):
    manual = manual_message(complaint)
    response = admin_client_.post(MESSAGES, {"action": "mark_delivered", "_selected_action": [manual.pk]})
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.state == Message.State.DELIVERED
    assert Event.objects.filter(complaint=complaint, verb="message_delivered_manually").exists()


def test_mark_delivered_refuses_a_message_not_waiting_for_a_person(admin_client_, complaint):
    message = complaint.messages.filter(direction="out").first()
    state = message.state
    response = admin_client_.post(MESSAGES, {"action": "mark_delivered", "_selected_action": [message.pk]})
    assert "1 dilewati" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    message.refresh_from_db()
    assert message.state == state


def test_messages_are_read_only(admin_client_, complaint):
    message = complaint.messages.first()
    assert admin_client_.get(f"{MESSAGES}add/").status_code == 403
    assert admin_client_.post(f"{MESSAGES}{message.pk}/delete/", {"post": "yes"}).status_code == 403


def test_inbound_event_shows_reason_and_is_processed_again(admin_client_, django_capture_on_commit_callbacks):
    event = InboundEvent.objects.create(channel="web", dedupe_key="k1", body=b'{"text": "halo"}',
                                        state=InboundEvent.State.REJECTED, reason="pesan kosong", attempts=3)
    body = admin_client_.get("/desk/aduan_publik/inboundevent/").content.decode()
    assert "pesan kosong" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post("/desk/aduan_publik/inboundevent/",
                                      {"action": "process_again", "_selected_action": [event.pk]})
    assert response.status_code == 302
    event.refresh_from_db()
    # Processed once more from a fresh count (the web channel rejects it again, with its reason).
    assert event.attempts == 1 and event.processed_at is not None
    assert event.state in (InboundEvent.State.PROCESSED, InboundEvent.State.REJECTED)


def test_inbound_event_already_processed_is_skipped(admin_client_):
    event = InboundEvent.objects.create(channel="web", dedupe_key="k2", body=b"{}",
                                        state=InboundEvent.State.PROCESSED)
    response = admin_client_.post("/desk/aduan_publik/inboundevent/",
                                  {"action": "process_again", "_selected_action": [event.pk]})
    assert "1 dilewati" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    event.refresh_from_db()
    assert event.state == InboundEvent.State.PROCESSED


def test_day_off_change_drops_the_calendar_cache(admin_client_, monkeypatch):
    calls = []
    monkeypatch.setattr("aduan_publik.desk.org_admin.forget_days_off", lambda: calls.append(1))
    response = admin_client_.post("/desk/aduan_publik/dayoff/add/", {"date": "2026-12-24", "name": "Cuti bersama"})
    assert response.status_code == 302
    assert DayOff.objects.filter(name="Cuti bersama").exists()
    assert calls == [1]


def test_admin_creates_opd_user_with_role_inline(admin_client_, opd_pu):
    response = admin_client_.post("/desk/auth/user/add/", {
        "username": "operator_baru", "password1": "Sandi-Kuat-2026!", "password2": "Sandi-Kuat-2026!",
        "usable_password": "true",
        "aduan_profile-TOTAL_FORMS": "1", "aduan_profile-INITIAL_FORMS": "0",
        "aduan_profile-MIN_NUM_FORMS": "0", "aduan_profile-MAX_NUM_FORMS": "1",
        "aduan_profile-0-role": Role.OPERATOR, "aduan_profile-0-opd": opd_pu.pk, "aduan_profile-0-phone": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = StaffProfile.objects.get(user__username="operator_baru")
    assert profile.role == Role.OPERATOR and profile.opd == opd_pu


def test_desk_admin_cannot_see_superusers(admin_client_):
    get_user_model().objects.create_superuser("akar_super", password="x")
    body = admin_client_.get("/desk/auth/user/").content.decode()
    assert "admin1" in body and "akar_super" not in body
