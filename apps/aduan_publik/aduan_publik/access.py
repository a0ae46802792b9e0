"""Who may see and do what: the one place permissions are decided.

Desk, portal, API and exports all go through these functions. The rules:

* Diskominfo admins see and act on every complaint; leaders see everything, change nothing.
* OPD liaison officers and operators see only complaints with a disposition to their OPD
  (including ones their OPD returned, so they can read their own history), and never the
  identity of an *anonim* reporter.
* Integrators reach the API only, never the desk.
* Anyone else (anonymous visitors, users without a profile) sees nothing here; the portal's
  reporter access goes through :func:`get_complaint_for_reporter` with the secret code.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Attachment, Complaint, Disposition, FollowUp, Role, StaffProfile

MASK = "•••"


@dataclass(frozen=True)
class Actor:
    """A staff user resolved to their hub role (and OPD for OPD roles)."""

    user: Any
    role: str | None
    opd_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_opd(self) -> bool:
        return self.role in (Role.LIAISON, Role.OPERATOR)

    @property
    def can_read_all(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEADER)


def actor_for(user: Any) -> Actor:
    """Resolve a user to an :class:`Actor`. Superusers act as admins; inactive users have no role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor(user=None, role=None, opd_id=None)
    cached = getattr(user, "_aduan_actor", None)
    if cached is not None:
        return cached
    try:
        profile = user.aduan_profile
        actor = Actor(user=user, role=profile.role, opd_id=profile.opd_id)
    except StaffProfile.DoesNotExist:
        actor = Actor(user=user, role=Role.ADMIN if user.is_superuser else None, opd_id=None)
    user._aduan_actor = actor
    return actor


def role_of(user: Any) -> str | None:
    return actor_for(user).role


def can_use_desk(user: Any) -> bool:
    return actor_for(user).role in (Role.ADMIN, Role.LEADER, Role.LIAISON, Role.OPERATOR)


# ---- reads -------------------------------------------------------------------------------


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    """Every complaint ``user`` may see. The base of every complaint list and getter."""
    actor = actor_for(user)
    qs = Complaint.objects.all()
    if actor.can_read_all:
        return qs
    if actor.is_opd and actor.opd_id:
        ours = Disposition.objects.filter(complaint=OuterRef("pk"), opd_id=actor.opd_id)
        return qs.filter(Exists(ours))
    return qs.none()


def dispositions_visible_to(user: Any) -> QuerySet[Disposition]:
    actor = actor_for(user)
    qs = Disposition.objects.all()
    if actor.can_read_all:
        return qs
    if actor.is_opd and actor.opd_id:
        return qs.filter(opd_id=actor.opd_id)
    return qs.none()


def followups_visible_to(user: Any) -> QuerySet[FollowUp]:
    actor = actor_for(user)
    qs = FollowUp.objects.all()
    if actor.can_read_all:
        return qs
    if actor.is_opd and actor.opd_id:
        # An OPD sees its own follow-ups (drafts included) and published ones of co-disposed OPDs.
        return qs.filter(complaint__in=complaints_visible_to(user)).filter(
            Q(disposition__opd_id=actor.opd_id) | Q(state=FollowUp.State.PUBLISHED)
        )
    return qs.none()


def attachments_visible_to(user: Any) -> QuerySet[Attachment]:
    return Attachment.objects.filter(complaint__in=complaints_visible_to(user))


def get_complaint(user: Any, pk: Any, *, for_update: bool = False) -> Complaint:
    """The access-checked getter: the complaint, or 404 when ``user`` may not see it."""
    qs = complaints_visible_to(user)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Aduan tidak ditemukan.")) from None


