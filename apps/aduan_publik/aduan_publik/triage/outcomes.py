"""The admin's final choice against the stored suggestion: accepted or overridden, audited.

Light on purpose (no model, no scikit-learn): the verify, not-authority and archive services call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Complaint, TriageSuggestion
from ..services.audit import event_record


def outcome_record(*, complaint: Complaint, by: Any, chosen: Iterable[str]) -> TriageSuggestion | None:
    """Record the admin's first decision against the suggestion: accepted or overridden (audited).

    ``chosen`` are OPD codes (or ``BUKAN_WEWENANG`` / ``NONE`` for forwarding and spam). Called by
    the verify, not-authority and archive services inside their transaction; later decisions on
    the same complaint (re-routing) leave the first outcome alone.
    """
    suggestion = (TriageSuggestion.objects.select_for_update().filter(complaint=complaint,
                                                                       outcome="").first())
    if suggestion is None or not suggestion.opds:
        return None
    final = sorted(set(chosen))
    ranked = [o["code"] for o in suggestion.opds]
    accepted = ranked[0] in final
    suggestion.outcome = TriageSuggestion.Outcome.ACCEPTED if accepted else TriageSuggestion.Outcome.OVERRIDDEN
    suggestion.final_opds, suggestion.top3_hit = final, any(code in final for code in ranked[:3])
    suggestion.decided_at, suggestion.decided_by = timezone.now(), by if not isinstance(by, str) else None
    suggestion.save()
    summary = (_("Saran triase diterima: %(s)s.") if accepted else _("Saran triase (%(s)s) diganti admin: %(f)s."))
    event_record(complaint=complaint, by=by, verb=f"triage_{suggestion.outcome}",
                 summary=summary % {"s": ranked[0], "f": ", ".join(final)},
                 data={"suggested": ranked[:3], "chosen": final, "top3": suggestion.top3_hit})
    return suggestion
