"""Private files in S3-compatible object storage: a real moto server on 127.0.0.1, the real
attachment service and the real access-checked file view (docs/storage.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from fakes.s3_server import bucket_objects, moto_s3

from aduan_publik.services.attachments import attachment_create
from aduan_publik.storage import StorageConfigError, private_storage
from aduan_publik.testing.samples import png_bytes


@pytest.fixture(scope="module")
def s3_server() -> Iterator[dict[str, Any]]:
    """moto in server mode as a subprocess; the site's ``storage`` config pointing at it."""
    with moto_s3() as config:
        yield config


@pytest.fixture
def s3_site(s3_server):
    """The site as if ``site_config.json`` said ``"storage": {...s3...}``."""
    storages = {**settings.STORAGES, "default": private_storage(s3_server, "/unused")}
    with override_settings(STORAGES=storages):
        yield s3_server


@pytest.mark.django_db
def test_attachment_goes_to_the_bucket_and_comes_back_through_the_access_checked_view(
        s3_site, complaint, admin_user, client):
    content = png_bytes((64, 48))
    attachment = attachment_create(complaint=complaint, content=content, filename="lubang.png", by=admin_user)

    assert type(default_storage._wrapped).__name__ == "S3Storage"
    objects = bucket_objects(s3_site)
    assert objects == {attachment.file.name: content}  # in the bucket, under our own name
    assert attachment.file.name.startswith("attachments/") and attachment.file.name.endswith(".png")

    client.force_login(admin_user)
    response = client.get(reverse("aduan_publik:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == attachment.sha256 == hashlib.sha256(content).hexdigest()
    # Streamed by the view, never a redirect to a bucket URL.
    assert "Location" not in response and response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_the_bucket_is_never_reached_without_the_access_check(s3_site, complaint, client, liaison_pu):
    attachment = attachment_create(complaint=complaint, content=png_bytes(), filename="foto.png")
    url = reverse("aduan_publik:attachment", args=[attachment.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and s3_site["endpoint_url"] not in anonymous["Location"]
    client.force_login(liaison_pu)  # the complaint is not disposed to this OPD
    assert client.get(url).status_code == 404


def test_local_disk_is_the_default():
    entry = private_storage(None, "/srv/site/private/files")
    assert entry == {"BACKEND": "django.core.files.storage.FileSystemStorage",
                     "OPTIONS": {"location": "/srv/site/private/files", "base_url": "/files/"}}
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_s3_options_are_private_and_mapped_from_the_site_keys():
    entry = private_storage({"backend": "s3", "bucket": "b", "endpoint_url": "https://s3.example",
                             "access_key": "AK", "secret_key": "SK", "region": "ap-southeast-3"}, "/x")
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    assert entry["OPTIONS"] == {"bucket_name": "b", "endpoint_url": "https://s3.example", "access_key": "AK",
                                "secret_key": "SK", "region_name": "ap-southeast-3", "default_acl": "private",
                                "file_overwrite": False, "querystring_auth": True}


@pytest.mark.parametrize(("config", "message"), [
    ({"backend": "ftp"}, "must be 'local' or 's3'"),
    ({"backend": "s3"}, "needs bucket"),
    ({"backend": "s3", "bucket": "b", "secret": "x"}, "unknown key"),
])
def test_bad_storage_config_is_refused_with_the_key_to_fix(config, message):
    with pytest.raises(StorageConfigError, match=message):
        private_storage(config, "/x")


def test_storage_secrets_are_hidden_from_the_debug_page():
    from django.views.debug import SafeExceptionReporterFilter

    entry = private_storage({"backend": "s3", "bucket": "b", "access_key": "AK", "secret_key": "SK"}, "/x")
    cleansed = SafeExceptionReporterFilter().cleanse_setting("STORAGES", {"default": entry})
    assert "SK" not in str(cleansed) and "AK" not in str(cleansed) and "'b'" in str(cleansed)
