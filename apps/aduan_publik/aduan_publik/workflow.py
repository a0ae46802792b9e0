"""The complaint workflow: which action is allowed from which status.

Roles are checked by :mod:`aduan_publik.access`; this module checks states. Services call
:func:`ensure_allowed` before changing anything, so an invalid transition changes nothing
and the caller gets a :class:`WorkflowError` with a message fit for the user.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Complaint, Disposition

S = Complaint.Status
D = Disposition.State


class WorkflowError(ValidationError):
    """An action not allowed in the current state. ``messages[0]`` is shown to the user."""


# action -> complaint statuses it may start from
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    "verify": frozenset({S.RECEIVED, S.POSTPONED, S.RETURNED}),
    # re-route (or settle) a part one OPD returned while the others work; the service also
    # checks that such a part exists
    "reroute": frozenset({S.DISPOSED, S.IN_PROGRESS, S.ANSWERED}),
    "postpone": frozenset({S.RECEIVED, S.RETURNED}),
    "resume": frozenset({S.POSTPONED}),
    "archive": frozenset({S.RECEIVED, S.POSTPONED, S.RETURNED}),
    "merge": frozenset({S.RECEIVED, S.POSTPONED, S.RETURNED}),
    "not_authority": frozenset({S.RECEIVED, S.POSTPONED, S.RETURNED}),
    "reopen": frozenset({S.CLOSED, S.ARCHIVED, S.NOT_AUTHORITY, S.ANSWERED}),
    "rate": frozenset({S.ANSWERED, S.CLOSED}),
    "reporter_reply": frozenset({S.RECEIVED, S.POSTPONED, S.DISPOSED, S.IN_PROGRESS, S.RETURNED, S.ANSWERED}),
    "autoclose": frozenset({S.ANSWERED}),
    "reply": frozenset(s for s in S.values),
}

# action -> disposition states it may start from
DISPOSITION_TRANSITIONS: dict[str, frozenset[str]] = {
    "accept": frozenset({D.PENDING}),
    "return": frozenset({D.PENDING, D.ACCEPTED}),
    "draft_followup": frozenset({D.PENDING, D.ACCEPTED, D.ANSWERED}),
    "publish_followup": frozenset({D.PENDING, D.ACCEPTED, D.ANSWERED}),
}

ACTION_LABELS = {
    "verify": gettext_lazy("verifikasi dan disposisi"),
    "reroute": gettext_lazy("disposisi ulang bagian yang dikembalikan"),
    "postpone": gettext_lazy("tunda"),
    "resume": gettext_lazy("lanjutkan"),
    "archive": gettext_lazy("arsipkan"),
    "merge": gettext_lazy("gabungkan sebagai duplikat"),
    "not_authority": gettext_lazy("tandai bukan wewenang"),
    "reopen": gettext_lazy("buka kembali"),
    "rate": gettext_lazy("beri penilaian"),
    "reporter_reply": gettext_lazy("balas"),
    "autoclose": gettext_lazy("tutup otomatis"),
    "reply": gettext_lazy("balas pelapor"),
    "accept": gettext_lazy("terima disposisi"),
    "return": gettext_lazy("kembalikan disposisi"),
    "draft_followup": gettext_lazy("tulis tindak lanjut"),
    "publish_followup": gettext_lazy("kirim tindak lanjut"),
}


def allowed_actions(complaint: Complaint) -> set[str]:
    return {a for a, states in COMPLAINT_TRANSITIONS.items() if complaint.status in states}


def ensure_allowed(action: str, complaint: Complaint) -> None:
    if action not in COMPLAINT_TRANSITIONS:
        raise WorkflowError(_("Tindakan tidak dikenal: %(action)s") % {"action": action})
    if complaint.status not in COMPLAINT_TRANSITIONS[action]:
        raise WorkflowError(
            _("Aduan %(number)s berstatus «%(status)s»: tidak dapat %(action)s.")
            % {
                "number": complaint.tracking_number,
                "status": complaint.get_status_display(),
                "action": ACTION_LABELS.get(action, action),
            }
        )


def ensure_disposition_allowed(action: str, disposition: Disposition) -> None:
    if disposition.state not in DISPOSITION_TRANSITIONS[action]:
        raise WorkflowError(
            _("Disposisi ke %(opd)s berstatus «%(state)s»: tidak dapat %(action)s.")
            % {
                "opd": disposition.opd.name,
                "state": disposition.get_state_display(),
                "action": ACTION_LABELS.get(action, action),
            }
        )
    if not disposition.complaint.is_open:
        raise WorkflowError(
            _("Aduan %(number)s sudah ditutup.") % {"number": disposition.complaint.tracking_number}
        )
