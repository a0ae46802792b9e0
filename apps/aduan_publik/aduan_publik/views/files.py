"""Attachments are served only through these functions, after an access check by the caller.

The staff view below checks ``access.get_attachment``; the portal's views check the public review
flag or the reporter's own grant, then call :func:`serve_attachment` too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from .. import access
from ..models import Attachment

# Types a browser may show in the page. Anything else (text/html, SVG, a type a site allowed later,
# a row written by an older import) is downloaded as bytes, never rendered as a document.
INLINE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")


def serve_attachment(item: Attachment, *, private: bool) -> FileResponse:
    return serve_file(item.file, name=item.original_name, content_type=item.content_type, private=private)


def serve_file(file: Any, *, name: str, content_type: str, private: bool) -> FileResponse:
    """Stream a stored file (an attachment, a broadcast's header file) after the caller's access check."""
    inline = content_type in INLINE_TYPES or content_type.startswith(("audio/", "video/"))
    response = FileResponse(file.open("rb"), as_attachment=not inline, filename=name,
                            content_type=content_type if inline else "application/octet-stream")
    # The type was sniffed at upload; nosniff and a closed CSP keep a crafted file inert.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=3600"
    return response


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return serve_attachment(access.get_attachment(request.user, pk), private=True)
