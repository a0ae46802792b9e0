"""One-archive backups of a site, and their restore (``aduan --site S backup`` / ``restore``).

An archive is a gzip'd tar holding:

- ``manifest.json``: format, site, time, database engine, the row count of every table and the
  SHA-256 of every private file (checked again before a restore touches anything);
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site runs) or
  ``database.pgdump`` (``pg_dump --format=custom``, likewise consistent);
- ``private/...``: the site's private files (attachments, reports);
- ``bucket/...``: on a site whose files live in an S3-compatible bucket (docs/storage.md), every
  object of the site's storage, downloaded, with its SHA-256 in the manifest (``bucket_files``);
- ``site_config.json``: the site config with every secret removed (secret key, key rings,
  channel tokens, passwords inside URLs). A restore never overwrites the live config: it writes
  this copy beside it as ``site_config.from-backup.json``.

Kept free of model imports: it counts rows through the app registry, so it works for every app.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
CONFIG_COPY = "site_config.from-backup.json"
# Names that mark a config value as secret (the channels' own rule, plus the site's keys).
_SECRET_WORDS = ("secret", "token", "password", "passwd", "key", "credential", "private")
_URL_KEYS = ("db_url", "redis_url")


class BackupError(Exception):
    """The backup or restore cannot be done; the (Indonesian) message says why. Nothing changed."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    counts: dict[str, int]
    files: dict[str, str]  # path under private/ -> sha256
    bucket_files: dict[str, str] = field(default_factory=dict)  # object name in the bucket -> sha256


# ---- helpers ------------------------------------------------------------------------------------


def private_dir() -> Path:
    """The site's private files (attachments, generated reports)."""
    return Path(settings.SITE_DIR) / "private"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root`` (empty when it does not exist)."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def bucket_storage() -> Storage | None:
    """The site's file storage when it is not the local disk (an S3-compatible bucket), else None."""
    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def _storage_names(storage: Storage, folder: str = "") -> list[str]:
    """Every object name in ``storage`` under ``folder`` (folders walked with ``listdir``)."""
    dirs, files = storage.listdir(folder)
    prefix = f"{folder}/" if folder else ""
    names = [prefix + f for f in files]
    for sub in dirs:
        names += _storage_names(storage, prefix + sub)
    return sorted(names)


def _bucket_download(storage: Storage, folder: Path) -> dict[str, str]:
    """Copy every object of ``storage`` into ``folder``; ``{name: sha256}``."""
    for name in _storage_names(storage):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
    return file_hashes(folder)


def _bucket_upload(storage: Storage, folder: Path, files: dict[str, str]) -> int:
    """Put the archive's objects back under their own names; an object already there with the same
    content is left alone, one with other content replaced. Objects not in the archive stay.
    Returns how many were written."""
    written = 0
    for name, digest in sorted(files.items()):
        if storage.exists(name):
            with storage.open(name, "rb") as current:
                if hashlib.sha256(current.read()).hexdigest() == digest:
                    continue
            storage.delete(name)  # a versioned bucket keeps the replaced version
        with (folder / name).open("rb") as fh:
            saved = storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(_("Berkas %(name)s tersimpan sebagai %(saved)s di penyimpanan.") % {
                "name": name, "saved": saved})
        written += 1
    return written


def table_counts() -> dict[str, int]:
    """Rows per model (``app_label.Model``) of every concrete, managed model."""
    return {m._meta.label: m._default_manager.using("default").count()
            for m in apps.get_models() if m._meta.managed and not m._meta.proxy}


def _strip_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    return urlunsplit(parts._replace(netloc=netloc + (f":{parts.port}" if parts.port else "")))


