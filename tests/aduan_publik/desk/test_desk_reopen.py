"""Issue 8 point 14: an admin reopening a closed complaint in the desk gives the OPD fresh deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aduan_publik.models import Complaint, Disposition
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.lifecycle import complaint_rate, deadlines_sweep
from tests.aduan_publik.desk.desk_helpers import action_url

pytestmark = pytest.mark.django_db
S = Complaint.Status


def test_admin_reopen_in_the_desk_sets_fresh_deadlines(complaint, admin_user, opd_pu, liaison_pu, admin_client_):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    followup_draft(disposition=disposition, by=liaison_pu, publish=True,
                   body="Lubang sudah ditambal tim UPT Jalan pada Senin pagi.")
    complaint_rate(complaint=complaint, rating=3)
    long_ago = timezone.now() - timedelta(days=120)
    Disposition.objects.filter(pk=disposition.pk).update(respond_due=long_ago, complete_due=long_ago)
    response = admin_client_.post(action_url(complaint, "reopen"), {"reason": "Warga melapor lubang muncul lagi"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    disposition.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS and disposition.state == "accepted"
    assert disposition.complete_due > timezone.now() and complaint.due_at == disposition.complete_due
    assert deadlines_sweep() == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0}
