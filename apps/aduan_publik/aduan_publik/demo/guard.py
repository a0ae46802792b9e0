"""Demo data never lands on a real site (issue 14 point 5).

``seed_demo`` asks :func:`real_data_found` *before* it writes anything: a site holding any
complaint, account or OPD that the demo did not create is refused as a whole. Demo logins share
a published password, so they are created only on a site in developer mode (``debug``), a site
marked as a demo (``"demo": true`` in site_config.json, written by ``aduan new-site --demo``), or
when the operator says so explicitly (``--allow-production``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from ..models import OPD, Complaint
from . import DEMO_EMAIL_DOMAIN, DEMO_EXTERNAL_PREFIX
from .city import OPDS
from .reference import CENTRAL_USERS, opd_logins


def demo_usernames() -> set[str]:
    names = {username for username, *_rest in CENTRAL_USERS}
    for code, _name, _kind in OPDS:
        names.update(opd_logins(code))
    return names


def real_data_found() -> list[str]:
    """What on this site the demo did not create, one readable line each; empty when seeding is safe."""
    found = []
    complaints = Complaint.objects.exclude(external_id__startswith=DEMO_EXTERNAL_PREFIX).count()
    if complaints:
        found.append(_("%(n)d aduan yang bukan data demo") % {"n": complaints})
    # A user counts as demo only with a demo username *and* the demo address: a real "admin"
    # would otherwise get the published password's role reset on it.
    users = (get_user_model().objects
             .exclude(username__in=demo_usernames(), email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
             .order_by("username").values_list("username", flat=True))
    if users:
        names = list(users[:5])
        found.append(_("%(n)d akun yang bukan akun demo (%(names)s)")
                     % {"n": users.count(), "names": ", ".join(names)})
    opds = OPD.objects.exclude(code__in=[code for code, _n, _k in OPDS]).order_by("code")
    if opds.exists():
        found.append(_("%(n)d OPD yang bukan data demo (%(codes)s)")
                     % {"n": opds.count(), "codes": ", ".join(opds.values_list("code", flat=True)[:5])})
    return found


def demo_logins_allowed(*, allow_production: bool) -> bool:
    """Whether this site may get logins with the published demo password."""
    return bool(settings.DEBUG or settings.ADUAN.get("demo_site") or allow_production)
