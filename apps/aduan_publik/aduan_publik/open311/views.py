"""GeoReport v2 methods: discovery, services, service definition, POST/GET requests, GET request."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .. import access
from ..api.intake import complaint_file
from ..api.throttling import client_address, hit
from ..api.tokens import token_for
from ..models import CLOSED_STATUSES, Category, Complaint, Disposition
from ..portal.selectors import public_complaints
from ..workflow import WorkflowError
from .render import errors, respond

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
CHANNEL = "open311"


def jurisdiction() -> str:
    """The site's host name (the specification suggests the city's web address without www)."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


def w3(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def _refused(request: HttpRequest, fmt: str) -> HttpResponse | None:
    """Common checks: rate per client, and a jurisdiction_id naming this site when given."""
    allowed, wait = hit(f"o311-{client_address(request)}", int(settings.ADUAN["api"]["anonymous_rate_per_minute"]))
    if not allowed:
        response = errors(fmt, 429, _("Terlalu banyak permintaan; coba lagi dalam %(s)d detik.") % {"s": wait})
        response["Retry-After"] = str(wait)
        return response
    given = (request.POST if request.method == "POST" else request.GET).get("jurisdiction_id", "")
    if given and given != jurisdiction():
        return errors(fmt, 404, _("jurisdiction_id %(j)s tidak dilayani di sini.") % {"j": given})
    return None


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = settings.SITE_URL.rstrip("/")
    changeset = "2026-11-30T00:00:00Z"
    data = {
        "changeset": changeset,
        "contact": _("Diskominfo %(city)s") % {"city": settings.ADUAN["city_name"]},
        "key_service": _("Minta api_key (token API) kepada admin Diskominfo."),
        "endpoints": [{"specification": SPEC, "url": f"{base}/open311/v2", "changeset": changeset,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }
    return respond(fmt, data, root="discovery")


def _service(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "service_name": category.name, "description": str(category),
            "metadata": False, "type": "realtime", "keywords": "",
            "group": category.parent.name if category.parent_id and category.parent else category.name}


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    refused = _refused(request, fmt)
    if refused:
        return refused
    rows = Category.objects.filter(active=True).select_related("parent").order_by("code")
    return respond(fmt, [_service(c) for c in rows], root="services", item="service")


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    refused = _refused(request, fmt)
    if refused:
        return refused
    if not Category.objects.filter(active=True, code=code).exists():
        return errors(fmt, 404, _("service_code %(c)s tidak ditemukan.") % {"c": code})
    # No service asks for extra attributes (metadata=false): the definition lists none.
    return respond(fmt, {"service_code": code, "attributes": []}, root="service_definition")


def status_notes(c: Complaint) -> str:
    parts = [c.get_status_display()]
    if c.status == Complaint.Status.NOT_AUTHORITY and c.forwarded_to:
        parts.append(_("diteruskan ke %(t)s") % {"t": c.forwarded_to})
    return "; ".join(parts)


def _request_row(c: Complaint) -> dict[str, Any]:
    closed = c.status in CLOSED_STATUSES
    opds = [d.opd.name for d in getattr(c, "o311_dispositions", [])]
    address = ", ".join(x for x in (c.location_text, c.kelurahan.name if c.kelurahan else "",
                                    c.kecamatan.name if c.kecamatan else "", settings.ADUAN["city_name"]) if x)
    return {
        "service_request_id": c.tracking_number, "status": "closed" if closed else "open",
        "status_notes": status_notes(c),
        "service_name": c.category.name if c.category else None,
        "service_code": c.category.code if c.category else None,
        "description": c.description[:4000], "agency_responsible": ", ".join(opds) or None,
        "service_notice": None, "requested_datetime": w3(c.received_at),
        "updated_datetime": w3(c.closed_at if closed and c.closed_at else c.updated_at),
        "expected_datetime": w3(c.due_at), "address": address, "address_id": None, "zipcode": None,
        "lat": float(c.latitude) if c.latitude is not None else None,
        "long": float(c.longitude) if c.longitude is not None else None, "media_url": None,
    }


def _readable(request: HttpRequest) -> QuerySet[Complaint]:
    """What the public portal lists; with an ``api_key`` that may read complaints, what that token sees."""
    token = token_for(request.GET.get("api_key", "")) if request.GET.get("api_key") else None
    if token is not None and token.has_scope("complaints:read"):
        qs = access.api_complaints_visible_to(token.user, opd_id=token.opd_id)
    else:
        qs = public_complaints()
    active = Disposition.objects.filter(state__in=("pending", "accepted", "answered")).select_related("opd")
    return qs.select_related("category", "kecamatan", "kelurahan").prefetch_related(
        Prefetch("dispositions", queryset=active, to_attr="o311_dispositions"))


def _date(value: str, name: str) -> datetime:
    parsed = parse_datetime(value.replace(" ", "+")) if value else None
    if parsed is None or parsed.tzinfo is None:
        raise WorkflowError(_("%(n)s harus berformat w3 dengan zona waktu, mis. 2026-01-01T00:00:00Z.") % {"n": name})
    return parsed


def _filtered(request: HttpRequest) -> QuerySet[Complaint]:
    qs, params = _readable(request), request.GET
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # "This overrides all other arguments."
        return qs.filter(tracking_number__in=ids[:MAX_RESULTS])
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    end = _date(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
    start = _date(params["start_date"], "start_date") if params.get("start_date") else end - MAX_SPAN
    if end - start > MAX_SPAN or start > end:
        raise WorkflowError(_("Rentang start_date–end_date paling lama 90 hari."))
    qs = qs.filter(received_at__gte=start, received_at__lte=end)
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise WorkflowError(_("status harus open atau closed."))
    if statuses == {"open"}:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    return qs


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    refused = _refused(request, fmt)
    if refused:
        return refused
    if request.method == "POST":
        return _create(request, fmt)
    try:
        rows = list(_filtered(request).order_by("-received_at", "-id")[:MAX_RESULTS])
    except WorkflowError as exc:
        return errors(fmt, 400, exc.messages[0])
    return respond(fmt, [_request_row(c) for c in rows], root="service_requests", item="request")


@require_GET
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    refused = _refused(request, fmt)
    if refused:
        return refused
    found = _readable(request).filter(tracking_number=number.upper()).first()
    if found is None:
        return errors(fmt, 404, _("service_request_id %(n)s tidak ditemukan.") % {"n": number})
    return respond(fmt, [_request_row(found)], root="service_requests", item="request")


def _location(post: Any) -> tuple[Decimal | None, Decimal | None, str]:
    lat, long, address = post.get("lat", ""), post.get("long", ""), post.get("address_string", "").strip()
    address = address or post.get("address_id", "").strip()
    if not ((lat and long) or address):
        raise WorkflowError(_("Lokasi wajib: lat dan long, atau address_string, atau address_id."))
    if not (lat and long):
        return None, None, address
    try:
        lat_d, long_d = Decimal(lat).quantize(Decimal("0.000001")), Decimal(long).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise WorkflowError(_("lat dan long harus berupa angka.")) from None
    if not (-90 <= lat_d <= 90 and -180 <= long_d <= 180):
        raise WorkflowError(_("lat atau long di luar jangkauan WGS84."))
    return lat_d, long_d, address


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    post = request.POST
    token = token_for(post.get("api_key", ""))
    if token is None or not token.has_scope("complaints:write"):
        return errors(fmt, 403, _("api_key tidak valid atau tidak boleh membuat aduan."))
    allowed, wait = hit(f"t{token.pk}", token.rate_per_minute or int(settings.ADUAN["api"]["rate_per_minute"]))
    if not allowed:
        response = errors(fmt, 429, _("Terlalu banyak permintaan; coba lagi dalam %(s)d detik.") % {"s": wait})
        response["Retry-After"] = str(wait)
        return response
    code = post.get("service_code", "").strip()
    if not code:
        return errors(fmt, 400, _("service_code wajib diisi."))
    category = Category.objects.filter(active=True, code=code).select_related("default_opd").first()
    if category is None:
        return errors(fmt, 404, _("service_code %(c)s tidak ditemukan.") % {"c": code})
    try:
        return _file(request, fmt, token, category)
    except WorkflowError as exc:
        return errors(fmt, 400, exc.messages[0])


def _file(request: HttpRequest, fmt: str, token: Any, category: Category) -> HttpResponse:
    post = request.POST
    lat, long, address = _location(post)
    description = post.get("description", "").strip()
    if not description:
        raise WorkflowError(_("description wajib diisi: jelaskan masalahnya."))
    if len(description) > 4000:
        raise WorkflowError(_("description paling panjang 4.000 karakter."))
    media = post.get("media_url", "").strip()
    name = " ".join(x for x in (post.get("first_name", "").strip(), post.get("last_name", "").strip()) if x)
    reporter = {"name": name, "email": post.get("email", "").strip(), "phone": post.get("phone", "").strip()}
    title = f"{category.name}: {address}" if address else category.name
    fields = {"title": title[:200], "description": description + (f"\n\nMedia: {media}" if media else ""),
              "category": category, "location_text": address[:300], "latitude": lat, "longitude": long}
    with transaction.atomic():
        complaint, access_code = complaint_file(by=token.user, channel=CHANNEL, fields=fields, reporter=reporter)
    notice = _("Aduan diterima. Simpan kode akses %(code)s untuk melacak di portal.") % {"code": access_code}
    return respond(fmt, [{"service_request_id": complaint.tracking_number, "service_notice": notice,
                          "account_id": post.get("account_id") or None}],
                   root="service_requests", item="request")
