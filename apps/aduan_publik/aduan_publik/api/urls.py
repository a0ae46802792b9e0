"""``/api/v1/`` (the REST API), ``/api/schema/`` (OpenAPI 3) and ``/api/docs/`` (Swagger UI, Redoc)."""

import json

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .views import attachments, complaints, reference
from .views.actions import ACTIONS, action_view


@csrf_exempt  # token-authenticated API: no session, no CSRF; a POST to a wrong address is a 404 too
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    body = {"type": "urn:aduan-publik:problem:not-found", "title": _("Tidak ditemukan"), "status": 404,
            "detail": _("Data tidak ditemukan.")}
    return HttpResponse(json.dumps(body), status=404, content_type="application/problem+json")


TARGETS = {"complaint": "complaints", "disposition": "dispositions", "followup": "followups"}

v1 = [
    path("complaints", complaints.ComplaintListView.as_view(), name="complaints"),
    path("complaints/<int:pk>", complaints.ComplaintDetailView.as_view(), name="complaint"),
    path("complaints/<int:pk>/attachments", attachments.ComplaintAttachmentsView.as_view(), name="attachments"),
    path("attachments/<int:pk>/download", attachments.AttachmentDownloadView.as_view(), name="attachment"),
    path("opds", reference.OPDListView.as_view(), name="opds"),
    path("categories", reference.CategoryListView.as_view(), name="categories"),
    path("areas", reference.AreaListView.as_view(), name="areas"),
    path("figures", reference.FiguresView.as_view(), name="figures"),
    *[path(f"{TARGETS[a.on]}/<int:pk>/{a.slug}", action_view(a).as_view(), name=f"{a.on}-{a.slug}")
      for a in ACTIONS],
]

app_name = "api"
urlpatterns = [
    *[path(f"v1/{p.pattern}", p.callback, name=p.name) for p in v1],
    # Any other /api/v1/ address (a malformed id included) answers 404 as problem+json, not HTML.
    re_path(r"^v1/", not_found, name="not-found"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="aduan_publik:api:schema"), name="docs"),
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="aduan_publik:api:schema"), name="redoc"),
]
