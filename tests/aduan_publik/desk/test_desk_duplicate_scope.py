"""A duplicate's page names its original only to those who may see the original."""

from __future__ import annotations

import pytest

from aduan_publik.models import Complaint
from aduan_publik.services.complaints import complaint_create, complaint_verify
from tests.aduan_publik.desk.desk_helpers import change_url, client_for

pytestmark = pytest.mark.django_db


def _verified(contact, admin_user, opd, title):
    created, _code = complaint_create(channel="web", title=title, description="Uraian yang cukup panjang.",
                                      contact=contact, acknowledge=False)
    complaint_verify(complaint=created, by=admin_user, opds=[opd])
    return created


def test_an_opd_officer_is_not_told_another_opds_original(contact, admin_user, liaison_pu, opd_pu, opd_dlh):
    original = _verified(contact, admin_user, opd_dlh, "Sampah menumpuk di pasar")
    duplicate = _verified(contact, admin_user, opd_pu, "Sampah dan jalan rusak di pasar")
    Complaint.objects.filter(pk=duplicate.pk).update(duplicate_of=original)

    theirs = client_for(liaison_pu).get(change_url(duplicate))
    assert theirs.status_code == 200
    assert original.tracking_number not in theirs.content.decode()
    assert "aduan lain di luar cakupan Anda" in theirs.content.decode()

    admins = client_for(admin_user).get(change_url(duplicate)).content.decode()
    assert original.tracking_number in admins and change_url(original) in admins
