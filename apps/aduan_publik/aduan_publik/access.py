"""Who may see and do what: the one place permissions are decided.

Desk, portal, API and exports all go through these functions. The rules:

* Diskominfo admins see and act on every complaint; leaders see everything, change nothing.
* OPD liaison officers and operators see only complaints with a disposition to their OPD
  (including ones their OPD returned, so they can read their own history), and never the
  identity of an *anonim* reporter. The disposition service records each such pair once as an
  ``OpdScope`` row in the disposition's transaction; the querysets here read those rows.
* Integrators reach the API only, never the desk.
* Anyone else (anonymous visitors, users without a profile) sees nothing here; the portal's
  reporter access goes through :func:`get_complaint_for_reporter` with the secret code.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Attachment, Complaint, Disposition, FollowUp, Notification, OpdScope, Role, StaffProfile

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
    actor = _profile_actor(user)
    if actor.role and second_factor_missing(user, actor.role):
        # Signed in with the password only: no role anywhere (desk, exports, files) until the code.
        actor = Actor(user=user, role=None, opd_id=None)
    user._aduan_actor = actor
    return actor


def _profile_actor(user: Any) -> Actor:
    try:
        profile = user.aduan_profile
        return Actor(user=user, role=profile.role, opd_id=profile.opd_id)
    except StaffProfile.DoesNotExist:
        return Actor(user=user, role=Role.ADMIN if user.is_superuser else None, opd_id=None)


def owes_second_factor(user: Any) -> bool:
    """Signed in with the right password, a desk role, and the second factor still to show."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = _profile_actor(user).role
    return role in (Role.ADMIN, Role.LEADER, Role.LIAISON, Role.OPERATOR) and second_factor_missing(user, role)


def second_factor_required(role: str | None) -> bool:
    """Whether the site makes this role sign in with a second factor (``auth.require_2fa_for``)."""
    return bool(role) and role in getattr(settings, "SIGNIN", {}).get("require_2fa_for", [])


def second_factor_missing(user: Any, role: str | None) -> bool:
    """A web session that owes a second factor: the role requires one or the user enrolled one.

    Only users that came through ``OTPMiddleware`` (a web request) carry ``is_verified``; users
    loaded by services, jobs or the API's own authentication are not sessions and pass.
    """
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or is_verified():
        return False
    if second_factor_required(role):
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def role_of(user: Any) -> str | None:
    return actor_for(user).role


def can_use_desk(user: Any) -> bool:
    return actor_for(user).role in (Role.ADMIN, Role.LEADER, Role.LIAISON, Role.OPERATOR)


def can_manage_personal_data(user: Any) -> bool:
    """Data-subject export and erasure (UU 27/2022 PDP): admins only, like every reporter's identity."""
    return actor_for(user).is_admin


def can_manage_jobs(user: Any) -> bool:
    """The job dashboard (/desk/rq/): admins only; job arguments carry reporters' data."""
    return actor_for(user).is_admin


# ---- reads -------------------------------------------------------------------------------


def complaints_visible_to(user: Any, *, within: QuerySet[Complaint] | None = None,
                          after: tuple[Any, int] | None = None) -> QuerySet[Complaint]:
    """Every complaint ``user`` may see. The base of every complaint list and getter.

    ``within``: a complaint queryset to narrow instead of all complaints (a page's own
    ``select_related`` and annotations), so that it is read in the same query as the check.
    ``after``: only those after the key ``(received_at, id)`` in :func:`received_key` order (keyset
    reads: the export); an OPD's key is tested on the same scope row as its visibility.
    """
    actor = actor_for(user)
    qs = Complaint.objects.all() if within is None else within
    if actor.can_read_all:
        return qs if after is None else qs.filter(_key_after(("received_at", "pk"), after))
    if actor.is_opd and actor.opd_id:
        # Every complaint ever disposed to the OPD, through its scope rows (one per OPD and complaint,
        # written with the disposition): a join, so the OPD's list can page along the scope's index.
        # One filter() call: a second one on this multi-valued relation would join it again.
        mine = Q(opd_scopes__opd_id=actor.opd_id)
        return qs.filter(mine if after is None else mine & _key_after(received_key(user), after))
    return qs.none()


