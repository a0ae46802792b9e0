"""The desk's admin site: who may enter, where each role lands, and the login audit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from unfold.sites import UnfoldAdminSite

from .. import access
from ..selectors.notifications import unread_count
from ..selectors.queues import QUEUE_PARAM, queue_badge, queue_counts_cached, queue_url, queues_for
from ..services.signin import signin_login_record
from .login import DeskLoginForm


def opd_queue_url(opd_id: int) -> str:
    """The complaint list filtered to one OPD's open work (pending or accepted dispositions)."""
    return reverse("admin:aduan_publik_complaint_changelist") + "?" + urlencode({"antrean": opd_id})


class DeskSite(UnfoldAdminSite):
    site_title = gettext_lazy("Aduan Publik")
    site_header = gettext_lazy("Aduan Publik — Meja Kerja")
    index_title = gettext_lazy("Dasbor")
    empty_value_display = "–"  # an empty cell, as on the dashboard (Django's default is a hyphen)
    # unfold comes first among the apps, so its admin/index.html would win over ours.
    index_template = "desk/dashboard.html"
    login_form = DeskLoginForm

    def get_sidebar_list(self, request: HttpRequest) -> list[dict[str, Any]]:
        """The role's work queues with their counts on top, then every app's models (as before)."""
        return [group for group in (queue_group(request), *app_groups(self, request)) if group["items"]]

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

        from . import reports, signin

        own = [
            path("login/kode/", signin.code_step, name="desk_signin_code"),
            path("login/aktifkan-2fa/", signin.enrol_step, name="desk_signin_enrol"),
            path("keamanan/", self.admin_view(signin.security_page), name="desk_security"),
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
        from . import signin

        owing = signin.login_owing_second_factor(request)
        if owing is not None:
            return owing
        was_anonymous = not request.user.is_authenticated
        response = self._login_view(request, extra_context)
        if request.method == "POST" and was_anonymous and request.user.is_authenticated:
            # Admin activity (logins per month) is one of the ministry's figures.
            signin_login_record(user=request.user)
        return response

    def _login_view(self, request: HttpRequest, extra_context: dict[str, Any] | None) -> HttpResponse:
        """AdminSite.login with the desk's view class: a password alone may not be enough (desk/signin.py)."""
        from . import signin

        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {**self.each_context(request), "title": _("Masuk"), "subtitle": None,
                   "app_path": request.get_full_path(), "username": request.user.get_username(),
                   **(extra_context or {})}
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        request.current_app = self.name
        view = signin.DeskLoginView.as_view(extra_context=context, authentication_form=self.login_form,
                                            template_name=self.login_template or "admin/login.html")
        return view(request)  # type: ignore[return-value]

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        """Adds the unread notifications: a label in the header of every desk page."""
        context = super().each_context(request)
        unread = self._unread(request)
        context["notifications_unread"] = unread
        if unread:
            context["environment"] = [
                ngettext("%(n)d notifikasi baru", "%(n)d notifikasi baru", unread) % {"n": unread}, "warning"]
        return context

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        """The sidebar's *Notifikasi* entry carries the unread count. Built once per request (the
        sidebar and unfold's page context both ask; each asks every model admin for permissions)."""
        if app_label is None and hasattr(request, "_aduan_app_list"):
            return request._aduan_app_list  # type: ignore[no-any-return]
        apps = super().get_app_list(request, app_label)
        unread = self._unread(request)
        for app in apps:
            for model in app["models"]:
                if model["object_name"] == "Notification" and unread:
                    model["name"] = f"{model['name']} ({unread})"
        if app_label is None:
            request._aduan_app_list = apps  # type: ignore[attr-defined]
        return apps

    def _build_app_dict(self, request: HttpRequest, label: str | None = None) -> Any:
        """Django's app dict with each name translated once: the names are lazy, and sorting the
        sidebar compares them, translating both sides again on every comparison (some 300 per page)."""
        built = super()._build_app_dict(request, label)
        for app in ([built] if label else built.values()) if built else ():
            app["name"] = str(app["name"])
            for model in app["models"]:
                model["name"] = str(model["name"])
        return built

    def _unread(self, request: HttpRequest) -> int:
        """One count per request, however many times the page asks."""
        if not hasattr(request, "_aduan_unread"):
            request._aduan_unread = unread_count(request.user) if self.has_permission(request) else 0  # type: ignore[attr-defined]
        return int(request._aduan_unread)  # type: ignore[attr-defined]


# Every key unfold's sidebar templates read, with the value a missing key renders as: a template lookup
# that fails costs a dir() of the dict (Django's _resolve_lookup), some 170 per desk page.
NO_EXTRAS = {"link_callback": None, "badge_style": None, "badge_callback": None}
PLAIN_GROUP = {"collapsible": False, "separator": False}


def queue_group(request: HttpRequest) -> dict[str, Any]:
    """The sidebar's «Antrean kerja»: one link per queue of the user's role, with its count."""
    queues = queues_for(request.user)
    counts = queue_counts_cached(request.user) if queues else {}
    current = request.GET.get(QUEUE_PARAM)
    items = [{"title": q.label, "link": queue_url(q.key), "icon": q.icon, "has_permission": True,
              "active": current == q.key, "badge": queue_badge(counts.get(q.key, 0)),
              "badge_variant": "danger" if q.key == "terlambat" and counts.get(q.key) else "primary",
              "attrs": {"data-queue": q.key}, **NO_EXTRAS} for q in queues]
    return {"title": gettext_lazy("Antrean kerja"), "items": items, **PLAIN_GROUP}


def app_groups(site: DeskSite, request: HttpRequest) -> list[dict[str, Any]]:
    """The default app list as sidebar groups (unfold shows only ``navigation`` once it is set)."""
    queue_open = QUEUE_PARAM in request.GET
    groups = []
    for app in site.get_app_list(request):
        items = [{"title": m["name"], "link": m["admin_url"], "has_permission": bool(m.get("admin_url")),
                  "active": bool(m.get("admin_url")) and request.path.startswith(m["admin_url"]) and not queue_open,
                  "icon": None, "badge": "", **NO_EXTRAS} for m in app["models"]]
        groups.append({"title": app["name"], "items": items, **PLAIN_GROUP})
    return groups
