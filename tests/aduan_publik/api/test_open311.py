"""Open311 GeoReport v2: discovery, services, POST/GET requests in JSON and XML, field by field."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from aduan_publik.api.tokens import token_create
from aduan_publik.models import Complaint, Event
from aduan_publik.services.complaints import complaint_archive, complaint_verify

pytestmark = pytest.mark.django_db

def xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (our own server's answer, in a test)


REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}


@pytest.fixture
def key(integrator_user):
    return token_create(user=integrator_user, name="311 app", scopes=["complaints:write", "complaints:read"])[1]


def post(client: Client, fmt: str = "json", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"/open311/v2/requests.{fmt}", fields)


def test_discovery_names_the_v2_endpoint(client):
    data = client.get("/open311/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and "text/xml" in endpoint["formats"]
    root = xml(client.get("/open311/discovery.xml").content)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None


def test_services_are_the_categories(client, category_jalan):
    rows = client.get("/open311/v2/services.json").json()
    jalan = next(r for r in rows if r["service_code"] == "jalan-rusak")
    assert jalan == {"service_code": "jalan-rusak", "service_name": "Jalan rusak", "description": str(category_jalan),
                     "metadata": False, "type": "realtime", "keywords": "", "group": "Pekerjaan Umum"}
    response = client.get("/open311/v2/services.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert xml(response.content).find("service/metadata").text == "false"
    definition = client.get("/open311/v2/services/jalan-rusak.json").json()
    assert definition == {"service_code": "jalan-rusak", "attributes": []}
    assert client.get("/open311/v2/services/tidak-ada.json").status_code == 404


def test_post_request_creates_a_complaint_through_intake(client, key, category_jalan, integrator_user):
    response = post(client, api_key=key, service_code="jalan-rusak", lat="-0.026", long="109.342",
                    address_string="Jl. Gajah Mada 12", description="Lubang besar di tengah jalan.",
                    first_name="Rina", last_name="Putri", email="rina@example.org", account_id="77")
    assert response.status_code == 200, response.content
    [answer] = response.json()
    complaint = Complaint.objects.get(tracking_number=answer["service_request_id"])
    assert set(answer) == {"service_request_id", "service_notice", "account_id"} and answer["account_id"] == "77"
    assert complaint.channel == "open311" and complaint.category == category_jalan
    assert str(complaint.latitude) == "-0.026000" and complaint.contact.name == "Rina Putri"
    assert Event.objects.filter(complaint=complaint, verb="created", actor=integrator_user).exists()


@pytest.mark.parametrize("fields,status", [
    ({"service_code": "jalan-rusak", "description": "x", "lat": "1", "long": "1"}, 403),  # no api_key
    ({"service_code": "", "description": "x", "lat": "1", "long": "1", "api_key": "KEY"}, 400),
    ({"service_code": "nope", "description": "x", "lat": "1", "long": "1", "api_key": "KEY"}, 404),
    ({"service_code": "jalan-rusak", "description": "x", "api_key": "KEY"}, 400),  # no location
    ({"service_code": "jalan-rusak", "description": "x", "lat": "95", "long": "1", "api_key": "KEY"}, 400),
    ({"service_code": "jalan-rusak", "lat": "1", "long": "1", "api_key": "KEY"}, 400),  # no description
])
def test_bad_posts_are_spec_errors_and_change_nothing(client, key, category_jalan, fields, status):
    fields = {k: (key if v == "KEY" else v) for k, v in fields.items()}
    response = post(client, "xml", **fields)
    assert response.status_code == status
    error = xml(response.content).find("error")
    assert error.find("code").text == str(status) and error.find("description").text
    assert not Complaint.objects.exists()


def test_get_requests_maps_status_and_shows_only_public(client, key, category_jalan, admin_user, opd_pu):
    numbers = [post(client, api_key=key, service_code="jalan-rusak", address_string=f"Jl. {i}",
                    description="Jalan rusak parah.").json()[0]["service_request_id"] for i in range(3)]
    first, second, third = (Complaint.objects.get(tracking_number=n) for n in numbers)
    complaint_verify(complaint=first, by=admin_user, opds=[opd_pu])
    complaint_verify(complaint=second, by=admin_user, opds=[opd_pu], is_secret=True)
    complaint_archive(complaint=third, by=admin_user, reason="spam")
    rows = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [first.tracking_number]  # verified, public
    row = rows[0]
    assert set(row) == REQUEST_FIELDS and row["status"] == "open"
    assert row["agency_responsible"] == opd_pu.name and row["requested_datetime"].endswith("+07:00")
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    assert client.get(f"/open311/v2/requests/{second.tracking_number}.json").status_code == 404
    # the filing app's own key reads what its token may: the unverified archived one too, not the rahasia one
    mine = client.get("/open311/v2/requests.json", {"api_key": key, "status": "closed"}).json()
    assert [r["service_request_id"] for r in mine] == [third.tracking_number] and mine[0]["status"] == "closed"
    doc = xml(client.get(f"/open311/v2/requests/{first.tracking_number}.xml").content)
    assert doc.tag == "service_requests" and doc.find("request/status").text == "open"


def test_get_requests_filters(client, key, category_jalan):
    number = post(client, api_key=key, service_code="jalan-rusak", address_string="Jl. A",
                  description="Jalan rusak parah.").json()[0]["service_request_id"]
    get = {"api_key": key}
    assert client.get("/open311/v2/requests.json", {**get, "service_code": "lain"}).json() == []
    assert len(client.get("/open311/v2/requests.json", {**get, "service_request_id": number}).json()) == 1
    too_long = client.get("/open311/v2/requests.json", {"start_date": "2026-01-01T00:00:00Z",
                                                         "end_date": "2026-06-01T00:00:00Z"})
    assert too_long.status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "kemarin"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"jurisdiction_id": "kota-lain.go.id"}).status_code == 404
