"""Evidence to the resident: an outbound message's attachments as WhatsApp media messages.

Each stored attachment is uploaded (``POST /{phone-number-id}/media``) and sent by media id as
its own message after the text. The WhatsApp message type follows the file's content type;
each type has its own size limit on Meta's side, checked here *before* anything is sent so a
follow-up never reaches the resident half-way because of a file Meta would refuse.
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ..base import OutboundMessage, PermanentChannelError
from .outbound import recipient

MB = 1024 * 1024
KIND_BY_TYPE = {"image/jpeg": "image", "image/png": "image", "application/pdf": "document", "video/mp4": "video"}
LIMITS = {"image": 5 * MB, "document": 100 * MB, "audio": 16 * MB, "video": 16 * MB}
MAX_CAPTION = 1024
# Meta shows no caption on audio messages (the field is refused).
CAPTIONED = frozenset({"image", "document", "video"})


@dataclass(frozen=True)
class OutboundFile:
    """One attachment of an outbound message, as WhatsApp will receive it."""

    path: str  # storage path: also the key of its progress record
    filename: str
    content_type: str
    size: int

    @property
    def kind(self) -> str:
        return media_kind(self.content_type)

    @property
    def part(self) -> str:
        return f"file:{self.path}"


def media_kind(content_type: str) -> str:
    """image/jpeg|png → image, application/pdf → document, audio/* → audio, video/mp4 → video."""
    mime = content_type.split(";")[0].strip().lower()
    if mime in KIND_BY_TYPE:
        return KIND_BY_TYPE[mime]
    return "audio" if mime.startswith("audio/") else "document"


def outbound_files(paths: Sequence[str]) -> list[OutboundFile]:
    """Describe each stored file (original name, type, size) and check WhatsApp's limit for it.

    Raises PermanentChannelError naming the first file Meta would refuse for its size.
    """
    from ...models import Attachment

    rows = {a.file.name: a for a in Attachment.objects.filter(file__in=list(paths))}
    files = [_describe(path, rows.get(path)) for path in paths]
    for item in files:
        limit = LIMITS[item.kind]
        if item.size > limit:
            raise PermanentChannelError(
                _("Lampiran %(name)s terlalu besar untuk WhatsApp (%(size).1f MB; batas %(kind)s %(limit)d MB).")
                % {"name": item.filename, "size": item.size / MB, "kind": item.kind, "limit": limit // MB},
                code="media_too_large",
            )
    return files


def _describe(path: str, row: Any) -> OutboundFile:
    if row is not None:
        return OutboundFile(path=path, filename=row.original_name, content_type=row.content_type, size=row.size)
    storage = _storage()
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return OutboundFile(path=path, filename=posixpath.basename(path), content_type=mime, size=storage.size(path))


def read(item: OutboundFile) -> bytes:
    """The stored bytes (the caller names the file in any error)."""
    try:
        with _storage().open(item.path, "rb") as handle:
            return handle.read()
    except OSError as exc:  # the stored file is gone: no retry will bring it back
        raise PermanentChannelError(_("berkas tersimpan tidak dapat dibaca: %(e)s") % {"e": exc}) from exc


def _storage() -> Any:
    from ...models import Attachment

    return Attachment._meta.get_field("file").storage


def caption(message: OutboundMessage, item: OutboundFile, index: int, total: int) -> str:
    text = _("Lampiran %(i)d/%(n)d aduan %(number)s: %(name)s") % {
        "i": index, "n": total, "number": message.tracking_number or "-", "name": item.filename,
    }
    return text[:MAX_CAPTION]


def media_payload(message: OutboundMessage, item: OutboundFile, media_id: str, text: str) -> dict[str, Any]:
    """``{"type": "image", "image": {"id": …, "caption": …}}`` and its siblings."""
    body: dict[str, Any] = {"id": media_id}
    if item.kind in CAPTIONED:
        body["caption"] = text
    if item.kind == "document":
        body["filename"] = item.filename
    return {**recipient(message), "recipient_type": "individual", "type": item.kind, item.kind: body}
