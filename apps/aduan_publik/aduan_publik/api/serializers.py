"""Shapes of the API: what a complaint looks like to a token, and what each write accepts.

Output serializers read access-checked rows (reporter identity through
:func:`access.api_reporter_display`); input serializers only validate, the services decide.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import access
from ..models import OPD, Area, Attachment, Category, Complaint, Disposition, FollowUp
from ..services.deadlines import OVERDUE_STATUSES
from ..services.dispositions import MIN_FOLLOWUP_CHARS

D = Disposition.State


class RefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OPDSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = OPD
        fields = ["id", "code", "name", "kind", "parent", "active"]


class CategorySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "default_opd", "active"]


class AreaSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "parent"]


class ReporterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()


class DispositionBriefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    opd = RefSerializer()
    state = serializers.CharField()


class DispositionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    opd = RefSerializer()

    class Meta:
        model = Disposition
        fields = ["id", "opd", "state", "instruction", "created_at", "accepted_at", "answered_at", "returned_at",
                  "return_reason", "respond_due", "complete_due"]


class FollowUpSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    opd = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = ["id", "disposition", "opd", "state", "body", "created_at", "published_at", "attachments"]

    @extend_schema_field(RefSerializer)
    def get_opd(self, obj: FollowUp) -> dict[str, Any]:
        opd = obj.disposition.opd
        return {"id": opd.pk, "code": opd.code, "name": opd.name}

    def get_attachments(self, obj: FollowUp) -> list[int]:
        return [a.pk for a in getattr(obj, "api_files", [])]


class TimelineStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["status", "followup"])
    label = serializers.CharField()
    body = serializers.CharField(allow_blank=True)


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "code": obj.code, "name": obj.name}


class ComplaintSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A complaint as a list row. ``reporter`` is masked unless the token may see who reported it."""

    status_label = serializers.CharField(source="get_status_display")
    category = serializers.SerializerMethodField()
    kecamatan = serializers.SerializerMethodField()
    kelurahan = serializers.SerializerMethodField()
    opds = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "tracking_number", "kind", "title", "description", "status", "status_label", "priority",
                  "channel", "category", "kecamatan", "kelurahan", "location_text", "latitude", "longitude",
                  "is_anonymous", "is_secret", "received_at", "verified_at", "first_response_at", "answered_at",
                  "closed_at", "updated_at", "due_at", "overdue", "rating", "opds", "reporter"]

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_category(self, obj: Complaint) -> dict[str, Any] | None:
        return _ref(obj.category)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_kecamatan(self, obj: Complaint) -> dict[str, Any] | None:
        return _ref(obj.kecamatan)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_kelurahan(self, obj: Complaint) -> dict[str, Any] | None:
        return _ref(obj.kelurahan)

    def _dispositions(self, obj: Complaint) -> list[Disposition]:
        rows = getattr(obj, "api_dispositions", None)
        if rows is None:
            rows = list(obj.dispositions.exclude(state=D.CANCELLED).select_related("opd"))
        token = self.context["token"]
        return [d for d in rows if token.opd_id is None or d.opd_id == token.opd_id]

    @extend_schema_field(DispositionBriefSerializer(many=True))
    def get_opds(self, obj: Complaint) -> list[dict[str, Any]]:
        return [{"id": d.pk, "opd": _ref(d.opd), "state": d.state} for d in self._dispositions(obj)]

    def get_overdue(self, obj: Complaint) -> bool:
        now = self.context.setdefault("now", timezone.now())
        if not obj.is_open:
            return False
        if obj.status in OVERDUE_STATUSES and obj.due_at is not None and obj.due_at < now:
            return True
        return any((d.state == D.PENDING and d.respond_due and d.respond_due < now)
                   or (d.state in (D.PENDING, D.ACCEPTED) and d.complete_due and d.complete_due < now)
                   for d in self._dispositions(obj))

    @extend_schema_field(ReporterSerializer)
    def get_reporter(self, obj: Complaint) -> dict[str, str]:
        token = self.context["token"]
        return access.api_reporter_display(token.user, obj, identity_scope=token.has_scope("reporters:read"))


