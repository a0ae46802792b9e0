"""Attachments are served only through this view, after the access check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from .. import access


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = access.get_attachment(request.user, pk)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=False, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