def config_without_secrets(value: Any) -> Any:
    """The site config with every secret-looking key dropped and passwords cut out of URLs."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if key in _URL_KEYS and isinstance(item, str):
                kept[key] = _strip_url_password(item)
            elif not any(word in str(key).lower() for word in _SECRET_WORDS):
                kept[key] = config_without_secrets(item)
        return kept
    if isinstance(value, list):
        return [config_without_secrets(v) for v in value]
    return value


def _audit(*, verb: str, by: Any, summary: str, data: dict[str, Any]) -> None:
    from .services.audit import event_record

    event_record(complaint=None, by=by, verb=verb, summary=summary, data=data)


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("Basis data %(vendor)s belum didukung oleh cadangan.") % {"vendor": vendor})
    return vendor


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(_("Perintah %(cmd)s tidak ditemukan: pasang klien PostgreSQL.") % {
            "cmd": command[0]}) from None
    if done.returncode != 0:
        raise BackupError(_("%(cmd)s gagal: %(err)s") % {"cmd": command[0], "err": done.stderr.strip()[-2000:]})


# ---- backup -------------------------------------------------------------------------------------


def _dump_database(engine: str, folder: Path) -> str:
    if engine == "sqlite":
        name = "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(folder / name)
        try:
            connection.connection.backup(target)  # the online backup API: consistent while in use
        finally:
            target.close()
        return name
    name = "database.pgdump"
    env, args = _pg_env_args()
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={folder / name}", *args], env)
    return name


def backup_create(*, target: Path, by: Any = None) -> BackupSummary:
    """Write the site's database, private files and secret-free config into the archive ``target``.

    The archive is written under a temporary name and renamed at the end, so a failed backup
    never leaves a half archive under the asked name.
    """
    target = Path(target)
    if target.exists():
        raise BackupError(_("Berkas %(path)s sudah ada: pilih nama lain.") % {"path": target})
    if not target.parent.is_dir():
        raise BackupError(_("Folder %(path)s tidak ada.") % {"path": target.parent})
    engine = _engine()
    _audit(verb="backup_created", by=by, summary=_("Cadangan dibuat: %(path)s") % {"path": target.name},
           data={"path": str(target)})
    with tempfile.TemporaryDirectory(prefix="aduan-backup-", dir=target.parent) as tmp:
        work = Path(tmp)
        database = _dump_database(engine, work)
        counts = table_counts()
        files = file_hashes(private_dir())
        storage = bucket_storage()
        bucket_files = _bucket_download(storage, work / "bucket") if storage is not None else {}
        manifest = {"format": FORMAT, "site": settings.SITE_NAME, "created_at": timezone.now().isoformat(),
                    "engine": engine, "database": database, "counts": counts, "files": files,
                    "bucket_files": bucket_files}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        config = config_without_secrets(dict(settings.SITE_CONFIG))
        (work / "site_config.json").write_text(json.dumps(config, indent=2, sort_keys=True), encoding="utf-8")
        partial = work / "archive.partial"
        with tarfile.open(partial, "w:gz") as tar:
            for name in (MANIFEST, "site_config.json", database):
                tar.add(work / name, arcname=name)
            if private_dir().is_dir():
                for rel in files:
                    tar.add(private_dir() / rel, arcname=f"private/{rel}")
            for name in bucket_files:
                tar.add(work / "bucket" / name, arcname=f"bucket/{name}")
        os.chmod(partial, 0o600)  # it holds residents' identities
        partial.rename(target)
    return BackupSummary(path=target, counts=counts, files=files, bucket_files=bucket_files)


# ---- restore ------------------------------------------------------------------------------------


def _read_archive(archive: Path, work: Path) -> dict[str, Any]:
    """Unpack ``archive`` into ``work`` and check it completely; raise :class:`BackupError` if unusable."""
    if not archive.is_file():
        raise BackupError(_("Arsip %(path)s tidak ditemukan.") % {"path": archive})
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")  # refuses absolute paths, links out, devices
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(_("Arsip %(path)s tidak dapat dibaca: %(err)s") % {"path": archive, "err": exc}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("Arsip %(path)s bukan cadangan aduan_publik yang dikenal.") % {"path": archive})
    if manifest.get("engine") != _engine():
        raise BackupError(_("Arsip berisi basis data %(archive)s, sedangkan situs ini memakai %(site)s.") % {
            "archive": manifest.get("engine"), "site": _engine()})
    if not (work / str(manifest.get("database"))).is_file():
        raise BackupError(_("Arsip tidak berisi basis data."))
    if (file_hashes(work / "private") != manifest.get("files")
            or file_hashes(work / "bucket") != manifest.get("bucket_files", {})):
        raise BackupError(_("Berkas dalam arsip tidak cocok dengan daftar isinya (rusak atau diubah)."))
    return manifest


def _load_database(engine: str, dump: Path) -> None:
    connections.close_all()
    if engine == "sqlite":
        source = sqlite3.connect(dump)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)  # replaces every page of the live database
        finally:
            source.close()
        connections.close_all()
        return
    env, args = _pg_env_args()
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          "--exit-on-error", *args, str(dump)], env)


def _swap_private(unpacked: Path, stamp: str) -> Path | None:
    """Put the archive's private files in place; the current ones are kept aside, never deleted."""
    live = private_dir()
    kept = None
    if live.exists():
        kept = live.with_name(f"private.before-restore-{stamp}")
        n = 1
        while kept.exists():  # two restores within one second: never move onto an earlier copy
            n += 1
            kept = live.with_name(f"private.before-restore-{stamp}-{n}")
        live.rename(kept)
    if unpacked.is_dir():
        shutil.move(str(unpacked), str(live))
    else:
        live.mkdir(parents=True)
    return kept


def backup_restore(*, archive: Path, by: Any = None) -> dict[str, Any]:
    """Replace the site's database and private files with those in ``archive``.

    The archive is checked completely first (format, engine, every file's hash): a bad archive
    changes nothing. The current private files are moved to ``private.before-restore-<time>``
    and the archive's config copy is written to ``site_config.from-backup.json``; the live
    ``site_config.json`` (with its secrets) stays as it is. Returns the manifest.
    """
    archive = Path(archive)
    site_dir = Path(settings.SITE_DIR)
    site_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aduan-restore-", dir=site_dir) as tmp:
        work = Path(tmp)
        manifest = _read_archive(archive, work)
        engine = str(manifest["engine"])
        _load_database(engine, work / str(manifest["database"]))
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        _swap_private(work / "private", stamp)
        # Bucket objects go back through the site's storage (a bucket, or the local disk of a site
        # moved off its bucket), under the names the database refers to.
        manifest["bucket_restored"] = _bucket_upload(storages["default"], work / "bucket",
                                                     dict(manifest.get("bucket_files", {})))
        shutil.copyfile(work / "site_config.json", site_dir / CONFIG_COPY)
    _audit(verb="backup_restored", by=by, summary=_("Cadangan dipulihkan: %(path)s (dibuat %(at)s)") % {
        "path": archive.name, "at": manifest.get("created_at")}, data={"path": str(archive)})
    return manifest