def get_disposition(user: Any, pk: Any, *, for_update: bool = False) -> Disposition:
    qs = dispositions_visible_to(user).select_related("complaint", "opd")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except (Disposition.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Disposisi tidak ditemukan.")) from None


def get_followup(user: Any, pk: Any) -> FollowUp:
    try:
        return followups_visible_to(user).select_related("disposition", "complaint").get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Tindak lanjut tidak ditemukan.")) from None


def get_attachment(user: Any, pk: Any) -> Attachment:
    try:
        return attachments_visible_to(user).select_related("complaint").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Lampiran tidak ditemukan.")) from None


# ---- reporter (portal) access ------------------------------------------------------------


def hash_access_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def get_complaint_for_reporter(tracking_number: str, code: str) -> Complaint:
    """The reporter's getter: tracking number plus secret code, or 404 (same answer for both)."""
    try:
        complaint = Complaint.objects.get(tracking_number=tracking_number.strip().upper())
    except Complaint.DoesNotExist:
        raise Http404(_("Nomor aduan atau kode akses salah.")) from None
    if not hmac.compare_digest(complaint.access_code_hash, hash_access_code(code)):
        raise Http404(_("Nomor aduan atau kode akses salah."))
    return complaint


# ---- identity masking ----------------------------------------------------------------------


def can_see_identity(user: Any, complaint: Complaint) -> bool:
    """Whether ``user`` may see who reported ``complaint``. OPD staff never see an anonim reporter."""
    actor = actor_for(user)
    if actor.can_read_all:
        return True
    if actor.is_opd:
        return not complaint.is_anonymous
    return False


def reporter_display(user: Any, complaint: Complaint) -> dict[str, str]:
    """Reporter fields as ``user`` may see them (masked where not allowed)."""
    contact = complaint.contact
    if contact is None:
        return {"name": "", "phone": "", "email": "", "address": ""}
    if not can_see_identity(user, complaint):
        return {"name": _("Anonim"), "phone": MASK, "email": MASK, "address": MASK}
    return {
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "address": contact.address or contact.user_id,
    }


# ---- actions -------------------------------------------------------------------------------

ADMIN_ACTIONS = frozenset(
    {"verify", "reroute", "postpone", "resume", "archive", "not_authority", "reopen", "reply", "edit", "merge"}
)
OPD_ACTIONS = frozenset({"accept", "return", "draft_followup"})
LIAISON_ACTIONS = frozenset({"publish_followup"})


def can(user: Any, action: str, complaint: Complaint, disposition: Disposition | None = None) -> bool:
    """Whether the role of ``user`` allows ``action``. State checks live in the workflow."""
    actor = actor_for(user)
    if actor.is_admin:
        return action in ADMIN_ACTIONS
    if actor.is_opd:
        if disposition is None or disposition.opd_id != actor.opd_id:
            return False
        if action in OPD_ACTIONS:
            return True
        return action in LIAISON_ACTIONS and actor.role == Role.LIAISON
    return False


def require(user: Any, action: str, complaint: Complaint, disposition: Disposition | None = None) -> None:
    if not can(user, action, complaint, disposition):
        raise PermissionDenied(_("Peran Anda tidak diizinkan melakukan tindakan ini."))


# ---- broadcasts and subscribers -------------------------------------------------------------
# Subscribers' numbers are personal data (UU 27/2022 PDP) and broadcasts speak for the city:
# only Diskominfo's admins and leaders see them; OPD staff and integrators see nothing.

BROADCAST_EDIT_ROLES = frozenset({Role.ADMIN})
DEFAULT_APPROVER_ROLES = ("leader", "admin")


def approver_roles() -> frozenset[str]:
    """Roles that may approve a broadcast (site setting ``broadcast.approver_roles``)."""
    from django.conf import settings

    roles = (settings.ADUAN.get("broadcast") or {}).get("approver_roles") or DEFAULT_APPROVER_ROLES
    return frozenset(str(r) for r in roles)


def can_see_broadcasts(user: Any) -> bool:
    return actor_for(user).can_read_all


def can_broadcast(user: Any, action: str, broadcast: Any = None) -> bool:
    """``draft`` (create, edit, submit, pause, resume, cancel) or ``approve`` a broadcast.

    Maker-checker: nobody approves a broadcast they created, whatever their role.
    """
    actor = actor_for(user)
    if action == "view":
        return actor.can_read_all
    if action == "draft":
        return actor.role in BROADCAST_EDIT_ROLES
    if action == "approve":
        if actor.role not in approver_roles():
            return False
        return broadcast is None or broadcast.created_by_id != getattr(actor.user, "pk", None)
    return False


def require_broadcast(user: Any, action: str, broadcast: Any = None) -> None:
    if not can_broadcast(user, action, broadcast):
        if action == "approve" and broadcast is not None and broadcast.created_by_id == getattr(user, "pk", None):
            raise PermissionDenied(_("Pembuat siaran tidak boleh menyetujui siarannya sendiri."))
        raise PermissionDenied(_("Peran Anda tidak diizinkan melakukan tindakan ini."))


def broadcasts_visible_to(user: Any) -> QuerySet[Any]:
    from .broadcasts.models import Broadcast

    return Broadcast.objects.all() if can_see_broadcasts(user) else Broadcast.objects.none()


def subscriptions_visible_to(user: Any) -> QuerySet[Any]:
    from .portal.models import Subscription

    return Subscription.objects.all() if can_see_broadcasts(user) else Subscription.objects.none()


def get_broadcast(user: Any, pk: Any, *, for_update: bool = False) -> Any:
    from .broadcasts.models import Broadcast

    qs = broadcasts_visible_to(user)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except (Broadcast.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Siaran tidak ditemukan.")) from None
