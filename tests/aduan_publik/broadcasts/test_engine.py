"""The sending engine: error kinds, opt-out mid-broadcast, tier quota wait and resume, pause/resume/cancel."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from fakes.graph_api import FakeGraphAPI, Slow

from aduan_publik.broadcasts import jobs, services
from aduan_publik.broadcasts.engine import redis
from aduan_publik.broadcasts.models import Broadcast, Recipient
from aduan_publik.broadcasts.pacing import tier_key, tier_used
from aduan_publik.portal.models import Subscription

pytestmark = pytest.mark.django_db(transaction=True)


def _row(phone: str) -> Recipient:
    return Recipient.objects.get(phone=phone)


def test_each_error_kind_is_handled_as_whatsapp_means_it(approved, wa, residents, subscriber_extra):
    p = [r.phone for r in residents] + [subscriber_extra.phone]
    wa.fail_for(p[0], FakeGraphAPI.error(130429, message="Rate limit hit"))
    wa.fail_for(p[1], FakeGraphAPI.error(131049, message="Marketing limit"))
    wa.fail_for(p[2], FakeGraphAPI.error(131050, message="User stopped marketing"))
    wa.fail_for(p[3], FakeGraphAPI.error(131026, message="Message undeliverable"))
    wa.fail_for(p[4], FakeGraphAPI.error(2, status=503, message="Service unavailable"))
    before = timezone.now()
    jobs.broadcast_tick()

    def tries(phone: str) -> int:
        return len([s for s in wa.sends() if s["json"]["to"] == phone])

    # Throughput and outages are short waits: the running job backs off and sends again itself.
    assert _row(p[0]).state == "sent" and tries(p[0]) == 2
    assert _row(p[4]).state == "sent" and tries(p[4]) == 2 and _row(p[4]).attempts == 2
    limited = _row(p[1])
    assert limited.state == "queued" and limited.not_before >= before + timedelta(hours=23, minutes=59)
    assert limited.reason_code == "131049"
    stopped = _row(p[2])
    assert stopped.state == "failed" and stopped.reason_code == "131050"
    assert Subscription.objects.get(phone=p[2]).marketing_stopped_at is not None
    undeliverable = _row(p[3])
    assert undeliverable.state == "failed" and "131026" in undeliverable.reason
    assert Broadcast.objects.get().state == Broadcast.State.SENDING  # the 24-hour retry is pending
    jobs.broadcast_tick()
    assert tries(p[2]) == 1 and tries(p[3]) == 1 and tries(p[1]) == 1  # never retried / not yet


def test_pair_rate_limit_retries_later(approved, wa, residents):
    phone = residents[0].phone
    wa.fail_for(phone, FakeGraphAPI.error(131056, message="Pair rate limit hit"))
    before = timezone.now()
    jobs.broadcast_tick()
    row = _row(phone)
    assert row.state == "queued" and row.not_before >= before + timedelta(seconds=59)
    Recipient.objects.filter(phone=phone).update(not_before=timezone.now())
    jobs.broadcast_tick()
    assert _row(phone).state == "sent"
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED


def test_marketing_limit_gives_up_after_the_configured_attempts(approved, wa, residents):
    phone = residents[0].phone
    wa.fail_for(phone, FakeGraphAPI.error(131049), FakeGraphAPI.error(131049))
    jobs.broadcast_tick()
    assert _row(phone).state == "queued"
    Recipient.objects.filter(phone=phone).update(not_before=timezone.now())  # the day has passed
    jobs.broadcast_tick()
    row = _row(phone)
    assert row.state == "failed" and row.attempts == 2
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED


def test_a_timeout_is_never_blindly_resent_and_its_status_settles_it(approved, wa, residents, settings, post_status):
    settings.ADUAN["channels"]["whatsapp"]["timeout"] = 0.3
    phone = residents[0].phone
    wa.fail_for(phone, Slow(1.0))  # Meta takes the message but answers after the client gave up
    jobs.broadcast_tick()
    row = _row(phone)
    assert row.state == "sending" and row.reason_code == "timeout" and not row.external_id
    jobs.broadcast_tick()  # within the reconcile time: not sent again, not completed
    assert len([s for s in wa.sends() if s["json"]["to"] == phone]) == 1
    assert Broadcast.objects.get().state == Broadcast.State.SENDING
    post_status(wa.status_body("sent"))  # Meta's status webhooks, with our callback data
    row = _row(phone)
    assert row.state == "sent" and row.external_id.startswith("wamid.FAKE")
    jobs.broadcast_tick()
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED
    assert len([s for s in wa.sends() if s["json"]["to"] == phone]) == 1


def test_a_lost_send_without_any_status_is_sent_again_after_the_reconcile_time(approved, wa, residents, settings):
    settings.ADUAN["channels"]["whatsapp"]["timeout"] = 0.3
    phone = residents[0].phone
    # The request never reached Meta (the worker died before sending): the row sits in "sending".
    Recipient.objects.filter(phone=phone).update(state="sending", claimed_at=timezone.now() - timedelta(minutes=5))
    jobs.broadcast_tick()
    assert _row(phone).state == "sent"
    assert [s["to"] for s in wa.accepted()].count(phone) == 1


def test_stop_mid_broadcast_skips_the_remaining_sends_and_counts_them(approved, wa, residents, post_text):
    phone = residents[0].phone
    wa.fail_for(phone, FakeGraphAPI.error(131056))  # still queued (for a minute) after the first pass
    jobs.broadcast_tick()
    assert _row(phone).state == "queued" and Broadcast.objects.get().state == Broadcast.State.SENDING
    post_text(phone, "stop", "wamid.IN-STOP-1")  # any letter case
    row = _row(phone)
    assert row.state == "opted_out"
    assert Subscription.objects.get(phone=phone).unsubscribed_at is not None
    Recipient.objects.filter(phone=phone).update(not_before=timezone.now())
    jobs.broadcast_tick()
    templates = [s["json"]["to"] for s in wa.sends() if s["json"]["type"] == "template"]
    assert templates.count(phone) == 1  # only the refused first try
    answer = [s["json"] for s in wa.sends() if s["json"]["type"] == "text"]
    assert answer[0]["to"] == phone and "berhenti berlangganan" in answer[0]["text"]["body"]
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED


def test_tier_quota_makes_the_broadcast_wait_and_it_resumes_by_itself(approved, wa, residents, settings):
    settings.ADUAN["broadcast"]["tier"] = 250
    conn = redis()
    now_us = int(conn.time()[0]) * 1_000_000
    conn.zadd(tier_key(), {f"62899{i:07d}": now_us for i in range(247)})  # others reached today
    jobs.broadcast_tick()
    assert len(wa.accepted()) == 3 and tier_used(conn) == 250
    b = Broadcast.objects.get()
    assert b.state == Broadcast.State.SENDING and b.waiting_until > timezone.now() + timedelta(hours=23)
    jobs.broadcast_tick()  # still inside the window: nothing more
    assert len(wa.accepted()) == 3
    # The window rolls on: the others' entries are older than 24 hours, and the wait is over.
    conn.zadd(tier_key(), {f"62899{i:07d}": now_us - 25 * 3600 * 1_000_000 for i in range(247)})
    Broadcast.objects.update(waiting_until=timezone.now() - timedelta(seconds=1))
    jobs.broadcast_tick()
    assert sorted(s["to"] for s in wa.accepted()) == sorted(r.phone for r in residents)
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED


def _run_in_thread(target) -> threading.Thread:
    def body():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def test_pause_stops_the_next_send_and_resume_sends_the_rest_once(approved, wa, residents, admin_user):
    wa.hang_sends()
    thread = _run_in_thread(jobs.broadcast_tick)
    assert wa.hanging.wait(30)
    services.broadcast_pause(broadcast=approved, by=admin_user)
    wa.release()
    thread.join(60)
    assert len(wa.sends()) == 1
    assert Broadcast.objects.get().state == Broadcast.State.PAUSED
    assert Recipient.objects.filter(state="queued").count() == 4
    services.broadcast_resume(broadcast=approved, by=admin_user)
    jobs.broadcast_tick()
    assert sorted(s["to"] for s in wa.accepted()) == sorted(r.phone for r in residents)
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED


def test_cancel_stops_for_good(approved, wa, residents, admin_user):
    wa.hang_sends()
    thread = _run_in_thread(jobs.broadcast_tick)
    assert wa.hanging.wait(30)
    services.broadcast_cancel(broadcast=approved, by=admin_user)
    wa.release()
    thread.join(60)
    jobs.broadcast_tick()
    assert len(wa.sends()) == 1
    assert Recipient.objects.filter(state="cancelled").count() == 4
    assert Broadcast.objects.get().state == Broadcast.State.CANCELLED


def test_a_slot_job_out_of_time_hands_over_to_its_successor_at_once(approved, wa, residents, monkeypatch):
    from aduan_publik.broadcasts import engine

    monkeypatch.setattr(engine, "RUN_SECONDS", 0.0)  # every job ends after one batch
    monkeypatch.setattr(engine, "BATCH", 1)
    jobs.broadcast_tick()  # one tick: the slots' successors carry on without waiting for the next
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED
    assert sorted(s["json"]["to"] for s in wa.sends()) == sorted(r.phone for r in residents)
