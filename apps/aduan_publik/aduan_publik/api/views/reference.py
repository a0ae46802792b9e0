"""Reference data (OPDs, categories, areas) and the figures, with the dashboard's definitions."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ... import access, figures
from ...models import OPD, Area, Category
from ..serializers import AreaSerializer, CategorySerializer, OPDSerializer
from .base import ApiView


class ReferenceList(ApiView):
    scope_resource = "reference"
    pagination_class = None
    model: Any = None

    def get_queryset(self) -> Any:
        return self.model.objects.order_by("pk")

    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class OPDListView(ReferenceList):
    serializer_class, model = OPDSerializer, OPD

    @extend_schema(operation_id="opds_list", responses=OPDSerializer(many=True))
    def get(self, request: Request) -> Response:
        return super().get(request)


class CategoryListView(ReferenceList):
    serializer_class, model = CategorySerializer, Category

    @extend_schema(operation_id="categories_list", responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        return super().get(request)


class AreaListView(ReferenceList):
    serializer_class, model = AreaSerializer, Area

    @extend_schema(operation_id="areas_list", responses=AreaSerializer(many=True))
    def get(self, request: Request) -> Response:
        return super().get(request)


PERIOD = re.compile(r"^(all|30d|12m|\d{4}|\d{4}-(0[1-9]|1[0-2]))$")


def period_of(value: str) -> figures.Period:
    """``all``, ``30d``, ``12m``, a year ``2026`` or a month ``2026-03`` (the dashboard's periods)."""
    if not PERIOD.match(value):
        raise ValidationError({"period": [_("Periode tidak dikenal: gunakan all, 30d, 12m, YYYY atau YYYY-MM.")]})
    if value == "all":
        return figures.ALL_TIME
    if value in ("30d", "12m"):  # the last 30 / 365 site-local days, today included (as the dashboard)
        return figures.last_days(30 if value == "30d" else 365)
    if len(value) == 4:
        return figures.year_period(int(value))
    return figures.month_period(int(value[:4]), int(value[5:]))


def plain(value: Any) -> Any:
    """JSON of a figures row: decimals as numbers, durations in seconds."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, timedelta):
        return round(value.total_seconds(), 1)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class FiguresSerializer(serializers.Serializer):  # type: ignore[type-arg]
    period = serializers.CharField()
    opd = serializers.IntegerField(allow_null=True)
    headline = serializers.CharField()
    labels = serializers.DictField(child=serializers.CharField())
    totals = serializers.DictField()
    per_opd = serializers.ListField(child=serializers.DictField())
    per_channel = serializers.ListField(child=serializers.DictField())


class FiguresView(ApiView):
    scope_resource = "figures"
    serializer_class = FiguresSerializer

    @extend_schema(operation_id="figures_retrieve", parameters=[
        OpenApiParameter("period", str, description="all | 30d | 12m | YYYY | YYYY-MM (default: all); 30d and 12m are "
                         "the last 30 / 365 whole local days, today included"),
        OpenApiParameter("opd", OpenApiTypes.INT),
    ])
    def get(self, request: Request) -> Response:
        period_name = request.query_params.get("period", "all")
        period = period_of(period_name)
        wanted = request.query_params.get("opd", "")
        if wanted and not wanted.isdigit():
            raise ValidationError({"opd": [_("ID OPD harus berupa angka.")]})
        opd_id = access.api_figures_opd(self.token.user, token_opd_id=self.token.opd_id,
                                        wanted=int(wanted) if wanted else None)
        row = figures.totals(period, opd_id=opd_id)
        return Response({
            "period": period_name, "opd": opd_id, "headline": figures.headline(row),
            "labels": {k: str(v) for k, v in figures.LABELS.items()},
            "totals": plain(row), "per_opd": plain(figures.per_opd(period, opd_id=opd_id)),
            "per_channel": plain(figures.per_channel(period)) if opd_id is None else [],
        })
