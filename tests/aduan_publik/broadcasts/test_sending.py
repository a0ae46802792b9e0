"""The engine sends each recipient exactly once, with their variables, paced and accounted for."""

from __future__ import annotations

import pytest

from aduan_publik.broadcasts import jobs
from aduan_publik.broadcasts.models import Broadcast, Recipient
from aduan_publik.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def test_approved_broadcast_is_sent_once_to_every_confirmed_subscriber(approved, wa, residents):
    jobs.broadcast_tick()
    approved.refresh_from_db()
    assert approved.state == Broadcast.State.COMPLETED
    sends = wa.accepted()
    assert sorted(s["to"] for s in sends) == sorted(r.phone for r in residents)
    first = next(s for s in sends if s["to"] == residents[0].phone)
    body = first["template"]["components"][0]["parameters"]
    assert [p["text"] for p in body] == ["Car Free Day", "Minggu pagi di Jl. Sudirman", "Warga 1"]
    assert first["biz_opaque_callback_data"].startswith("bcast:")
    assert set(Recipient.objects.values_list("state", flat=True)) == {"sent"}
    jobs.broadcast_tick()  # nothing left: a second tick sends nothing
    assert len(wa.sends()) == len(residents)
    verbs = list(Event.objects.filter(verb__startswith="broadcast_").values_list("verb", flat=True))
    assert verbs == ["broadcast_created", "broadcast_submitted", "broadcast_approved", "broadcast_scheduled",
                     "broadcast_sending", "broadcast_completed"]
