"""Every endpoint × scope × role × OPD: a token gets exactly what its scope, role and OPD allow."""

from __future__ import annotations

import pytest

from aduan_publik.api.models import SCOPES
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.testing.samples import png_bytes

pytestmark = pytest.mark.django_db

# (method, path, scope it needs); {c} complaint, {d} disposition, {a} attachment
ENDPOINTS = [
    ("get", "/api/v1/complaints", "complaints:read"),
    ("get", "/api/v1/complaints/{c}", "complaints:read"),
    ("post", "/api/v1/complaints", "complaints:write"),
    ("get", "/api/v1/complaints/{c}/attachments", "attachments:read"),
    ("post", "/api/v1/complaints/{c}/attachments", "attachments:write"),
    ("get", "/api/v1/attachments/{a}/download", "attachments:read"),
    ("get", "/api/v1/opds", "reference:read"),
    ("get", "/api/v1/categories", "reference:read"),
    ("get", "/api/v1/areas", "reference:read"),
    ("get", "/api/v1/figures", "figures:read"),
    *[("post", f"/api/v1/complaints/{{c}}/{slug}", "complaints:write")
      for slug in ("verify", "reroute", "settle-return", "postpone", "resume", "archive", "merge", "not-authority",
                   "reopen", "reply")],
    *[("post", f"/api/v1/dispositions/{{d}}/{slug}", "complaints:write") for slug in ("accept", "return", "followups")],
    ("post", "/api/v1/followups/1/review", "complaints:write"),
]


@pytest.fixture
def world(complaint, admin_user, opd_pu):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    file = attachment_create(complaint=complaint, content=png_bytes(), filename="bukti.png")
    return {"c": complaint.pk, "d": disposition.pk, "a": file.pk}


@pytest.mark.parametrize("method,path,scope", ENDPOINTS, ids=[f"{m} {p}" for m, p, _s in ENDPOINTS])
def test_each_endpoint_needs_its_scope(world, admin_user, api_as, method, path, scope):
    others = [s for s in SCOPES if s != scope]
    response = getattr(api_as(admin_user, scopes=others), method)(path.format(**world))
    assert response.status_code == 403, response.content
    assert scope in response.json()["detail"]


@pytest.mark.parametrize("method,path,scope", [e for e in ENDPOINTS if "{c}" in e[1] or "{d}" in e[1]],
                         ids=[f"{m} {p}" for m, p, _s in ENDPOINTS if "{c}" in p or "{d}" in p])
def test_another_opd_never_reaches_the_complaint(world, liaison_dlh, admin_user, api_as, opd_dlh, method, path, scope):
    """Another OPD's staff, and an admin token restricted to another OPD: 404, as if it did not exist."""
    for api in (api_as(liaison_dlh), api_as(admin_user, opd=opd_dlh)):
        response = getattr(api, method)(path.format(**world))
        assert response.status_code == 404, (path, response.content)


ROLE_CAN = {  # role fixture -> (may list the complaint, may verify, may accept its OPD's disposition)
    "admin_user": (True, True, False),
    "leader_user": (True, False, False),
    "liaison_pu": (True, False, True),
    "operator_pu": (True, False, True),
    "integrator_user": (True, False, False),
}


@pytest.mark.parametrize("role", list(ROLE_CAN))
def test_roles(world, request, api_as, role, opd_dlh):
    user = request.getfixturevalue(role)
    api = api_as(user)
    sees, verifies, accepts = ROLE_CAN[role]
    assert (api.get(f"/api/v1/complaints/{world['c']}").status_code == 200) is sees
    # the complaint is disposed already: a role that may verify gets the workflow's 409, others 403
    verify = api.post(f"/api/v1/complaints/{world['c']}/verify", {"opds": [opd_dlh.pk]})
    assert verify.status_code == (409 if verifies else 403), verify.content
    accept = api.post(f"/api/v1/dispositions/{world['d']}/accept")
    assert accept.status_code in ((200,) if accepts else (403, 404)), accept.content