def received_key(user: Any) -> tuple[str, str]:
    """The fields of the ``(received_at, id)`` order of ``user``'s complaints (lists, export): an
    OPD's from its scope rows' copy (same values), so PostgreSQL walks the index
    ``(opd, received_at, complaint)`` instead of every complaint of the city."""
    actor = actor_for(user)
    if actor.is_opd and actor.opd_id:
        return ("opd_scopes__received_at", "opd_scopes__complaint_id")
    return ("received_at", "pk")


def _key_after(fields: tuple[str, str], key: tuple[Any, int]) -> Q:
    """Rows after ``key`` in the order of ``fields``. The redundant ``>=`` bound lets the database start
    an index range scan at the key instead of filtering every earlier row (an OR alone does not)."""
    (at, pk), (value, last) = fields, key
    return Q(**{f"{at}__gte": value}) & (Q(**{f"{at}__gt": value}) | Q(**{at: value, f"{pk}__gt": last}))


def newest_first(user: Any) -> tuple[str, ...]:
    """The order of ``user``'s complaint list when nothing else is asked: newest received first."""
    return tuple(f"-{field}" for field in received_key(user))


def visible_ids(user: Any) -> QuerySet[Any]:
    """The ids of every complaint ``user`` may see, in :func:`newest_first` order, from the narrowest
    index: an OPD's scope rows alone, so counting or skipping them never reads the complaint table.

    For lists that show exactly :func:`complaints_visible_to` in that order (no filter, no search).
    """
    actor = actor_for(user)
    if actor.is_opd and actor.opd_id:
        return (OpdScope.objects.filter(opd_id=actor.opd_id).order_by("-received_at", "-complaint_id")
                .values_list("complaint_id", flat=True))
    return complaints_visible_to(user).order_by("-received_at", "-pk").values_list("pk", flat=True)


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


def get_complaint(user: Any, pk: Any, *, for_update: bool = False,
                  within: QuerySet[Complaint] | None = None) -> Complaint:
    """The access-checked getter: the complaint, or 404 when ``user`` may not see it.

    ``within`` as in :func:`complaints_visible_to`: what the caller reads along with the row.
    """
    qs = complaints_visible_to(user, within=within)
    if for_update:
        qs = qs.select_for_update(of=("self",))  # the complaint's row, not the OPD's scope row
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
    return identity_visible(user, is_anonymous=complaint.is_anonymous)


def identity_visible(user: Any, *, is_anonymous: bool) -> bool:
    """:func:`can_see_identity` for a complaint read as values (the CSV export reads no model rows)."""
    actor = actor_for(user)
    if actor.can_read_all:
        return True
    if actor.is_opd:
        return not is_anonymous
    return False


def reporter_display(user: Any, complaint: Complaint) -> dict[str, str]:
    """Reporter fields as ``user`` may see them (masked where not allowed)."""
    contact = complaint.contact
    if contact is None:
        return {"name": "", "phone": "", "email": "", "address": ""}
    return reporter_display_values(user, is_anonymous=complaint.is_anonymous, name=contact.name,
                                   phone=contact.phone, email=contact.email,
                                   address=contact.address or contact.user_id)


def reporter_display_values(user: Any, *, is_anonymous: bool, name: str, phone: str, email: str,
                            address: str = "") -> dict[str, str]:
    """:func:`reporter_display` for a complaint with a reporter, read as values (the CSV export)."""
    if not identity_visible(user, is_anonymous=is_anonymous):
        return {"name": _("Anonim"), "phone": MASK, "email": MASK, "address": MASK}
    return {"name": name, "phone": phone, "email": email, "address": address}


# ---- integrators' webhook subscriptions ---------------------------------------------------


def webhook_scope_opd(owner: Any, opd_id: int | None) -> int | None:
    """The OPD a subscription of ``owner`` is limited to: ``None`` is the whole city.

    Only integrators subscribe. An integrator bound to an OPD (their profile) is always limited
    to it and may not subscribe to another; otherwise the subscription's own ``opd_id`` applies.
    """
    actor = actor_for(owner)
    if actor.role != Role.INTEGRATOR:
        raise PermissionDenied(_("Hanya pengguna berperan integrator yang dapat berlangganan webhook."))
    if actor.opd_id is not None and opd_id not in (None, actor.opd_id):
        raise PermissionDenied(_("Integrator ini hanya boleh menerima aduan OPD-nya sendiri."))
    return actor.opd_id if actor.opd_id is not None else opd_id


