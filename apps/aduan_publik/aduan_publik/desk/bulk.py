"""Bulk actions on the complaint list (admins): each complaint goes through its service on its own.

One refused complaint never blocks the others; the summary says how many succeeded and why
the rest did not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Complaint
from ..services.complaints import complaint_archive, complaint_verify
from ..workflow import WorkflowError
from .views import refusal


def report(request: HttpRequest, items: Iterable[tuple[str, Callable[[], Any]]]) -> None:
    """Run each ``(label, step)``; tell how many succeeded and, for the others, why not."""
    done, failed = 0, []
    for label, step in items:
        try:
            step()
            done += 1
        except (WorkflowError, PermissionDenied) as exc:
            failed.append(f"{label}: {refusal(exc)}")
    if done:
        messages.success(request, _("%(n)d berhasil diproses.") % {"n": done})
    if failed:
        messages.warning(request, _("%(n)d dilewati — %(why)s") % {"n": len(failed), "why": " | ".join(failed)})


def run_each(request: HttpRequest, queryset: QuerySet[Complaint], step: Callable[[Complaint], None]) -> None:
    ordered = queryset.select_related("category", "category__default_opd").order_by("received_at")
    report(request, [(c.tracking_number, partial(step, c)) for c in ordered])


@admin.action(description=gettext_lazy("Verifikasi & disposisikan ke OPD bawaan kategori"),
              permissions=["desk_admin"])
def verify_to_default_opd(model_admin: Any, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
    def step(complaint: Complaint) -> None:
        opd = complaint.category.default_opd if complaint.category else None
        if opd is None:
            raise WorkflowError(_("kategori tidak memiliki OPD bawaan"))
        complaint_verify(complaint=complaint, by=request.user, opds=[opd])

    run_each(request, queryset, step)


@admin.action(description=gettext_lazy("Arsipkan sebagai spam"), permissions=["desk_admin"])
def archive_as_spam(model_admin: Any, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
    def step(complaint: Complaint) -> None:
        complaint_archive(complaint=complaint, by=request.user, reason=Complaint.ArchiveReason.SPAM)

    run_each(request, queryset, step)
