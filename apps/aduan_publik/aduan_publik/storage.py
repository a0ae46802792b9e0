"""Where a site keeps its private files (attachments): local disk by default, S3 when configured.

``private_storage(config, location)`` turns the site config's ``storage`` key into the ``default``
entry of Django's ``STORAGES``. It runs while settings load, so it imports nothing from Django's
app registry. Files are never served from the bucket: ``views.files`` streams them after an access
check, so the bucket stays private (no ACL, no public URL, signed URLs only if someone asks the API).
"""

from __future__ import annotations

from typing import Any

S3_BACKEND = "storages.backends.s3.S3Storage"
# site_config.json key -> S3Storage option. Everything else is fixed below on purpose.
S3_KEYS = {
    "bucket": "bucket_name",
    "endpoint_url": "endpoint_url",
    "access_key": "access_key",
    "secret_key": "secret_key",
    "region": "region_name",
    "location": "location",
}
S3_REQUIRED = ("bucket",)


class StorageConfigError(ValueError):
    """The site's ``storage`` key cannot be used; the message names the key to fix."""


def private_storage(config: dict[str, Any] | None, location: str) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for a site's ``storage`` config (``None``: local disk).

    ``location`` is the local folder used by the ``"local"`` backend (the default).
    """
    config = dict(config or {})
    backend = config.pop("backend", "local")
    if backend == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": config.get("location") or location, "base_url": "/files/"},
        }
    if backend != "s3":
        raise StorageConfigError(f"storage.backend must be 'local' or 's3', not {backend!r}")
    unknown = sorted(set(config) - set(S3_KEYS))
    if unknown:
        raise StorageConfigError(f"storage: unknown key(s) {', '.join(unknown)}")
    missing = [key for key in S3_REQUIRED if not config.get(key)]
    if missing:
        raise StorageConfigError(f"storage.backend 's3' needs {', '.join(missing)}")
    options: dict[str, Any] = {S3_KEYS[key]: value for key, value in config.items() if value}
    # Private objects, never overwritten (names are random), never a public or signed URL in a page:
    # downloads go through the access-checked view, which reads the object itself.
    options.update(default_acl="private", file_overwrite=False, querystring_auth=True)
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
