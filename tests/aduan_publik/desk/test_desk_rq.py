"""Issue 14 point 9: the job dashboard at /desk/rq/ is reachable for admins, and only for them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_admin_sees_the_job_queues(admin_client_):
    response = admin_client_.get("/desk/rq/")
    assert response.status_code == 200
    page = response.content.decode()
    # The queues of settings.RQ_QUEUES are listed, each with its link.
    for queue in ("default", "short", "long"):
        assert queue in page
    assert admin_client_.get("/desk/rq/queues/0/").status_code == 200


def test_opd_staff_and_leaders_are_refused(liaison_pu_client, leader_client):
    """A liaison has Django's staff flag too; the hub role decides, and job arguments stay with the admins."""
    for client in (liaison_pu_client, leader_client):
        assert client.get("/desk/rq/").status_code == 403
        assert client.get("/desk/rq/stats.json").status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/desk/rq/")
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")
