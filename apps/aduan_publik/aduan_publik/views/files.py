"""Attachments are served only through this view, after the access check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from .. import access
from ..portal.views.files import serve_attachment


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return serve_attachment(access.get_attachment(request.user, pk), private=True)
