"""Serving attachments to residents, with the same protective headers as the staff file view."""

from __future__ import annotations

from django.http import FileResponse

from ...models import Attachment

# Types a browser may show in the page. Anything else (text/html, SVG, a type a site allowed later,
# a row written by an older import) is downloaded as bytes, never rendered as a document.
INLINE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")


def serve_attachment(item: Attachment, *, private: bool) -> FileResponse:
    inline = item.content_type in INLINE_TYPES or item.content_type.startswith(("audio/", "video/"))
    response = FileResponse(item.file.open("rb"), as_attachment=not inline, filename=item.original_name,
                            content_type=item.content_type if inline else "application/octet-stream")
    # The type was sniffed at upload; nosniff and a closed CSP keep a crafted file inert.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=3600"
    return response
