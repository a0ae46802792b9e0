"""Every workflow action as its own POST endpoint, calling the same service as the desk.

The complaint (or disposition, follow-up) is fetched through the token's access rules (404 when
hidden); the service checks the role (403) and the state (409 with the workflow's reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf
from rest_framework.request import Request
from rest_framework.response import Response

from ... import access
from ...models import Complaint, Disposition, FollowUp
from ...services import complaints as svc
from ...services import dispositions as disp
from ...services import drafts, lifecycle, outbound
from .. import serializers as s
from .base import ApiView
from .complaints import complaint_detail_data

Run = Callable[[Any, Any, dict[str, Any]], str]


@dataclass(frozen=True)
class Action:
    slug: str
    on: str  # "complaint", "disposition" or "followup"
    form: type[drf.Serializer]  # type: ignore[type-arg]
    run: Run
    summary: str


def _into(user: Any, number: str) -> Complaint:
    try:
        return access.complaints_visible_to(user).get(tracking_number=number.strip().upper())
    except Complaint.DoesNotExist:
        raise Http404(_("Aduan tidak ditemukan.")) from None


def _review(user: Any, f: FollowUp, d: dict[str, Any]) -> str:
    if d["decision"] == "return":
        drafts.followup_return(followup=f, by=user, comment=d["comment"])
        return _("Draf dikembalikan ke penyusun dengan catatan Anda.")
    if d["decision"] == "revise":
        drafts.followup_revise(followup=f, by=user, body=d["body"])
        return _("Suntingan draf disimpan; draf belum dikirim.")
    drafts.followup_approve(followup=f, by=user, body=d["body"] or None)
    return _("Tindak lanjut disetujui dan dikirim ke pelapor.")


def _verify(u: Any, c: Complaint, d: dict[str, Any]) -> str:
    svc.complaint_verify(complaint=c, by=u, opds=d["opds"], instruction=d["instruction"], category=d["category"],
                         priority=d["priority"], is_anonymous=d["is_anonymous"], is_secret=d["is_secret"],
                         field_check=d["field_check"])
    return _("Aduan diverifikasi dan didisposisikan.")


def _reply(u: Any, c: Complaint, d: dict[str, Any]) -> str:
    outbound.complaint_reply(complaint=c, by=u, body=d["body"], internal=d["internal"])
    return _("Catatan internal disimpan.") if d["internal"] else _("Balasan diantre untuk dikirim.")


def _merge(u: Any, c: Complaint, d: dict[str, Any]) -> str:
    svc.complaint_merge(complaint=c, into=_into(u, d["into"]), by=u, note=d["note"])
    return _("Aduan digabung ke %(n)s.") % {"n": d["into"].upper()}


def _followup(u: Any, x: Disposition, d: dict[str, Any]) -> str:
    disp.followup_draft(disposition=x, by=u, body=d["body"], publish=d["publish"])
    return _("Tindak lanjut dikirim ke pelapor.") if d["publish"] else _("Draf tindak lanjut disimpan.")


def _done(message: str, call: Callable[..., Any]) -> Run:
    def run(u: Any, obj: Any, d: dict[str, Any]) -> str:
        call(u, obj, d)
        return message
    return run


A = Action
ACTIONS = [
    A("verify", "complaint", s.VerifySerializer, _verify, "Verify and dispose to OPDs (admin)"),
    A("reroute", "complaint", s.RerouteSerializer, _done("ok", lambda u, c, d: svc.complaint_reroute(
        complaint=c, by=u, opds=d["opds"], instruction=d["instruction"])), "Re-route a returned part (admin)"),
    A("settle-return", "complaint", s.NoteSerializer, _done("ok", lambda u, c, d: svc.complaint_return_settle(
        complaint=c, by=u, note=d["note"])), "Close a returned part without re-routing (admin)"),
    A("postpone", "complaint", s.PostponeSerializer, _done("ok", lambda u, c, d: svc.complaint_postpone(
        complaint=c, by=u, request_text=d["request_text"])), "Postpone: ask the reporter for details (admin)"),
    A("resume", "complaint", drf.Serializer,
      _done("ok", lambda u, c, d: svc.complaint_resume(complaint=c, by=u)), "End a postponement (admin)"),
    A("archive", "complaint", s.ArchiveSerializer, _done("ok", lambda u, c, d: svc.complaint_archive(
        complaint=c, by=u, reason=d["reason"], note=d["note"])), "Archive (admin)"),
    A("merge", "complaint", s.MergeSerializer, _merge, "Merge into the original complaint (admin)"),
    A("not-authority", "complaint", s.NotAuthoritySerializer, _done("ok", lambda u, c, d:
      svc.complaint_mark_not_authority(complaint=c, by=u, forwarded_to=d["forwarded_to"], note=d["note"])),
      "Not our authority: forwarded elsewhere (admin)"),
    A("reopen", "complaint", s.ReasonSerializer, _done("ok", lambda u, c, d: lifecycle.complaint_reopen(
        complaint=c, by=u, reason=d["reason"])), "Reopen (admin)"),
    A("reply", "complaint", s.ReplySerializer, _reply, "Reply to the reporter or add an internal note (admin)"),
    A("accept", "disposition", drf.Serializer, _done("ok", lambda u, x, d: disp.disposition_accept(
        disposition=x, by=u)), "Accept a disposition (OPD)"),
    A("return", "disposition", s.ReasonSerializer, _done("ok", lambda u, x, d: disp.disposition_return(
        disposition=x, by=u, reason=d["reason"])), "Return a disposition: not this OPD's authority (OPD)"),
    A("followups", "disposition", s.FollowUpInputSerializer, _followup,
      "Draft a follow-up, or publish it at once (liaison) (OPD)"),
    A("review", "followup", s.ReviewSerializer, _review, "Approve, revise or return a draft follow-up (liaison)"),
]


def _target(view: ApiView, on: str, pk: int) -> tuple[Any, int]:
    """The object the action is on, through the token's access rules, and its complaint's id."""
    user, opd = view.token.user, view.token.opd_id
    if on == "complaint":
        complaint = access.api_get_complaint(user, pk, opd_id=opd)
        return complaint, complaint.pk
    model_qs = (access.api_dispositions_visible_to(user, opd_id=opd) if on == "disposition"
                else access.api_followups_visible_to(user, opd_id=opd))
    obj = model_qs.filter(pk=pk).select_related("complaint").first()
    if obj is None:
        raise Http404(_("Disposisi tidak ditemukan.") if on == "disposition" else _("Tindak lanjut tidak ditemukan."))
    return obj, obj.complaint_id


def action_view(action: Action) -> type[ApiView]:
    class View(ApiView):
        serializer_class = action.form

        @extend_schema(operation_id=f"{action.on}_{action.slug.replace('-', '_')}", summary=action.summary,
                       request=action.form, responses={200: s.ActionResultSerializer}, tags=["workflow"])
        def post(self, request: Request, pk: int) -> Response:
            obj, complaint_id = _target(self, action.on, pk)
            form = action.form(data=request.data)
            form.is_valid(raise_exception=True)
            message = action.run(self.token.user, obj, dict(form.validated_data))
            if message == "ok":
                message = _("Tindakan %(a)s selesai.") % {"a": action.slug}
            try:
                shown: dict[str, Any] | None = complaint_detail_data(self, complaint_id)
            except Http404:  # the action took it out of this token's sight (e.g. another OPD now)
                shown = None
            return Response({"detail": message, "complaint": shown})

    View.__name__ = View.__qualname__ = f"{action.on.title()}{action.slug.title().replace('-', '')}View"
    return View
