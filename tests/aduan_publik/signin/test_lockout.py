"""Issue 14 point 8: 30 wrong passwords for an admin used to be answered normally and the right one
still got in. Now the account and the address lock, the refusal says why (in Indonesian), every
refused sign-in is on the audit trail, and an admin unlocks from the desk or from the shell."""

from __future__ import annotations

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from aduan_publik.models import Event, Role
from tests.aduan_publik.desk.desk_helpers import client_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
LOGIN = "/desk/login/?next=/desk/"
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


def sign_in(username: str, password: str, ip: str = ATTACKER):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(LOGIN, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_account_and_the_address(admin_user, leader_user):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [sign_in("admin1", f"tebakan-{n}")[1].status_code for n in range(30)]
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again: wrong password
    assert set(statuses[limit - 1:]) == {429}  # locked from the limit on

    client, right = sign_in("admin1", "rahasia-123")
    assert right.status_code == 429 and not signed_in(client)
    page = right.content.decode()
    assert "Akun «admin1» dikunci sementara karena terlalu banyak percobaan masuk yang gagal" in page
    assert "minta admin Diskominfo membuka kuncinya" in page

    # The account is locked wherever the password comes from ...
    client, elsewhere = sign_in("admin1", "rahasia-123", ip=OFFICE)
    assert elsewhere.status_code == 429 and not signed_in(client)
    # ... and the address is locked for every account.
    client, other = sign_in("pimpinan", "rahasia-123")
    assert other.status_code == 429 and not signed_in(client)
    assert "Alamat jaringan Anda dikunci sementara" in other.content.decode()

    refused = Event.objects.filter(verb="login_failed", complaint=None)
    assert refused.filter(data__username="admin1", data__reason="password").count() == limit - 1
    assert refused.filter(data__username="admin1", data__reason="locked").count() == 30 - (limit - 1) + 2
    assert refused.filter(data__username="pimpinan", data__reason="locked").count() == 1
    assert Event.objects.filter(verb="login_locked", data__username="admin1").count() == 1
    assert not Event.objects.filter(verb="login").exists()


def test_failed_sign_ins_are_in_the_desk_audit_trail(admin_user):
    other_admin = make_user("admin2", Role.ADMIN)
    sign_in("admin1", "salah-sekali")
    page = client_for(other_admin).get("/desk/aduan_publik/event/").content.decode()
    assert f"Gagal masuk sebagai «admin1» dari {ATTACKER}: nama pengguna atau kata sandi salah." in page


def test_admin_unlocks_from_the_desk(admin_user, leader_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in("admin1", f"tebakan-{n}")
    other_admin = make_user("admin2", Role.ADMIN)
    desk = client_for(other_admin)
    sign_in("pimpinan", "sekali-salah", ip=OFFICE)  # one failure elsewhere: listed, not locked
    listing = desk.get("/desk/axes/accessattempt/")
    assert listing.status_code == 200
    rows = {row.username: row for row in listing.context["cl"].result_list}
    assert set(rows) == {"admin1", "pimpinan"}
    assert listing.context["cl"].model_admin.locked(rows["admin1"]) is True
    assert listing.context["cl"].model_admin.locked(rows["pimpinan"]) is False
    # Leaders see everything else, but not this list.
    assert client_for(leader_user).get("/desk/axes/accessattempt/").status_code == 403

    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = desk.post("/desk/axes/accessattempt/", {"action": "unlock", "_selected_action": ids})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    unlocked = Event.objects.get(verb="login_unlocked", data__username="admin1")
    assert unlocked.actor == other_admin and unlocked.data["ip"] == ATTACKER

    client, right = sign_in("admin1", "rahasia-123")
    assert right.status_code == 302 and signed_in(client)


def test_admin_unlocks_from_the_shell(admin_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in("admin1", f"tebakan-{n}")
    assert sign_in("admin1", "rahasia-123", ip=OFFICE)[1].status_code == 429

    out = StringIO()
    call_command("unlock-signin", "admin1", stdout=out)
    assert "admin1" in out.getvalue()
    assert Event.objects.get(verb="login_unlocked").actor_label == "cli"
    client, right = sign_in("admin1", "rahasia-123", ip=OFFICE)
    assert right.status_code == 302 and signed_in(client)


def test_unlock_without_a_target_changes_nothing(admin_user):
    sign_in("admin1", "salah")
    with pytest.raises(Exception, match="nama pengguna atau --ip"):
        call_command("unlock-signin", stdout=StringIO())
    assert AccessAttempt.objects.count() == 1
    assert not Event.objects.filter(verb="login_unlocked").exists()


def test_authenticate_from_code_needs_no_request(admin_user):
    """Shells and commands call authenticate() without a request: the model backend answers."""
    from django.contrib.auth import authenticate

    assert authenticate(username="admin1", password="rahasia-123") == admin_user
    assert authenticate(username="admin1", password="salah") is None
