"""Attachments: list and upload on a complaint, download through the access checks."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ... import access
from ...views.files import serve_attachment
from .. import selectors
from ..intake import attachment_upload
from ..serializers import AttachmentSerializer, UploadSerializer
from .base import ApiView


class ComplaintAttachmentsView(ApiView):
    scope_resource = "attachments"
    serializer_class = AttachmentSerializer
    pagination_class = None
    accepts_files = True

    def get_parsers(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(operation_id="complaint_attachments_list", responses=AttachmentSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        complaint = access.api_get_complaint(self.token.user, pk, opd_id=self.token.opd_id)
        return Response(AttachmentSerializer(selectors.attachments_of(self.token, complaint), many=True).data)

    @extend_schema(operation_id="complaint_attachments_create", request={"multipart/form-data": UploadSerializer},
                   responses={201: AttachmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        complaint = access.api_get_complaint(self.token.user, pk, opd_id=self.token.opd_id)
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        attachment = attachment_upload(complaint=complaint, by=self.token.user, upload=form.validated_data["file"])
        return Response(AttachmentSerializer(attachment).data, status=201)


# What serve_attachment answers: the sniffed type when a browser may show it, else bytes.
DOWNLOAD_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "audio/*", "video/*",
                  "application/octet-stream")


class AttachmentDownloadView(ApiView):
    scope_resource = "attachments"

    @extend_schema(operation_id="attachments_download",
                   responses={(200, kind): OpenApiTypes.BINARY for kind in DOWNLOAD_TYPES})
    def get(self, request: Request, pk: int) -> FileResponse:
        item = (access.api_attachments_visible_to(self.token.user, opd_id=self.token.opd_id)
                .filter(pk=pk).first())
        if item is None:
            raise Http404(_("Lampiran tidak ditemukan."))
        return serve_attachment(item, private=True)