def webhook_may_receive(owner: Any, opd_id: int | None, complaint_opd_ids: set[int]) -> bool:
    """Whether a subscription (``owner``, limited to ``opd_id``) may receive an event of a complaint
    disposed to ``complaint_opd_ids`` (every disposition, as OPD staff see their history)."""
    try:
        scope = webhook_scope_opd(owner, opd_id)
    except PermissionDenied:
        return False
    return scope is None or scope in complaint_opd_ids


def webhook_sees_identity(complaint: Complaint) -> bool:
    """Integrators never receive an *anonim* or *rahasia* reporter's identity."""
    return not complaint.is_anonymous and not complaint.is_secret


def webhook_sees_content(complaint: Complaint) -> bool:
    """A *rahasia* report's text, place and follow-ups never leave the hub by webhook."""
    return not complaint.is_secret


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


def notifications_visible_to(user: Any) -> QuerySet[Notification]:
    """A staff member's own notifications; nobody reads another person's."""
    if not can_use_desk(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def report_opd_scope(user: Any, opd_id: Any) -> int | None:
    """The OPD a user may take figures and reports for: ``None`` is the whole city.

    Admins and leaders choose any OPD (or none); OPD staff only ever get their own OPD, and asking
    for another one is refused (never silently widened or swapped).
    """
    actor = actor_for(user)
    wanted = int(opd_id) if str(opd_id or "").isdigit() else None
    if actor.can_read_all:
        return wanted
    if actor.is_opd and actor.opd_id is not None and wanted in (None, actor.opd_id):
        return actor.opd_id
    raise PermissionDenied(_("Anda hanya dapat mengunduh laporan OPD Anda sendiri."))


# ---- the integrator API (issue 13) ---------------------------------------------------------
#
# An API token acts as its user, narrowed by the token: an OPD restriction and scopes. Staff
# tokens see what their user sees in the desk. Integrators (API-only accounts) see every
# complaint that is not *rahasia* (or only their profile's OPD), never an *anonim* reporter, and
# only files an admin reviewed as public or published follow-up evidence.


def _with_opd(qs: QuerySet[Complaint], opd_id: int | None) -> QuerySet[Complaint]:
    if opd_id is None:
        return qs
    return qs.filter(Exists(OpdScope.objects.filter(complaint=OuterRef("pk"), opd_id=opd_id)))


def api_complaints_visible_to(user: Any, *, opd_id: int | None = None) -> QuerySet[Complaint]:
    """Every complaint an API token of ``user`` restricted to ``opd_id`` (or none) may see."""
    actor = actor_for(user)
    if actor.role == Role.INTEGRATOR:
        qs = _with_opd(Complaint.objects.filter(is_secret=False), actor.opd_id)
    else:
        qs = complaints_visible_to(user)
    return _with_opd(qs, opd_id)


def api_dispositions_visible_to(user: Any, *, opd_id: int | None = None) -> QuerySet[Disposition]:
    actor = actor_for(user)
    if actor.role == Role.INTEGRATOR:
        qs = Disposition.objects.filter(complaint__in=api_complaints_visible_to(user))
        qs = qs.filter(opd_id=actor.opd_id) if actor.opd_id else qs
    else:
        qs = dispositions_visible_to(user)
    return qs.filter(opd_id=opd_id) if opd_id is not None else qs


def api_followups_visible_to(user: Any, *, opd_id: int | None = None) -> QuerySet[FollowUp]:
    """Integrators read published follow-ups only; staff what the desk shows them."""
    if actor_for(user).role == Role.INTEGRATOR:
        qs = FollowUp.objects.filter(state=FollowUp.State.PUBLISHED,
                                     complaint__in=api_complaints_visible_to(user))
    else:
        qs = followups_visible_to(user)
    return qs.filter(disposition__opd_id=opd_id) if opd_id is not None else qs


def api_attachments_visible_to(user: Any, *, opd_id: int | None = None) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(complaint__in=api_complaints_visible_to(user, opd_id=opd_id))
    if actor_for(user).role == Role.INTEGRATOR:
        # A photo can expose an "anonymous" reporter: only reviewed files and published evidence.
        qs = qs.filter(Q(public_reviewed=True) | Q(followup__state=FollowUp.State.PUBLISHED))
    return qs


def api_get_complaint(user: Any, pk: Any, *, opd_id: int | None = None) -> Complaint:
    try:
        return api_complaints_visible_to(user, opd_id=opd_id).get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Aduan tidak ditemukan.")) from None


def api_can_see_identity(user: Any, complaint: Complaint, *, identity_scope: bool) -> bool:
    """Reporter identity over the API: only with the token's ``reporters:read`` scope, and never
    an *anonim* reporter unless the user may see it in the desk (admins, leaders)."""
    if not identity_scope:
        return False
    if actor_for(user).role == Role.INTEGRATOR:
        return not complaint.is_anonymous
    return can_see_identity(user, complaint)


def api_reporter_display(user: Any, complaint: Complaint, *, identity_scope: bool) -> dict[str, str]:
    contact = complaint.contact
    if contact is None:
        return {"name": "", "phone": "", "email": "", "address": ""}
    if not api_can_see_identity(user, complaint, identity_scope=identity_scope):
        return {"name": _("Anonim") if complaint.is_anonymous else MASK, "phone": MASK, "email": MASK,
                "address": MASK}
    if actor_for(user).role == Role.INTEGRATOR:
        return {"name": contact.name, "phone": contact.phone, "email": contact.email,
                "address": contact.address or contact.user_id}
    return reporter_display(user, complaint)


def api_can_create(user: Any) -> bool:
    """Who may file complaints over the API (on a resident's behalf): admins and integrators."""
    return actor_for(user).role in (Role.ADMIN, Role.INTEGRATOR)


def api_token_allowed(user: Any, opd_id: int | None) -> bool:
    """Whether a token for ``user`` may be issued (with that OPD restriction)."""
    actor = actor_for(user)
    if actor.role is None:
        return False
    if actor.is_opd or (actor.role == Role.INTEGRATOR and actor.opd_id):
        return opd_id in (None, actor.opd_id)
    return True


def api_can_attach(user: Any, complaint: Complaint) -> bool:
    """Files over the API: admins on any complaint they see, integrators on complaints they filed."""
    actor = actor_for(user)
    if actor.is_admin:
        return True
    if actor.role == Role.INTEGRATOR:
        return complaint.events.filter(verb="created", actor=user).exists()
    return False


def api_figures_opd(user: Any, *, token_opd_id: int | None, wanted: int | None) -> int | None:
    """The OPD a token may take figures for (``None``: the whole city); another OPD is refused."""
    actor = actor_for(user)
    fixed = token_opd_id or (actor.opd_id if actor.is_opd or actor.role == Role.INTEGRATOR else None)
    if fixed is not None:
        if wanted not in (None, fixed):
            raise PermissionDenied(_("Token ini hanya dapat membaca angka OPD-nya sendiri."))
        return fixed
    if actor.can_read_all or actor.role == Role.INTEGRATOR:
        return wanted
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


def broadcasts_published() -> QuerySet[Any]:
    """Broadcasts anyone may read (the portal's Informasi page and feed): completed ones only."""
    from .broadcasts.models import Broadcast

    return Broadcast.objects.filter(state=Broadcast.State.COMPLETED, template__isnull=False)


def get_published_broadcast_media(pk: Any) -> Any:
    """A completed broadcast with a header file: the file is public once the broadcast is published."""
    from .broadcasts.models import Broadcast

    try:
        return broadcasts_published().exclude(media="").get(pk=pk)
    except (Broadcast.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Berkas tidak ditemukan.")) from None


def get_broadcast(user: Any, pk: Any, *, for_update: bool = False) -> Any:
    from .broadcasts.models import Broadcast

    qs = broadcasts_visible_to(user)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except (Broadcast.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Siaran tidak ditemukan.")) from None
