"""Complaints typed in by a desk admin: walk-in visitors and phone calls (channel ``manual``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..channels.base import ContactRef
from ..models import Complaint, Contact
from .complaints import complaint_create
from .contacts import contact_get_or_create

MANUAL = "manual"


@transaction.atomic
def walkin_complaint_create(
    *, by: Any, reporter_name: str = "", reporter_phone: str = "", reporter_email: str = "", **fields: Any
) -> tuple[Complaint, str]:
    """Record a complaint received at the counter or by phone, with its reporter as a contact.

    ``fields`` are those of :func:`~aduan_publik.services.complaints.complaint_create`. The
    acknowledgement goes out through the manual channel: by email when given, otherwise it is
    listed for a person to read out. Returns the complaint and its access code (shown once).
    """
    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat mencatat aduan loket/telepon."))
    contact = _reporter(reporter_name.strip(), reporter_phone.strip(), reporter_email.strip().lower())
    return complaint_create(channel=MANUAL, contact=contact, by=by, **fields)


def _reporter(name: str, phone: str, email: str) -> Contact | None:
    if not (name or phone or email):
        return None
    # The manual channel answers by email when it can, so the email is the better address.
    ref = ContactRef(address=email or phone, name=name, phone=phone, email=email)
    if not ref.address:
        return Contact.objects.create(channel=MANUAL, name=name)
    return contact_get_or_create(channel=MANUAL, ref=ref)
