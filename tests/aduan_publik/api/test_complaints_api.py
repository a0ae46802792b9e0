"""The REST API over real HTTP handling (Django's client), a real database and a real Redis."""

from __future__ import annotations

import pytest

from aduan_publik.api.models import ApiToken, IdempotencyRecord
from aduan_publik.api.tokens import token_create, token_revoke
from aduan_publik.models import Complaint, Event
from aduan_publik.services.complaints import complaint_create, complaint_verify

pytestmark = pytest.mark.django_db

NEW = {"title": "Lampu jalan mati", "description": "Lampu jalan di Jl. Gajah Mada mati sejak seminggu.",
       "reporter": {"name": "Sari", "email": "sari@example.org"}}


def test_without_token_is_401_problem_json(client):
    response = client.get("/api/v1/complaints")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_are_refused(admin_user, api_as, complaint):
    token, raw = token_create(user=admin_user, name="x", scopes=["complaints:read"])
    from django.test import Client

    from aduan_publik.api.views.base import ApiView  # noqa: F401  (imports the API)

    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert c.get("/api/v1/complaints").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    token_revoke(token=token)
    assert c.get("/api/v1/complaints").status_code == 401


def test_list_and_detail_for_admin(admin_user, api_as, complaint):
    api = api_as(admin_user)
    rows = api.get("/api/v1/complaints").json()["results"]
    assert [r["tracking_number"] for r in rows] == [complaint.tracking_number]
    assert rows[0]["reporter"]["name"] == "Budi Santoso"
    detail = api.get(f"/api/v1/complaints/{complaint.pk}").json()
    assert detail["timeline"][0]["kind"] == "status" and detail["dispositions"] == []


def test_scope_is_required(admin_user, api_as, complaint):
    api = api_as(admin_user, scopes=["reference:read"])
    response = api.get("/api/v1/complaints")
    assert response.status_code == 403 and "complaints:read" in response.json()["detail"]
    assert api_as(admin_user, scopes=["complaints:read"]).post("/api/v1/complaints", NEW).status_code == 403


def test_reporter_identity_needs_scope(admin_user, api_as, complaint):
    rows = api_as(admin_user, scopes=["complaints:read"]).get("/api/v1/complaints").json()["results"]
    assert rows[0]["reporter"]["name"] != "Budi Santoso" and rows[0]["reporter"]["phone"] == "•••"


@pytest.fixture
def two_opd_complaints(admin_user, complaint, opd_pu, opd_dlh, contact):
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    other, _code = complaint_create(channel="web", title="Sampah menumpuk", description="Sampah di pasar.",
                                    contact=contact, is_anonymous=True)
    complaint_verify(complaint=other, by=admin_user, opds=[opd_dlh])
    secret, _code = complaint_create(channel="web", title="Pungli", description="Pungutan liar di loket.",
                                     is_secret=True)
    return complaint, other, secret


def _numbers(api) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["tracking_number"] for r in api.get("/api/v1/complaints").json()["results"]}


def test_permission_matrix_roles_and_opds(two_opd_complaints, admin_user, leader_user, liaison_pu, liaison_dlh,
                                          integrator_user, api_as, opd_pu, opd_dlh):
    pu, dlh, secret = (c.tracking_number for c in two_opd_complaints)
    assert _numbers(api_as(admin_user)) == {pu, dlh, secret}
    assert _numbers(api_as(leader_user)) == {pu, dlh, secret}
    assert _numbers(api_as(admin_user, opd=opd_pu)) == {pu}
    assert _numbers(api_as(liaison_pu)) == {pu}
    assert _numbers(api_as(liaison_dlh)) == {dlh}
    # integrators: never rahasia; scoped to an OPD only that OPD
    assert _numbers(api_as(integrator_user)) == {pu, dlh}
    assert _numbers(api_as(integrator_user, opd=opd_dlh)) == {dlh}
    other_opd = api_as(liaison_pu).get(f"/api/v1/complaints/{two_opd_complaints[1].pk}")
    assert other_opd.status_code == 404 and other_opd["Content-Type"] == "application/problem+json"


