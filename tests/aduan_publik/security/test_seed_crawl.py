"""The same crawl over the demo city (30 complaints through every channel), as its busiest OPD officer."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from aduan_publik import access
from aduan_publik.models import Complaint, Role, StaffProfile
from aduan_publik.services.complaints import complaint_update
from tests.aduan_publik.desk.desk_helpers import client_for
from tests.aduan_publik.security.test_desk_crawl import desk_urls, leaks


def identity_of(complaint: Complaint) -> set[str]:
    c = complaint.contact
    values = {c.name, c.phone, c.email, c.address, c.user_id} if c else set()
    return {v for v in values if v and len(v) >= 6}


@pytest.mark.django_db
def test_demo_city_opd_officer_sees_no_other_opd_and_no_anonim_identity():
    call_command("seed_demo", "--complaints", "30", stdout=StringIO(), stderr=StringIO())
    profile = (StaffProfile.objects.filter(role__in=[Role.LIAISON, Role.OPERATOR])
               .annotate(n=Count("opd__dispositions")).order_by("-n").first())
    user = profile.user
    visible = set(access.complaints_visible_to(user).values_list("pk", flat=True))
    admin = StaffProfile.objects.filter(role=Role.ADMIN).first().user
    for complaint in Complaint.objects.filter(pk__in=visible, contact__isnull=False)[::2]:
        complaint_update(complaint=complaint, by=admin, is_anonymous=True)
    others = Complaint.objects.exclude(pk__in=visible)
    anonim = Complaint.objects.filter(pk__in=visible, is_anonymous=True).select_related("contact")
    named = Complaint.objects.filter(pk__in=visible, is_anonymous=False).select_related("contact")
    shown = set().union(*(identity_of(c) for c in named))  # the same person reporting openly elsewhere
    secrets = sorted(set().union(*(identity_of(c) for c in anonim)) - shown)
    secrets += [c.tracking_number for c in others]
    assert visible and others.exists() and anonim.exists()  # the demo exercises all three cases
    found = leaks(client_for(user), desk_urls([]), secrets)
    assert found == []
