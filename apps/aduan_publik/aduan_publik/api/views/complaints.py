"""Complaints: the filtered list (cursor pages), the detail, and create with ``Idempotency-Key``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ... import access
from ...models import OPD, Area, Category, Complaint
from .. import selectors
from ..intake import complaint_create_idempotent
from ..serializers import (
    ComplaintCreatedSerializer,
    ComplaintCreateSerializer,
    ComplaintDetailSerializer,
    ComplaintSerializer,
)
from .base import ApiView

API_CHANNEL = "api"


class ComplaintCursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-received_at", "-id")
    ordering_fields = ("received_at", "updated_at")

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        wanted = request.query_params.get("ordering", "")
        if wanted.lstrip("-") in self.ordering_fields:
            return (wanted, "-id" if wanted.startswith("-") else "id")
        return self.ordering


class ListFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The list's query parameters; an invalid value is a 400 naming the parameter."""

    status = serializers.MultipleChoiceField(choices=Complaint.Status.choices, required=False)
    opd = serializers.PrimaryKeyRelatedField(queryset=OPD.objects.all(), required=False)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, many=True)
    kecamatan = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(level="kecamatan"), required=False)
    kelurahan = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(level="kelurahan"), required=False)
    channel = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    received_after = serializers.DateTimeField(required=False)
    received_before = serializers.DateTimeField(required=False)
    updated_after = serializers.DateTimeField(required=False)
    updated_before = serializers.DateTimeField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    ordering = serializers.ChoiceField(choices=["received_at", "-received_at", "updated_at", "-updated_at"],
                                       required=False)
    q = serializers.CharField(max_length=200, required=False, allow_blank=True)


def parse_filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    data: dict[str, Any] = {k: params.get(k) for k in params if k not in ("status", "category", "channel")}
    for name in ("status", "category", "channel"):
        values = [v for raw in params.getlist(name) for v in raw.split(",") if v]
        if values:
            data[name] = values
    if "overdue" not in data:
        data["overdue"] = None
    form = ListFilterSerializer(data=data)
    form.is_valid(raise_exception=True)
    found = dict(form.validated_data)
    for name in ("opd", "kecamatan", "kelurahan"):
        if found.get(name) is not None:
            found[name] = found[name].pk
    if found.get("category"):
        found["category"] = [c.pk for c in found["category"]]
    if found.get("status"):
        found["status"] = sorted(found["status"])
    return found


LIST_PARAMS = [
    OpenApiParameter("status", str, description=str(_("Status, dipisah koma (mis. received,disposed).")),
                     enum=Complaint.Status.values),
    OpenApiParameter("opd", int, description=str(_("ID OPD tujuan disposisi."))),
    OpenApiParameter("category", int, description=str(_("ID kategori, dipisah koma."))),
    OpenApiParameter("kecamatan", int), OpenApiParameter("kelurahan", int),
    OpenApiParameter("channel", str, description=str(_("Kanal, dipisah koma (web, whatsapp, lapor, api…)."))),
    *[OpenApiParameter(f"{name}_{side}", OpenApiTypes.DATETIME)
      for name in ("received", "updated") for side in ("after", "before")],
    OpenApiParameter("overdue", bool, description=str(_("Hanya yang melewati batas waktu (true) atau tidak (false)."))),
    OpenApiParameter("ordering", str, enum=["received_at", "-received_at", "updated_at", "-updated_at"]),
    OpenApiParameter("q", str, description=str(_("Cari kata (judul, uraian, lokasi), nomor aduan, atau pelapor "
                                                 "(nama, email, telepon; hanya dengan cakupan reporters:read)."))),
]


def detail_context(view: ApiView, complaint: Complaint) -> dict[str, Any]:
    token = view.token
    return {**view.get_serializer_context(),
            "dispositions": selectors.dispositions_of(token, complaint),
            "followups": selectors.followups_of(token, complaint),
            "timeline": selectors.public_timeline(complaint),
            "attachments": selectors.attachments_of(token, complaint)}


def complaint_detail_data(view: ApiView, pk: int) -> dict[str, Any]:
    complaint = access.api_get_complaint(view.token.user, pk, opd_id=view.token.opd_id)
    return dict(ComplaintDetailSerializer(complaint, context=detail_context(view, complaint)).data)


class ComplaintListView(ApiView):
    pagination_class = ComplaintCursor
    serializer_class = ComplaintSerializer
    required_scopes = {"POST": "complaints:write"}

    @extend_schema(operation_id="complaints_list", parameters=LIST_PARAMS, responses=ComplaintSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.complaint_list(self.token, parse_filters(request))
        page = self.paginate_queryset(qs)
        rows = ComplaintSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(rows)

    @extend_schema(
        operation_id="complaints_create", request=ComplaintCreateSerializer,
        responses={201: ComplaintCreatedSerializer, 200: ComplaintCreatedSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description=str(_("Kunci unik permintaan: percobaan ulang mendapat "
                                                       "jawaban yang sama.")))],
    )
    def post(self, request: Request) -> Response:
        form = ComplaintCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        reporter = data.pop("reporter", None)
        key = request.headers.get("Idempotency-Key", "").strip()[:255]
        fingerprint = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()

        def render(complaint: Complaint, code: str) -> dict[str, Any]:
            # The filer's own answer, even for a complaint marked rahasia it may not list later.
            complaint = Complaint.objects.select_related("category", "kecamatan", "kelurahan", "contact").get(
                pk=complaint.pk)
            body = ComplaintDetailSerializer(complaint, context=detail_context(self, complaint)).data
            # Stored as the JSON the client got: the same encoder as every answer (decimals as numbers).
            return json.loads(JSONRenderer().render({**body, "access_code": code}))

        outcome = complaint_create_idempotent(token=self.token, key=key, fingerprint=fingerprint,
                                              channel=API_CHANNEL, fields=data, reporter=reporter, render=render)
        response = Response(outcome.body, status=outcome.status)
        if outcome.replayed:
            response["Idempotent-Replayed"] = "true"
        response["Location"] = f"/api/v1/complaints/{outcome.complaint_id}"
        return response


class ComplaintDetailView(ApiView):
    serializer_class = ComplaintDetailSerializer

    @extend_schema(operation_id="complaints_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(complaint_detail_data(self, pk))
