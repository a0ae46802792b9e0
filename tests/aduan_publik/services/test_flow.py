"""The whole life of a complaint through the services, as the desk and channels drive it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from aduan_publik.models import Complaint, Disposition, Event, Message
from aduan_publik.sealed import unseal
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft, followup_publish
from aduan_publik.services.lifecycle import complaint_rate
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db(transaction=True)

S = Complaint.Status


def test_complaint_goes_from_received_to_closed(complaint, admin_user, opd_pu, liaison_pu, operator_pu):
    assert complaint.status == S.RECEIVED
    assert complaint.tracking_number.startswith("ADU-")
    ack = Message.objects.get(complaint=complaint, direction="out")
    assert ack.state == "sent" and complaint.tracking_number in unseal(ack.body)  # sealed at rest
    assert len(mail.outbox) == 1

    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    complaint.refresh_from_db()
    assert complaint.status == S.DISPOSED and complaint.due_at is not None

    disposition_accept(disposition=disposition, by=operator_pu)
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS and complaint.first_response_at

    followup = followup_draft(disposition=disposition, by=operator_pu,
                              body="Lubang sudah ditambal oleh tim UPT Jalan pada hari Senin pagi.")
    with pytest.raises(PermissionDenied):
        followup_publish(followup=followup, by=operator_pu)
    followup_publish(followup=followup, by=liaison_pu)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    assert Disposition.objects.get(pk=disposition.pk).state == "answered"
    assert Message.objects.filter(complaint=complaint, followup=followup, state="sent").count() == 1

    complaint_rate(complaint=complaint, rating=5, comment="Cepat sekali")
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.rating == 5
    verbs = list(Event.objects.filter(complaint=complaint).values_list("verb", flat=True))
    assert verbs == ["created", "verified", "triage_accepted", "accepted", "followup_drafted",
                     "followup_published", "answered", "rated"]  # triage_*: the suggestion's outcome (issue 15)


def test_invalid_transition_changes_nothing(complaint, admin_user):
    complaint_rate_before = Event.objects.count()
    with pytest.raises(WorkflowError):
        complaint_rate(complaint=complaint, rating=4)
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and complaint.rating is None
    assert Event.objects.count() == complaint_rate_before
