"""The complaint page's action buttons: one entry per action, each a form and a service call.

A button shows only when :func:`aduan_publik.access.can` allows the role *and* the workflow
allows the current state; the service checks both again when the form is posted, so a stale
page can never change what it should not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access
from ..channels.registry import channel_capabilities
from ..models import Complaint, Disposition
from ..selectors.complaints import has_draft, has_failed_outbound, has_returned_part
from ..services import complaints as svc
from ..services import dispositions as disp
from ..services import drafts, lifecycle, outbound
from ..workflow import COMPLAINT_TRANSITIONS, DISPOSITION_TRANSITIONS
from . import forms

Runner = Callable[[Any, Complaint, Disposition | None, dict[str, Any]], str]
Check = Callable[[Any, Complaint, Disposition | None], bool]


@dataclass(frozen=True)
class DeskAction:
    slug: str
    label: Any
    rule: str  # the action name known to access.can and the workflow tables
    form: type[forms.DeskForm]
    run: Runner
    on_disposition: bool = False
    variant: str = "default"  # primary, danger or default: how the button looks
    also: Check | None = None  # more conditions (e.g. there is a draft to send)

    @property
    def inline(self) -> bool:
        """No input to collect: the button on the complaint page posts at once (no empty confirmation page)."""
        return self.form is forms.ConfirmForm

    def available(self, user: Any, complaint: Complaint, disposition: Disposition | None) -> bool:
        if self.on_disposition:
            if disposition is None or not access.can(user, self.rule, complaint, disposition):
                return False
            if disposition.state not in DISPOSITION_TRANSITIONS[self.rule] or not complaint.is_open:
                return False
        elif not access.can(user, self.rule, complaint) or complaint.status not in COMPLAINT_TRANSITIONS[self.rule]:
            return False
        return self.also is None or self.also(user, complaint, disposition)


def _verify(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    created = svc.complaint_verify(
        complaint=c, by=user, opds=data["opds"], instruction=data["instruction"], category=data["category"],
        priority=data["priority"], is_anonymous=data["is_anonymous"], is_secret=data["is_secret"],
        field_check=data["field_check"],
    )
    return _("Aduan diverifikasi dan didisposisikan ke %(o)s.") % {"o": ", ".join(x.opd.name for x in created)}


def _reroute(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    created = svc.complaint_reroute(complaint=c, by=user, opds=data["opds"], instruction=data["instruction"])
    return _("Bagian yang dikembalikan didisposisikan ulang ke %(o)s.") % {"o": ", ".join(x.opd.name for x in created)}


def _settle_return(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    svc.complaint_return_settle(complaint=c, by=user, note=data["reason"])
    return _("Bagian yang dikembalikan ditutup tanpa disposisi ulang.")


def _postpone(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    svc.complaint_postpone(complaint=c, by=user, request_text=data["request_text"])
    return _("Aduan ditunda; pelapor diminta melengkapi keterangan.")


def _resume(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    svc.complaint_resume(complaint=c, by=user)
    return _("Penundaan diakhiri; verifikasi dilanjutkan.")


def _archive(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    svc.complaint_archive(complaint=c, by=user, reason=data["reason"], note=data["note"])
    return _("Aduan diarsipkan.")


def _merge(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    svc.complaint_merge(complaint=c, into=data["tracking_number"], by=user, note=data["note"])
    return _("Aduan digabung ke %(n)s.") % {"n": data["tracking_number"].tracking_number}


def _not_authority(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    svc.complaint_mark_not_authority(complaint=c, by=user, forwarded_to=data["forwarded_to"], note=data["note"])
    return _("Aduan ditandai bukan wewenang dan diteruskan.")


def _reopen(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    lifecycle.complaint_reopen(complaint=c, by=user, reason=data["reason"])
    return _("Aduan dibuka kembali.")


def _reply(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    outbound.complaint_reply(complaint=c, by=user, body=data["body"], internal=data["internal"],
                             files=data.get("attachments") or ())
    return _("Catatan internal disimpan.") if data["internal"] else _("Balasan diantre untuk dikirim.")


def _note(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    outbound.complaint_reply(complaint=c, by=user, body=data["body"], internal=True)
    return _("Catatan internal disimpan.")


def _can_send(user: Any, c: Complaint, d: Disposition | None) -> bool:
    """The complaint's channel declares ``outbound``: a reply box (else only internal notes)."""
    return channel_capabilities(c.channel).outbound


