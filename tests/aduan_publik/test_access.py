"""Who sees and does what (aduan_publik.access), for every role the hub knows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from aduan_publik import access
from aduan_publik.models import OPD, Contact, Role, StaffProfile
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_return, followup_draft
from aduan_publik.testing.samples import png_bytes

pytestmark = pytest.mark.django_db

FOLLOWUP = "Petugas sudah meninjau lokasi dan menjadwalkan perbaikan minggu ini."
SEES_ALL = ("admin", "leader", "superuser")
SEES_NOTHING = ("integrator", "anonymous", "no_profile", "inactive")


def _user(username: str, role: str | None = None, opd: OPD | None = None, **extra):
    user = get_user_model().objects.create_user(username=username, password="x-rahasia-1", **extra)
    if role:
        StaffProfile.objects.create(user=user, role=role, opd=opd)
    return user


def _complaint(title: str, *, anonymous: bool = False):
    contact = Contact.objects.create(channel="web", address=f"{title}@example.org", name=f"Pelapor {title}",
                                     phone="0811", email=f"{title}@example.org")
    complaint, code = complaint_create(channel="web", title=title, description=f"Uraian {title}",
                                       contact=contact, is_anonymous=anonymous)
    return complaint, code


@pytest.fixture
def world(db):
    """Two OPDs, one user per role, and complaints disposed to one OPD, the other, and both."""
    pu = OPD.objects.create(code="PUPR", name="Dinas PUPR")
    dlh = OPD.objects.create(code="DLH", name="Dinas Lingkungan Hidup")
    users = {
        "admin": _user("admin", Role.ADMIN), "leader": _user("leader", Role.LEADER),
        "liaison_pu": _user("liaison_pu", Role.LIAISON, pu), "operator_pu": _user("operator_pu", Role.OPERATOR, pu),
        "liaison_dlh": _user("liaison_dlh", Role.LIAISON, dlh),
        "operator_dlh": _user("operator_dlh", Role.OPERATOR, dlh),
        "integrator": _user("integrator", Role.INTEGRATOR), "no_profile": _user("no_profile", is_staff=True),
        "inactive": _user("inactive", Role.ADMIN, is_active=False),
        "superuser": _user("root", is_superuser=True, is_staff=True), "anonymous": AnonymousUser(),
    }
    admin = users["admin"]
    pu_only, code = _complaint("jalan")
    dlh_only, _c = _complaint("sampah", anonymous=True)
    shared, _c = _complaint("banjir")
    [d_pu] = complaint_verify(complaint=pu_only, by=admin, opds=[pu])
    [d_dlh] = complaint_verify(complaint=dlh_only, by=admin, opds=[dlh])
    d_shared_pu, d_shared_dlh = complaint_verify(complaint=shared, by=admin, opds=[pu, dlh])
    drafts = SimpleNamespace(
        pu=followup_draft(disposition=d_pu, by=users["operator_pu"], body=FOLLOWUP),
        shared_pu_published=followup_draft(disposition=d_shared_pu, by=users["liaison_pu"], body=FOLLOWUP,
                                           publish=True),
        shared_dlh_draft=followup_draft(disposition=d_shared_dlh, by=users["operator_dlh"], body=FOLLOWUP),
    )
    files = SimpleNamespace(
        pu=attachment_create(complaint=pu_only, content=png_bytes(), filename="a.png", by=admin),
        dlh=attachment_create(complaint=dlh_only, content=png_bytes(), filename="b.png", by=admin),
    )
    return SimpleNamespace(
        pu=pu, dlh=dlh, users=users, code=code,
        complaints={"pu": pu_only, "dlh": dlh_only, "shared": shared},
        dispositions={"pu": d_pu, "dlh": d_dlh, "shared_pu": d_shared_pu, "shared_dlh": d_shared_dlh},
        followups=drafts, files=files,
    )


VISIBLE = {
    **dict.fromkeys(SEES_ALL, frozenset({"pu", "dlh", "shared"})),
    **dict.fromkeys(SEES_NOTHING, frozenset()),
    "liaison_pu": {"pu", "shared"}, "operator_pu": {"pu", "shared"},
    "liaison_dlh": {"dlh", "shared"}, "operator_dlh": {"dlh", "shared"},
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_complaints_and_getter_follow_the_role(world, role):
    user = world.users[role]
    seen = {key for key, c in world.complaints.items() if access.complaints_visible_to(user).filter(pk=c.pk).exists()}
    assert seen == VISIBLE[role]
    for key, complaint in world.complaints.items():
        if key in VISIBLE[role]:
            assert access.get_complaint(user, complaint.pk) == complaint
            assert access.get_complaint(user, complaint.pk, for_update=True) == complaint
        else:
            with pytest.raises(Http404):
                access.get_complaint(user, complaint.pk)


DISPOSITIONS = {
    **dict.fromkeys(SEES_ALL, frozenset({"pu", "dlh", "shared_pu", "shared_dlh"})),
    **dict.fromkeys(SEES_NOTHING, frozenset()),
    "liaison_pu": {"pu", "shared_pu"}, "operator_pu": {"pu", "shared_pu"},
    "liaison_dlh": {"dlh", "shared_dlh"}, "operator_dlh": {"dlh", "shared_dlh"},
}


@pytest.mark.parametrize("role", sorted(DISPOSITIONS))
def test_disposition_getter_only_gives_the_own_opd(world, role):
    user = world.users[role]
    for key, disposition in world.dispositions.items():
        if key in DISPOSITIONS[role]:
            assert access.get_disposition(user, disposition.pk) == disposition
        else:
            with pytest.raises(Http404):
                access.get_disposition(user, disposition.pk)


FOLLOWUPS = {
    **dict.fromkeys(SEES_ALL, frozenset({"pu", "shared_pu_published", "shared_dlh_draft"})),
    **dict.fromkeys(SEES_NOTHING, frozenset()),
    # Own drafts, plus what a co-disposed OPD has published; never another OPD's draft.
    "liaison_pu": {"pu", "shared_pu_published"}, "operator_pu": {"pu", "shared_pu_published"},
    "liaison_dlh": {"shared_pu_published", "shared_dlh_draft"},
    "operator_dlh": {"shared_pu_published", "shared_dlh_draft"},
}


@pytest.mark.parametrize("role", sorted(FOLLOWUPS))
def test_followup_getter(world, role):
    user = world.users[role]
    for key, followup in vars(world.followups).items():
        if key in FOLLOWUPS[role]:
            assert access.get_followup(user, followup.pk) == followup
        else:
            with pytest.raises(Http404):
                access.get_followup(user, followup.pk)


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_attachment_getter(world, role):
    user = world.users[role]
    for key, attachment in vars(world.files).items():
        if key in VISIBLE[role]:
            assert access.get_attachment(user, attachment.pk) == attachment
        else:
            with pytest.raises(Http404):
                access.get_attachment(user, attachment.pk)


@pytest.mark.parametrize("getter", [access.get_complaint, access.get_disposition, access.get_followup,
                                    access.get_attachment])
@pytest.mark.parametrize("bad_pk", ["abc", None, 999999, "1; drop table"])
def test_getters_answer_404_for_bad_ids(world, getter, bad_pk):
    with pytest.raises(Http404):
        getter(world.users["admin"], bad_pk)


def test_returned_complaint_stays_visible_to_the_opd_that_returned_it(world):
    complaint = world.complaints["pu"]
    operator_pu, operator_dlh = world.users["operator_pu"], world.users["operator_dlh"]
    assert not access.complaints_visible_to(operator_dlh).filter(pk=complaint.pk).exists()
    disposition_return(disposition=world.dispositions["pu"], by=operator_pu, reason="Bukan wewenang Dinas PUPR.")
    assert access.get_complaint(operator_pu, complaint.pk) == complaint
    assert access.get_disposition(operator_pu, world.dispositions["pu"].pk).state == "returned"
    with pytest.raises(Http404):  # still never another OPD's
        access.get_complaint(operator_dlh, complaint.pk)
    complaint_verify(complaint=complaint, by=world.users["admin"], opds=[world.dlh])
    assert access.get_complaint(operator_dlh, complaint.pk) == complaint
    assert access.get_complaint(operator_pu, complaint.pk) == complaint  # its own history


@pytest.mark.parametrize(("role", "masked"), [
    ("admin", False), ("leader", False), ("superuser", False), ("liaison_dlh", True), ("operator_dlh", True),
    ("integrator", True), ("anonymous", True), ("no_profile", True), ("inactive", True),
])
def test_anonim_identity_is_masked_for_opd_users(world, role, masked):
    shown = access.reporter_display(world.users[role], world.complaints["dlh"])
    if masked:
        assert shown == {"name": "Anonim", "phone": access.MASK, "email": access.MASK, "address": access.MASK}
    else:
        assert shown["name"] == "Pelapor sampah" and shown["email"] == "sampah@example.org"


def test_named_reporter_is_visible_to_the_opd_and_no_contact_shows_nothing(world):
    shown = access.reporter_display(world.users["operator_pu"], world.complaints["pu"])
    assert shown["name"] == "Pelapor jalan" and shown["phone"] == "0811"
    walk_in, _code = complaint_create(channel="manual", title="Loket", description="Datang langsung")
    assert access.reporter_display(world.users["admin"], walk_in) == {"name": "", "phone": "", "email": "",
                                                                     "address": ""}


def test_reporter_access_by_tracking_number_and_code(world):
    complaint = world.complaints["pu"]
    assert access.get_complaint_for_reporter(complaint.tracking_number, world.code) == complaint
    # Typed on a phone: lower case and stray spaces are forgiven.
    assert access.get_complaint_for_reporter(f" {complaint.tracking_number.lower()} ", f" {world.code.lower()} ")
    with pytest.raises(Http404) as wrong_code:
        access.get_complaint_for_reporter(complaint.tracking_number, "WRONGCODE1")
    with pytest.raises(Http404) as unknown:
        access.get_complaint_for_reporter("ADU-1999-999999", world.code)
    assert str(wrong_code.value) == str(unknown.value) == "Nomor aduan atau kode akses salah."


# ---- can() / require() ---------------------------------------------------------------------

ALL_ACTIONS = sorted(access.ADMIN_ACTIONS | access.OPD_ACTIONS | access.LIAISON_ACTIONS)
ALLOWED = {
    "admin": access.ADMIN_ACTIONS, "superuser": access.ADMIN_ACTIONS,
    "liaison_pu": access.OPD_ACTIONS | access.LIAISON_ACTIONS, "operator_pu": access.OPD_ACTIONS,
    **dict.fromkeys(("leader", "liaison_dlh", "operator_dlh", *SEES_NOTHING), frozenset()),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_can_and_require_matrix(world, role):
    """Every action on the PU complaint, with the PU disposition in hand."""
    user, complaint, disposition = world.users[role], world.complaints["pu"], world.dispositions["pu"]
    granted = {action for action in ALL_ACTIONS if access.can(user, action, complaint, disposition)}
    assert granted == set(ALLOWED[role])
    for action in ALL_ACTIONS:
        if action in granted:
            access.require(user, action, complaint, disposition)
        else:
            with pytest.raises(PermissionDenied, match="tidak diizinkan"):
                access.require(user, action, complaint, disposition)


@pytest.mark.parametrize("action", sorted(access.OPD_ACTIONS | access.LIAISON_ACTIONS))
def test_opd_roles_cannot_act_without_or_on_another_opds_disposition(world, action):
    liaison = world.users["liaison_pu"]
    assert not access.can(liaison, action, world.complaints["pu"], None)
    assert not access.can(liaison, action, world.complaints["shared"], world.dispositions["shared_dlh"])
    assert access.can(liaison, action, world.complaints["shared"], world.dispositions["shared_pu"])


@pytest.mark.parametrize(("role", "desk"), [
    ("admin", True), ("leader", True), ("liaison_pu", True), ("operator_pu", True), ("superuser", True),
    ("integrator", False), ("anonymous", False), ("no_profile", False), ("inactive", False),
])
def test_desk_access_by_role(world, role, desk):
    assert access.can_use_desk(world.users[role]) is desk
