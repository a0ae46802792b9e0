"""Portal fixtures: areas, a valid form post (with the captcha solved as a person would), a photo."""

from __future__ import annotations

import pytest
from portal_helpers import form_token, solve

from aduan_publik.models import Area


@pytest.fixture
def areas(db):
    kec = Area.objects.create(code="6171010", name="Pontianak Kota", level="kecamatan")
    other = Area.objects.create(code="6171020", name="Pontianak Barat", level="kecamatan")
    kel = Area.objects.create(code="6171010001", name="Darat Sekip", level="kelurahan", parent=kec)
    kel_other = Area.objects.create(code="6171020001", name="Sungai Beliung", level="kelurahan", parent=other)
    return {"kec": kec, "other": other, "kel": kel, "kel_other": kel_other}


@pytest.fixture
def complaint_post(client):
    """Load the form and return a ready POST body (override keys as a test needs)."""

    def build(**overrides):
        html = client.get("/aduan/baru/").content.decode()
        data = {
            "submit_token": form_token(html), "kind": "pengaduan", "title": "Lampu jalan padam",
            "description": "Lampu penerangan jalan di depan masjid padam sejak seminggu, gelap dan rawan.",
            "location_text": "Jl. Gajah Mada depan masjid", "name": "Siti Aminah", "phone": "0812 3456 7890",
            "email": "siti@example.org", "website": "", **solve(html),
        }
        data.update(overrides)
        return data

    return build
