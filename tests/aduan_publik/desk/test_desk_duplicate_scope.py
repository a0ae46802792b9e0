"""A duplicate's page names its original only to those who may see the original."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aduan_publik.models import Complaint
from aduan_publik.services.complaints import complaint_create, complaint_merge, complaint_verify
from aduan_publik.services.dispositions import disposition_return
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


def _merged_across_opds(contact, admin_user, liaison_pu, opd_pu, opd_dlh):
    """An original with DLH; a duplicate PU returned (PU still sees it), merged into the original."""
    original = _verified(contact, admin_user, opd_dlh, "Sampah menumpuk di pasar")
    duplicate = _verified(contact, admin_user, opd_pu, "Sampah dan jalan rusak di pasar")
    disposition_return(disposition=duplicate.dispositions.get(), by=liaison_pu, reason="Bukan kewenangan PUPR.")
    complaint_merge(complaint=Complaint.objects.get(pk=duplicate.pk), into=original, by=admin_user)
    return original, duplicate


def _work_page(client, complaint) -> str:
    """The complaint's work page (the audit-trail list itself is the admins': 403 to an OPD officer)."""
    assert client.get(reverse("admin:aduan_publik_event_changelist")).status_code == 403
    response = client.get(change_url(complaint))
    assert response.status_code == 200
    return response.content.decode()


def test_the_merge_events_do_not_name_a_complaint_outside_the_viewers_scope(
        contact, admin_user, liaison_pu, liaison_dlh, opd_pu, opd_dlh):
    original, duplicate = _merged_across_opds(contact, admin_user, liaison_pu, opd_pu, opd_dlh)

    dlh = _work_page(client_for(liaison_dlh), original)  # «Menerima duplikat …» on the original
    assert "Menerima duplikat" in dlh and duplicate.tracking_number not in dlh
    assert "aduan lain di luar cakupan Anda" in dlh
    pu = _work_page(client_for(liaison_pu), duplicate)
    # The event line; the message sent to the reporter stays word for word what they were told.
    assert "Digabung sebagai duplikat dari aduan lain di luar cakupan Anda." in pu
    assert f"duplikat dari {original.tracking_number}" not in pu

    admins = client_for(admin_user).get(change_url(original)).content.decode()
    assert f"Menerima duplikat {duplicate.tracking_number}" in admins
