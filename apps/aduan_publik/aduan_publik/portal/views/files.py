"""Serving attachments to residents, with the same protective headers as the staff file view."""

from __future__ import annotations

from django.http import FileResponse

from ...models import Attachment


def serve_attachment(item: Attachment, *, private: bool) -> FileResponse:
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=False,
                            filename=item.original_name)
    # The type was sniffed at upload; nosniff and a closed CSP keep a crafted file inert.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=3600"
    return response
