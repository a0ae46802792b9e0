"""Backup and restore (issue 14 point 6): the drill, on whichever database the tests run."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from fakes.s3_server import bucket_objects, moto_s3, s3_client

from aduan_publik.backup import (
    CONFIG_COPY,
    config_without_secrets,
    file_hashes,
    private_dir,
    table_counts,
)
from aduan_publik.models import Attachment, Complaint, Contact, Event
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_create
from aduan_publik.storage import private_storage
from aduan_publik.testing.samples import PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _city(contact, category_jalan, admin_user) -> None:
    for n in range(3):
        created, _code = complaint_create(channel="web", title=f"Lampu jalan mati {n}",
                                          description="Gelap sejak seminggu.", contact=contact,
                                          category=category_jalan)
        attachment_create(complaint=created, content=png_bytes((8 + n, 8)), filename="foto.png", by=admin_user)
    attachment_create(complaint=created, content=PDF_BYTES, filename="surat.pdf", by=admin_user)


def _wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(private_dir())


def test_drill_backup_wipe_restore_gives_the_same_rows_and_files(tmp_path, contact, category_jalan, admin_user):
    _city(contact, category_jalan, admin_user)
    archive = tmp_path / "cadangan.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    counts, hashes = table_counts(), file_hashes(private_dir())
    assert str(archive) in out.getvalue() and archive.stat().st_mode & 0o077 == 0
    assert counts["aduan_publik.Complaint"] == 3 and counts["aduan_publik.Attachment"] == 4
    assert len(hashes) >= 4
    assert Event.objects.filter(verb="backup_created").count() == 1

    _wipe()
    assert Complaint.objects.count() == 0 and file_hashes(private_dir()) == {}
    (private_dir() / "files").mkdir(parents=True)
    (private_dir() / "files" / "baru.txt").write_text("diunggah setelah cadangan")

    call_command("restore", str(archive), stdout=io.StringIO())

    after = table_counts()
    assert after.pop("aduan_publik.Event") == counts.pop("aduan_publik.Event") + 1  # + "backup_restored"
    assert after == counts
    assert file_hashes(private_dir()) == hashes
    assert Contact.objects.get().name == "Budi Santoso"
    assert sorted(Complaint.objects.values_list("title", flat=True)) == [f"Lampu jalan mati {n}" for n in range(3)]
    assert Event.objects.filter(verb="backup_restored", actor_label="cli").count() == 1
    # What was there before the restore is kept aside, never deleted.
    kept = [p / "files" / "baru.txt" for p in private_dir().parent.glob("private.before-restore-*")]
    assert [p.read_text() for p in kept if p.exists()] == ["diunggah setelah cadangan"]


def test_the_archive_holds_the_config_without_secrets(tmp_path, settings, contact):
    settings.SITE_CONFIG = {
        "secret_key": "s3cret-django", "channel_keys": ["k1"], "city_name": "Kota Pontianak",
        "db_url": "postgres://aduan:pw-db@db.local:5432/aduan",
        "channels": {"whatsapp": {"phone_number_id": "123", "access_token": "EAAG", "app_secret": "x"}},
    }
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        member = tar.extractfile("site_config.json")
        assert member is not None
        raw = member.read().decode()
        names = tar.getnames()
    for secret in ("s3cret-django", "k1", "pw-db", "EAAG"):
        assert secret not in raw
    assert json.loads(raw) == {"city_name": "Kota Pontianak", "db_url": "postgres://aduan@db.local:5432/aduan",
                               "channels": {"whatsapp": {"phone_number_id": "123"}}}
    assert "manifest.json" in names and any(n.startswith("database.") for n in names)
    call_command("restore", str(archive), stdout=io.StringIO())
    assert json.loads((Path(private_dir().parent) / CONFIG_COPY).read_text())["city_name"] == "Kota Pontianak"


def test_a_tampered_archive_is_refused_and_changes_nothing(tmp_path, contact, category_jalan, admin_user):
    _city(contact, category_jalan, admin_user)
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    unpacked = tmp_path / "x"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    victim = next(p for p in (unpacked / "private").rglob("*") if p.is_file())
    victim.write_bytes(b"diubah")
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        for p in sorted(unpacked.iterdir()):
            tar.add(p, arcname=p.name)
    Complaint.objects.filter(title="Lampu jalan mati 0").delete()
    before_counts, before_files = table_counts(), file_hashes(private_dir())

    with pytest.raises(CommandError, match="tidak cocok"):
        call_command("restore", str(bad))

    assert table_counts() == before_counts and file_hashes(private_dir()) == before_files


@pytest.mark.parametrize("content", [b"bukan arsip", None])
def test_an_unreadable_or_missing_archive_is_a_clear_error(tmp_path, content, contact):
    path = tmp_path / "x.tar.gz"
    if content is not None:
        path.write_bytes(content)
    before = table_counts()
    with pytest.raises(CommandError, match="tidak dapat dibaca" if content else "tidak ditemukan"):
        call_command("restore", str(path))
    assert table_counts() == before


def test_an_archive_of_the_other_engine_is_refused(tmp_path, contact):
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    unpacked = tmp_path / "x"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())
    (unpacked / "manifest.json").write_text(json.dumps({**manifest, "engine": other}))
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        for p in sorted(unpacked.iterdir()):
            tar.add(p, arcname=p.name)
    with pytest.raises(CommandError, match=other):
        call_command("restore", str(bad))
    assert Contact.objects.count() == 1


def test_backup_refuses_to_overwrite_an_existing_file(tmp_path, contact):
    target = tmp_path / "ada.tar.gz"
    target.write_bytes(b"lama")
    with pytest.raises(CommandError, match="sudah ada"):
        call_command("backup", str(target))
    assert target.read_bytes() == b"lama"


def test_config_without_secrets_keeps_plain_values():
    assert config_without_secrets({"auth": {"failure_limit": 10}, "redis_url": "redis://127.0.0.1:6379/0",
                                   "smtp_password": "x", "extra_days_off": ["2026-12-24"]}) == {
        "auth": {"failure_limit": 10}, "redis_url": "redis://127.0.0.1:6379/0", "extra_days_off": ["2026-12-24"]}


# ---- a site whose files live in an S3-compatible bucket (moto's server) ----------------------------


@pytest.fixture(scope="module")
def s3_server():
    with moto_s3() as config:
        yield config


@pytest.fixture
def s3_site(s3_server):
    """The site on its own fresh bucket (as if site_config.json said "storage": {...s3...})."""
    config = {**s3_server, "bucket": f"aduan-{uuid.uuid4().hex[:12]}"}
    s3_client(config).create_bucket(Bucket=config["bucket"])
    storages = {**settings.STORAGES, "default": private_storage(config, "/unused")}
    with override_settings(STORAGES=storages):
        yield config


def test_drill_on_a_bucket_site_brings_the_bucket_files_back(tmp_path, s3_site, contact, category_jalan,
                                                             admin_user):
    _city(contact, category_jalan, admin_user)
    before = bucket_objects(s3_site)
    assert sorted(before) == sorted(Attachment.objects.values_list("file", flat=True))  # all in the bucket
    archive = tmp_path / "cadangan.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "4 objek dari bucket" in out.getvalue()
    with tarfile.open(archive) as tar:
        assert sorted(n for n in tar.getnames() if n.startswith("bucket/")) == sorted(f"bucket/{k}" for k in before)

    _wipe()
    client = s3_client(s3_site)
    for key in before:
        client.delete_object(Bucket=s3_site["bucket"], Key=key)
    client.put_object(Bucket=s3_site["bucket"], Key="attachments/baru.png", Body=b"setelah cadangan")

    call_command("restore", str(archive), stdout=io.StringIO())

    assert bucket_objects(s3_site) == {**before, "attachments/baru.png": b"setelah cadangan"}  # nothing deleted
    for attachment in Attachment.objects.all():
        with attachment.file.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == attachment.sha256


def test_a_bucket_archive_with_a_changed_object_is_refused(tmp_path, s3_site, contact, category_jalan, admin_user):
    _city(contact, category_jalan, admin_user)
    archive, changed = tmp_path / "cadangan.tar.gz", tmp_path / "diubah.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as src, tarfile.open(changed, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else b""
            if member.name.startswith("bucket/") and member.name.endswith(".pdf"):
                data = data.replace(b"%PDF", b"%PDX")
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="tidak cocok"):
        call_command("restore", str(changed), stdout=io.StringIO())
