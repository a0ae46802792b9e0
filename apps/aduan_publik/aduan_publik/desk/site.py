"""The desk's admin site: who may enter, where each role lands, and the login audit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.sites import UnfoldAdminSite

from .. import access
from ..services.audit import event_record


def opd_queue_url(opd_id: int) -> str:
    """The complaint list filtered to one OPD's open work (pending or accepted dispositions)."""
    return reverse("admin:aduan_publik_complaint_changelist") + "?" + urlencode({"antrean": opd_id})


class DeskSite(UnfoldAdminSite):
    site_title = gettext_lazy("Aduan Publik")
    site_header = gettext_lazy("Aduan Publik — Meja Kerja")
    index_title = gettext_lazy("Dasbor")
    # unfold comes first among the apps, so its admin/index.html would win over ours.
    index_template = "desk/dashboard.html"

    def has_permission(self, request: HttpRequest) -> bool:
        """Admins, leaders and OPD staff only; integrators and users without a role get the login page."""
        return access.can_use_desk(request.user)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        actor = access.actor_for(request.user)
        if actor.is_opd and actor.opd_id:
            return HttpResponseRedirect(opd_queue_url(actor.opd_id))
        return super().index(request, extra_context)

    def get_urls(self) -> list[Any]:
        from django.urls import path

        from . import reports

        own = [
            path("laporan/", self.admin_view(lambda r: reports.reports_page(self, r)), name="aduan_publik_reports"),
            path("laporan/unduh.<slug:fmt>", self.admin_view(lambda r, fmt: reports.report_download(self, r, fmt)),
                 name="aduan_publik_report_download"),
        ]
        return own + super().get_urls()

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "GET" and REDIRECT_FIELD_NAME not in request.GET:
            # unfold's login template drops the admin's hidden "next" field; without it Django sends
            # everyone to LOGIN_REDIRECT_URL (/accounts/profile/, which does not exist here).
            index = reverse("admin:index", current_app=self.name)
            return HttpResponseRedirect(f"{request.path}?{urlencode({REDIRECT_FIELD_NAME: index})}")
        was_anonymous = not request.user.is_authenticated
        response = super().login(request, extra_context)
        if request.method == "POST" and was_anonymous and request.user.is_authenticated:
            # Admin activity (logins per month) is one of the ministry's figures.
            event_record(complaint=None, by=request.user, verb="login", summary=_("Masuk ke meja kerja."))
        return response