class ComplaintDetailSerializer(ComplaintSerializer):
    dispositions = serializers.SerializerMethodField()
    followups = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "status_note", "forwarded_to", "dispositions", "followups",
                  "timeline", "attachments"]

    @extend_schema_field(DispositionSerializer(many=True))
    def get_dispositions(self, obj: Complaint) -> Any:
        return DispositionSerializer(self.context["dispositions"], many=True).data

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_followups(self, obj: Complaint) -> Any:
        return FollowUpSerializer(self.context["followups"], many=True).data

    @extend_schema_field(TimelineStepSerializer(many=True))
    def get_timeline(self, obj: Complaint) -> Any:
        return TimelineStepSerializer(self.context["timeline"], many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_attachments(self, obj: Complaint) -> Any:
        return AttachmentSerializer(self.context["attachments"], many=True, context=self.context).data


class ComplaintCreatedSerializer(ComplaintDetailSerializer):
    access_code = serializers.CharField(read_only=True, help_text=_("Kode akses pelapor: hanya ditampilkan sekali."))

    class Meta(ComplaintDetailSerializer.Meta):
        fields = [*ComplaintDetailSerializer.Meta.fields, "access_code"]


class AttachmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "complaint", "followup", "original_name", "content_type", "size", "sha256",
                  "public_reviewed", "created_at", "download_url"]

    def get_download_url(self, obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}/download"


# ---- input ---------------------------------------------------------------------------------

class ReporterInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ComplaintCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000)
    kind = serializers.ChoiceField(choices=Complaint.Kind.choices, default=Complaint.Kind.PENGADUAN)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(active=True), required=False,
                                                  allow_null=True, default=None)
    kecamatan = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(level="kecamatan"),
                                                   required=False, allow_null=True, default=None)
    kelurahan = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(level="kelurahan"),
                                                   required=False, allow_null=True, default=None)
    location_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                        required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                         required=False, allow_null=True, default=None)
    is_anonymous = serializers.BooleanField(default=False)
    is_secret = serializers.BooleanField(default=False)
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reporter = ReporterInputSerializer(required=False, allow_null=True, default=None)

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Judul wajib diisi."))
        return value.strip()

    def validate_description(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Uraian wajib diisi."))
        return value.strip()


class VerifySerializer(serializers.Serializer):  # type: ignore[type-arg]
    opds = serializers.PrimaryKeyRelatedField(queryset=OPD.objects.all(), many=True, allow_empty=False)
    instruction = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True,
                                                  default=None)
    priority = serializers.ChoiceField(choices=Complaint.Priority.choices, required=False, allow_null=True,
                                       default=None)
    is_anonymous = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_secret = serializers.BooleanField(required=False, allow_null=True, default=None)
    field_check = serializers.BooleanField(required=False, allow_null=True, default=None)


class RerouteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    opds = serializers.PrimaryKeyRelatedField(queryset=OPD.objects.all(), many=True, allow_empty=False)
    instruction = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def text(min_length: int = 1, max_length: int = 4000) -> serializers.CharField:
    return serializers.CharField(min_length=min_length, max_length=max_length, trim_whitespace=True)


class ReasonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = text(10, 2000)


class NoteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = text(1, 2000)


class PostponeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    request_text = text(1, 2000)


class ArchiveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.ChoiceField(choices=[c for c in Complaint.ArchiveReason.choices if c[0] != "duplicate"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MergeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    into = serializers.CharField(max_length=20, help_text=_("Nomor aduan asli, mis. ADU-2026-000001."))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class NotAuthoritySerializer(serializers.Serializer):  # type: ignore[type-arg]
    forwarded_to = text(1, 200)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReplySerializer(serializers.Serializer):  # type: ignore[type-arg]
    body = text(1, 4096)
    internal = serializers.BooleanField(default=False)


class FollowUpInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    body = text(MIN_FOLLOWUP_CHARS, 10000)
    publish = serializers.BooleanField(default=False)


class ReviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = serializers.ChoiceField(choices=["approve", "revise", "return"])
    body = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class UploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField()


class ActionResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    detail = serializers.CharField()
    complaint = ComplaintDetailSerializer(allow_null=True)
