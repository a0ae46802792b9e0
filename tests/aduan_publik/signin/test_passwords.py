"""Issue 14 point 8: the password policy applies where a person chooses a password (the desk's own
password change, the admin's user forms), not to ``create_user``: the demo logins keep working."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from aduan_publik.demo import DEMO_PASSWORD
from tests.aduan_publik.desk.desk_helpers import client_for

pytestmark = pytest.mark.django_db
CHANGE = "/desk/password_change/"


def change(client, new: str) -> str:
    response = client.post(CHANGE, {"old_password": "rahasia-123", "new_password1": new, "new_password2": new})
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.parametrize(("new", "said"), [
    ("Kalbar-2026", "terlalu pendek"),  # 11 characters: the minimum is 12
    (DEMO_PASSWORD, "tercantum di dokumentasi publik"),
    ("password12345", "terlalu umum"),
    ("748392017465", "seluruhnya terdiri dari angka"),
])
def test_weak_passwords_are_refused_with_the_reason(liaison_pu, new, said):
    page = change(client_for(liaison_pu), new)
    assert said in page
    assert authenticate(username="penghubung_pu", password="rahasia-123") == liaison_pu


def test_a_long_uncommon_password_is_accepted(liaison_pu):
    assert change(client_for(liaison_pu), "sungai-kapuas-pagi-hari") == ""
    assert authenticate(username="penghubung_pu", password="sungai-kapuas-pagi-hari") == liaison_pu


def test_admin_cannot_give_a_user_the_demo_password(admin_user, liaison_pu):
    url = f"/desk/auth/user/{liaison_pu.pk}/password/"
    response = client_for(admin_user).post(url, {"password1": DEMO_PASSWORD, "password2": DEMO_PASSWORD,
                                                 "usable_password": "true"})
    assert response.status_code == 200 and "tercantum di dokumentasi publik" in response.content.decode()


def test_create_user_keeps_the_demo_password(db):
    """seed_demo creates its logins with create_user: validators do not apply there."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="demo", password=DEMO_PASSWORD)
    assert authenticate(username="demo", password=DEMO_PASSWORD) is not None