def test_opd_user_cannot_get_token_for_another_opd(liaison_pu, opd_dlh):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        token_create(user=liaison_pu, name="x", opd=opd_dlh)


def test_anonim_reporter_masked_for_opd_and_integrator(two_opd_complaints, liaison_dlh, integrator_user, admin_user,
                                                     api_as):
    dlh = two_opd_complaints[1]
    for user in (liaison_dlh, integrator_user):
        reporter = api_as(user).get(f"/api/v1/complaints/{dlh.pk}").json()["reporter"]
        assert "Budi" not in str(reporter) and reporter["phone"] == "•••"
    assert api_as(admin_user).get(f"/api/v1/complaints/{dlh.pk}").json()["reporter"]["name"] == "Budi Santoso"


def test_filters_and_bad_filter_names_the_field(two_opd_complaints, admin_user, api_as, opd_dlh):
    api = api_as(admin_user)
    rows = api.get("/api/v1/complaints", {"opd": opd_dlh.pk}).json()["results"]
    assert [r["tracking_number"] for r in rows] == [two_opd_complaints[1].tracking_number]
    rows = api.get("/api/v1/complaints", {"status": "received"}).json()["results"]
    assert [r["tracking_number"] for r in rows] == [two_opd_complaints[2].tracking_number]
    bad = api.get("/api/v1/complaints", {"status": "nope", "received_after": "kemarin"})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"status", "received_after"}


def test_cursor_pagination_walks_every_row(admin_user, api_as):
    for i in range(7):
        complaint_create(channel="web", title=f"Aduan {i}", description="Uraian aduan.")
    api, seen, url = api_as(admin_user), [], "/api/v1/complaints?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [r["tracking_number"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == 7 == len(set(seen))


def test_create_is_idempotent(integrator_user, api_as):
    api = api_as(integrator_user, HTTP_IDEMPOTENCY_KEY="abc-123")
    first = api.post("/api/v1/complaints", NEW)
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/complaints", NEW)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and first.json()["access_code"]
    assert Complaint.objects.count() == 1 and Complaint.objects.get().channel == "api"
    assert Event.objects.filter(verb="created", actor=integrator_user).count() == 1
    other = api.post("/api/v1/complaints", {**NEW, "title": "Lain"})
    assert other.status_code == 422 and Complaint.objects.count() == 1


def test_create_without_key_creates_each_time_and_validation_names_fields(integrator_user, api_as):
    api = api_as(integrator_user)
    assert api.post("/api/v1/complaints", NEW).status_code == 201
    assert api.post("/api/v1/complaints", NEW).status_code == 201
    bad = api.post("/api/v1/complaints", {"title": "", "latitude": 100})
    assert bad.status_code == 400
    assert {"title", "description", "latitude"} <= {e["field"] for e in bad.json()["errors"]}
    assert Complaint.objects.count() == 2 and IdempotencyRecord.objects.count() == 0


def test_opd_staff_cannot_create(liaison_pu, api_as):
    assert api_as(liaison_pu).post("/api/v1/complaints", NEW).status_code == 403
    assert not Complaint.objects.exists()


def test_workflow_actions_through_services(complaint, admin_user, liaison_pu, operator_pu, api_as, opd_pu):
    admin = api_as(admin_user)
    verified = admin.post(f"/api/v1/complaints/{complaint.pk}/verify", {"opds": [opd_pu.pk]})
    assert verified.status_code == 200, verified.content
    disposition = verified.json()["complaint"]["dispositions"][0]
    assert disposition["opd"]["code"] == "PUPR"
    again = admin.post(f"/api/v1/complaints/{complaint.pk}/verify", {"opds": [opd_pu.pk]})
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert "Terdisposisi" in again.json()["detail"]
    # the operator may not verify (403), but accepts its own disposition
    assert api_as(operator_pu).post(f"/api/v1/complaints/{complaint.pk}/verify",
                                    {"opds": [opd_pu.pk]}).status_code == 403
    accepted = api_as(operator_pu).post(f"/api/v1/dispositions/{disposition['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["complaint"]["status"] == "in_progress"
    short = api_as(liaison_pu).post(f"/api/v1/dispositions/{disposition['id']}/followups", {"body": "ok"})
    assert short.status_code == 400 and short.json()["errors"][0]["field"] == "body"
    body = "Lubang sudah ditambal oleh tim UPT Jalan pada hari Senin, foto terlampir."
    done = api_as(liaison_pu).post(f"/api/v1/dispositions/{disposition['id']}/followups",
                                   {"body": body, "publish": True})
    assert done.status_code == 200 and done.json()["complaint"]["status"] == "answered"
    assert Event.objects.filter(complaint=complaint, verb="followup_published", actor=liaison_pu).exists()


def test_integrator_cannot_act(complaint, integrator_user, api_as, opd_pu):
    response = api_as(integrator_user).post(f"/api/v1/complaints/{complaint.pk}/verify", {"opds": [opd_pu.pk]})
    assert response.status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).status == "received"


