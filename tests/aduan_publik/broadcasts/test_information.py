"""The public Informasi page and its feed show a broadcast's header file once it is published, never before."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bc_helpers import PDF, PNG
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aduan_publik.broadcasts import jobs, services
from aduan_publik.broadcasts.catalogue import templates_sync
from aduan_publik.broadcasts.models import Broadcast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def document_template(wa, admin_user):
    wa.add_template("surat_edaran", "Surat edaran {{1}}", category="UTILITY", header="DOCUMENT")
    templates_sync(by=admin_user)


def _approved_with(templates, admin_user, leader_user, *, template, upload, title) -> Broadcast:
    """Approved for one hour from now; :func:`_published` brings the hour forward and sends it."""
    from aduan_publik.broadcasts.models import Template

    b = services.broadcast_save(by=admin_user, media=upload, values={
        "title": title, "topic": "agenda", "template": Template.objects.get(name=template), "variables": ["HUT"],
        "send_at": timezone.now() + timedelta(hours=1)})
    services.broadcast_submit(broadcast=b, by=admin_user)
    return services.broadcast_approve(broadcast=b, by=leader_user)


def _published(b: Broadcast) -> None:
    Broadcast.objects.filter(pk=b.pk).update(send_at=timezone.now())
    jobs.broadcast_tick()
    assert Broadcast.objects.get(pk=b.pk).state == Broadcast.State.COMPLETED


@pytest.fixture
def poster(templates, admin_user, leader_user, residents):
    upload = SimpleUploadedFile("poster hut.png", PNG, content_type="image/png")
    return _approved_with(templates, admin_user, leader_user, template="poster_agenda", upload=upload,
                          title="Poster HUT Kota")


def test_the_header_image_is_not_public_before_the_broadcast_is_published(poster, client):
    assert Broadcast.objects.get(pk=poster.pk).state == Broadcast.State.SCHEDULED
    assert client.get(f"/informasi/{poster.pk}/berkas/").status_code == 404
    _published(poster)
    assert client.get(f"/informasi/{poster.pk}/berkas/").status_code == 200


def test_a_published_broadcast_shows_its_header_image_on_the_page_and_serves_it(poster, client):
    _published(poster)
    url = f"/informasi/{poster.pk}/berkas/"
    for page in (client.get("/informasi/"), client.get(f"/informasi/{poster.pk}/")):
        html = page.content.decode()
        assert re.search(rf'<img class="information-header" src="{url}" alt="Gambar: Poster HUT Kota">', html)
    image = client.get(url)
    assert image.status_code == 200 and b"".join(image.streaming_content) == PNG
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
    assert image["Cache-Control"] == "public, max-age=3600"


def test_the_feed_encloses_the_header_image_with_an_absolute_url(poster, client):
    _published(poster)
    body = client.get("/informasi/feed.atom").content.decode()
    enclosure = re.search(r'<link [^>]*rel="enclosure"[^>]*>', body)
    assert enclosure, body
    tag = enclosure.group(0)
    assert f'href="http://testserver/informasi/{poster.pk}/berkas/"' in tag
    assert f'length="{len(PNG)}"' in tag and 'type="image/png"' in tag


def test_a_document_header_is_linked_and_served_as_the_pdf(document_template, templates, admin_user, leader_user,
                                                           residents, client):
    upload = SimpleUploadedFile("edaran.pdf", PDF, content_type="application/pdf")
    b = _approved_with(templates, admin_user, leader_user, template="surat_edaran", upload=upload,
                       title="Surat Edaran HUT")
    _published(b)
    html = client.get(f"/informasi/{b.pk}/").content.decode()
    assert f'<a href="/informasi/{b.pk}/berkas/">Dokumen: edaran.pdf</a>' in html and "<img" not in html
    pdf = client.get(f"/informasi/{b.pk}/berkas/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == PDF
    assert pdf["Content-Type"] == "application/pdf"
    assert 'type="application/pdf"' in client.get("/informasi/feed.atom").content.decode()


def test_a_broadcast_without_a_header_has_no_file_and_no_enclosure(approved, client):
    jobs.broadcast_tick()
    assert client.get(f"/informasi/{approved.pk}/berkas/").status_code == 404
    assert 'rel="enclosure"' not in client.get("/informasi/feed.atom").content.decode()
    assert "information-header" not in client.get("/informasi/").content.decode()