def _resend(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    outbound.message_resend(message=data["message"], by=user)
    return _("Pesan diantre untuk dikirim ulang.")


def _accept(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    disp.disposition_accept(disposition=d, by=user)  # type: ignore[arg-type]
    return _("Disposisi diterima; aduan dalam proses.")


def _return(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    disp.disposition_return(disposition=d, by=user, reason=data["reason"])  # type: ignore[arg-type]
    return _("Disposisi dikembalikan ke admin.")


def _followup(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    publish = bool(data.get("publish"))
    disp.followup_draft(disposition=d, by=user, body=data["body"], files=data["evidence"],  # type: ignore[arg-type]
                        publish=publish)
    return _("Tindak lanjut dikirim ke pelapor.") if publish else _("Draf tindak lanjut disimpan.")


def _review(user: Any, c: Complaint, d: Disposition | None, data: dict[str, Any]) -> str:
    draft, decision = data["followup"], data["decision"]
    if decision == "kembalikan":
        drafts.followup_return(followup=draft, by=user, comment=data["comment"])
        return _("Draf dikembalikan ke penyusun dengan catatan Anda.")
    if decision == "simpan":
        drafts.followup_revise(followup=draft, by=user, body=data["body"])
        return _("Suntingan draf disimpan; draf belum dikirim.")
    drafts.followup_approve(followup=draft, by=user, body=data["body"])
    return _("Tindak lanjut disetujui dan dikirim ke pelapor.")


def _has_returned_part(user: Any, c: Complaint, d: Disposition | None) -> bool:
    return has_returned_part(complaint=c)


def _cannot_send(user: Any, c: Complaint, d: Disposition | None) -> bool:
    return not _can_send(user, c, d)


def _has_failed(user: Any, c: Complaint, d: Disposition | None) -> bool:
    return _can_send(user, c, d) and has_failed_outbound(complaint=c)


def _has_draft(user: Any, c: Complaint, d: Disposition | None) -> bool:
    return d is not None and has_draft(user=user, disposition=d)


L = gettext_lazy
ACTIONS: dict[str, DeskAction] = {a.slug: a for a in (
    DeskAction("verify", L("Verifikasi & disposisi"), "verify", forms.VerifyForm, _verify, variant="primary"),
    DeskAction("reroute", L("Disposisi ulang bagian yang dikembalikan"), "reroute", forms.RerouteForm, _reroute,
               variant="primary", also=_has_returned_part),
    DeskAction("settle-return", L("Tutup bagian yang dikembalikan"), "reroute", forms.ReasonForm, _settle_return,
               also=_has_returned_part),
    DeskAction("postpone", L("Tunda"), "postpone", forms.PostponeForm, _postpone),
    DeskAction("resume", L("Lanjutkan verifikasi"), "resume", forms.ConfirmForm, _resume),
    DeskAction("merge", L("Gabungkan ke aduan asli"), "merge", forms.MergeForm, _merge),
    DeskAction("not-authority", L("Bukan wewenang"), "not_authority", forms.NotAuthorityForm, _not_authority),
    DeskAction("archive", L("Arsipkan"), "archive", forms.ArchiveForm, _archive, variant="danger"),
    DeskAction("reopen", L("Buka kembali"), "reopen", forms.ReasonForm, _reopen),
    DeskAction("reply", L("Balas pelapor / catatan"), "reply", forms.ReplyForm, _reply, also=_can_send),
    DeskAction("note", L("Catatan internal"), "reply", forms.NoteForm, _note, also=_cannot_send),
    DeskAction("resend", L("Kirim ulang pesan gagal"), "reply", forms.ResendForm, _resend, also=_has_failed),
    DeskAction("accept", L("Terima disposisi"), "accept", forms.ConfirmForm, _accept, True, "primary"),
    DeskAction("followup", L("Tulis tindak lanjut"), "draft_followup", forms.FollowUpForm, _followup, True,
               "primary"),
    DeskAction("publish", L("Tinjau draf"), "publish_followup", forms.ReviewForm, _review, True,
               also=_has_draft),
    DeskAction("return", L("Kembalikan: bukan wewenang OPD"), "return", forms.ReasonForm, _return, True,
               "danger"),
)}


def available_actions(user: Any, complaint: Complaint, disposition: Disposition | None) -> list[DeskAction]:
    return [a for a in ACTIONS.values() if a.available(user, complaint, disposition)]


def triage_links(user: Any, complaint: Complaint) -> dict[str, str]:
    """The one-click merge / archive pages beside a triage suggestion, for the actions ``user`` may take."""
    return {slug: reverse("admin:aduan_publik_complaint_action", args=[complaint.pk, slug])
            for slug in ("merge", "archive") if ACTIONS[slug].available(user, complaint, None)}