def test_english_problem_text(complaint, admin_user, api_as, opd_pu):
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    api = api_as(admin_user, HTTP_ACCEPT_LANGUAGE="en")
    body = api.post(f"/api/v1/complaints/{complaint.pk}/archive", {"reason": "spam"}).json()
    assert body["status"] == 409 and body["title"] == "Action not possible"


def test_rate_limit_is_429_with_retry_after(admin_user, api_as, settings):
    settings.ADUAN = {**settings.ADUAN, "api": {**settings.ADUAN["api"], "rate_per_minute": 2}}
    api = api_as(admin_user)
    codes = [api.get("/api/v1/opds").status_code for _ in range(3)]
    assert codes[:2] == [200, 200] and codes[2] == 429
    limited = api.get("/api/v1/opds")
    assert int(limited["Retry-After"]) >= 1 and limited["Content-Type"] == "application/problem+json"


def test_body_over_the_limit_is_413(integrator_user, api_as, settings):
    settings.ADUAN = {**settings.ADUAN, "api": {**settings.ADUAN["api"], "max_body_bytes": 200}}
    response = api_as(integrator_user).post("/api/v1/complaints", {**NEW, "description": "x" * 500})
    assert response.status_code == 413 and not Complaint.objects.exists()


def test_reference_and_figures(admin_user, liaison_pu, liaison_dlh, api_as, two_opd_complaints, opd_pu, opd_dlh):
    api = api_as(admin_user)
    assert {o["code"] for o in api.get("/api/v1/opds").json()} == {"PUPR", "DLH"}
    assert len(api.get("/api/v1/categories").json()) == 2
    from aduan_publik import figures

    city = api.get("/api/v1/figures").json()
    assert city["totals"]["total"] == figures.totals()["total"] == 3
    own = api_as(liaison_pu).get("/api/v1/figures").json()
    assert own["opd"] == opd_pu.pk and own["totals"]["total"] == figures.totals(opd_id=opd_pu.pk)["total"] == 1
    assert api_as(liaison_pu).get("/api/v1/figures", {"opd": opd_dlh.pk}).status_code == 403
    assert api.get("/api/v1/figures", {"period": "kemarin"}).status_code == 400


def test_idempotency_answers_expire_after_a_day(integrator_user, api_as):
    from datetime import timedelta

    from django.utils import timezone

    from aduan_publik.api.jobs import purge_idempotency_records

    api = api_as(integrator_user, HTTP_IDEMPOTENCY_KEY="k-1")
    assert api.post("/api/v1/complaints", NEW).status_code == 201
    assert purge_idempotency_records() == 0
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_records() == 1 and not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_complaint(integrator_user):
    """Two requests with the same key at once (a client timing out and retrying): one complaint, one answer."""
    import threading

    from django.db import connection
    from django.test import Client

    _token, raw = token_create(user=integrator_user, name="x", scopes=["complaints:write", "complaints:read"])
    answers: list = []
    start = threading.Barrier(2)

    def send() -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_IDEMPOTENCY_KEY="same-key")
        start.wait()
        try:
            answers.append(client.post("/api/v1/complaints", NEW, content_type="application/json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [201, 201]
    assert answers[0].json()["tracking_number"] == answers[1].json()["tracking_number"]
    assert Complaint.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
