"""Reference data and staff of the demo city: idempotent (``update_or_create`` on codes/usernames)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from ..models import OPD, Area, Category, Role, StaffProfile
from . import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from .city import AREAS, CATEGORIES, OPDS, Node

# The fixed demo logins (README). Every OPD also gets penghubung.<code> and operator.<code>.
CENTRAL_USERS = [
    # (username, role, is_staff, first name, last name)
    ("admin", Role.ADMIN, True, "Admin", "Diskominfo"),
    ("pimpinan", Role.LEADER, True, "Kepala", "Diskominfo"),
    ("integrator", Role.INTEGRATOR, False, "Integrasi", "SP4N-LAPOR!"),
]


@dataclass
class ReferenceSummary:
    opds: int = 0
    areas: int = 0
    categories: int = 0
    users: int = 0
    created_users: list[str] = field(default_factory=list)


def opd_logins(code: str) -> tuple[str, str]:
    """The liaison and operator usernames of an OPD."""
    slug = code.lower()
    return f"penghubung.{slug}", f"operator.{slug}"


@transaction.atomic
def seed_reference() -> ReferenceSummary:
    summary = ReferenceSummary()
    opds = _seed_opds()
    summary.opds = len(opds)
    summary.areas = _seed_areas()
    summary.categories = _seed_categories(CATEGORIES, None, opds)
    summary.created_users = _seed_users(opds)
    summary.users = len(CENTRAL_USERS) + 2 * len(opds)
    return summary


def _seed_opds() -> dict[str, OPD]:
    opds = {}
    for code, name, kind in OPDS:
        opds[code], _ = OPD.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "active": True})
    return opds


def _seed_areas() -> int:
    count = 0
    for kec_name, info in AREAS.items():
        kec_code = info["opd"].replace("KEC-", "KEC-PTK-")
        kecamatan, _ = Area.objects.update_or_create(
            code=kec_code, defaults={"name": kec_name, "level": Area.Level.KECAMATAN, "parent": None}
        )
        count += 1
        for kel_name in info["kelurahan"]:
            slug = kel_name.upper().replace(" ", "-")
            Area.objects.update_or_create(
                code=f"KEL-{slug}", defaults={"name": kel_name, "level": Area.Level.KELURAHAN, "parent": kecamatan}
            )
            count += 1
    return count


def _seed_categories(nodes: list[Node], parent: Category | None, opds: dict[str, OPD]) -> int:
    count = 0
    for code, name, opd_code, overrides, children in nodes:
        category, _ = Category.objects.update_or_create(
            code=code, defaults={"name": name, "parent": parent, "default_opd": opds[opd_code], "active": True,
                                 **overrides},
        )
        count += 1 + _seed_categories(children, category, opds)
    return count


def _seed_users(opds: dict[str, OPD]) -> list[str]:
    # One hash for every demo login: hashing the same published password sixty times would
    # cost ~20 s of PBKDF2 and protect nothing.
    password = make_password(DEMO_PASSWORD)
    created = []
    for username, role, is_staff, first, last in CENTRAL_USERS:
        if _user(username, role, None, is_staff, first, last, password):
            created.append(username)
    for code, opd in opds.items():
        liaison, operator = opd_logins(code)
        if _user(liaison, Role.LIAISON, opd, True, "Penghubung", code, password):
            created.append(liaison)
        if _user(operator, Role.OPERATOR, opd, True, "Operator", code, password):
            created.append(operator)
    return created


def _user(username: str, role: str, opd: OPD | None, is_staff: bool, first: str, last: str,
          password: str) -> bool:
    """Create the login (or leave an existing one's password alone); returns whether it was new."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"is_staff": is_staff, "first_name": first, "last_name": last, "password": password,
                  "email": f"{username}@{DEMO_EMAIL_DOMAIN}"},
    )
    StaffProfile.objects.update_or_create(user=user, defaults={"role": role, "opd": opd})
    return created
