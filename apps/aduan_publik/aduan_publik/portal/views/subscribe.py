"""Subscribing to and unsubscribing from the city's WhatsApp information, with recorded consent."""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ...workflow import WorkflowError
from .. import abuse, services
from ..consent import CONSENT_VERSION, consent_text
from ..forms import SubscribeForm, UnsubscribeForm

UNSUBSCRIBE_SALT = "aduan_portal.unsubscribe"


def unsubscribe_url(subscription_id: int) -> str:
    """The personal link that ends one subscription (put it in every broadcast)."""
    token = signing.dumps({"s": subscription_id}, salt=UNSUBSCRIBE_SALT, compress=True)
    return reverse("aduan_publik:portal:unsubscribe_link", kwargs={"token": token})


def _page(request: HttpRequest, form: SubscribeForm, status: int = 200, **extra: object) -> HttpResponse:
    return render(request, "portal/subscribe.html", {
        "form": form, "unsubscribe_form": extra.pop("unsubscribe_form", None) or UnsubscribeForm(),
        "consent_text": consent_text(), **extra,
    }, status=status)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, SubscribeForm())
    form = SubscribeForm(request.POST)
    if form.is_bot:
        return _page(request, form, 400, refusal=_("Kiriman ditolak karena terdeteksi sebagai kiriman otomatis."))
    if abuse.over_limit(request, "subscribe_ip"):
        return _page(request, form, 429, refusal=_("Terlalu banyak permintaan dari jaringan Anda. Coba lagi nanti."))
    if not form.is_valid():
        return _page(request, form, 400, refusal=_("Periksa kembali isian yang ditandai."))
    data = form.cleaned_data
    if abuse.over_limit(request, "subscribe_phone", key=data["phone"]):
        return _page(request, form, 429, refusal=_("Terlalu banyak permintaan untuk nomor ini. Coba lagi nanti."))
    try:
        sub = services.subscription_create(
            phone=data["phone"], name=data["name"], area=data["area"], topics=data["topics"],
            consent_text=consent_text(), consent_version=f"{CONSENT_VERSION}-{get_language()}",
            ip=abuse.client_ip(request),
        )
    except WorkflowError as exc:
        return _page(request, form, 400, refusal=exc.messages[0])
    return render(request, "portal/subscribed.html", {"subscription": sub, "unsubscribe_url": unsubscribe_url(sub.pk)})


@require_http_methods(["POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    """Stop by phone number. The answer is the same whether or not the number was subscribed."""
    form = UnsubscribeForm(request.POST)
    if abuse.over_limit(request, "subscribe_ip"):
        return _page(request, SubscribeForm(), 429, unsubscribe_form=form,
                     refusal=_("Terlalu banyak permintaan dari jaringan Anda. Coba lagi nanti."))
    if not form.is_valid() or not services.normalize_phone(form.cleaned_data["phone"]):
        form.add_error("phone", _("Nomor WhatsApp tidak valid. Contoh: 081234567890."))
        return _page(request, SubscribeForm(), 400, unsubscribe_form=form)
    services.subscription_cancel(phone=form.cleaned_data["phone"], via="form")
    return render(request, "portal/unsubscribed.html", {})


@require_http_methods(["GET", "POST"])
def unsubscribe_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a broadcast. GET asks to confirm (link scanners must not unsubscribe people)."""
    try:
        subscription_id = int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "portal/unsubscribed.html", {"invalid": True}, status=400)
    if request.method != "POST":
        return render(request, "portal/unsubscribe_confirm.html", {})
    services.subscription_cancel(subscription_id=subscription_id, via="link")
    return render(request, "portal/unsubscribed.html", {})
