"""Security fixtures: one anonim complaint of Dinas PU and one named complaint of DLH, with threads."""

from __future__ import annotations

import pytest

from aduan_publik.models import Contact
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.outbound import complaint_reply

ANON = {"name": "Budi Santoso", "phone": "081234567890", "email": "warga@example.org"}
OTHER = {"name": "Siti Rahayu", "phone": "089876543210", "email": "siti@example.net"}


@pytest.fixture
def anon_pu(complaint, admin_user, opd_pu):
    """The sample complaint (reporter Budi Santoso), anonim, disposed to Dinas PU, with a reply."""
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu], instruction="Mohon dicek",
                     is_anonymous=True)
    complaint_reply(complaint=complaint, by=admin_user, body="Terima kasih, aduan diteruskan.")
    complaint.refresh_from_db()
    assert complaint.is_anonymous
    return complaint


@pytest.fixture
def named_dlh(db, admin_user, opd_dlh, category_jalan):
    """Another OPD's complaint, named reporter, disposed to DLH only."""
    contact = Contact.objects.create(channel="web", address=OTHER["email"], **OTHER)
    created, _code = complaint_create(channel="web", title="Sampah menumpuk di pasar",
                                      description="Bau menyengat sejak seminggu.", contact=contact,
                                      category=category_jalan)
    complaint_verify(complaint=created, by=admin_user, opds=[opd_dlh], instruction="Mohon diangkut")
    complaint_reply(complaint=created, by=admin_user, body="Sedang ditangani DLH.")
    created.refresh_from_db()
    return created
