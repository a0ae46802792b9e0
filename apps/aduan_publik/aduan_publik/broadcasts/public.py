"""The portal's public **Informasi** page and its Atom feed: every completed broadcast, for
residents without WhatsApp too. Reads only; per-recipient variables read "Bapak/Ibu".

A broadcast's header file is public once the broadcast is (``access.get_published_broadcast_media``)
and streamed like any attachment (``views.files.serve_file``): an image is shown on the page, a
document is linked; either is the feed entry's enclosure.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access
from ..views.files import serve_file
from .catalogue import render as render_body
from .models import Broadcast


class _Everyone:
    """The stand-in recipient of the public copy."""

    name = ""
    area_name = ""


def published() -> QuerySet[Broadcast]:
    return access.broadcasts_published().select_related("template").order_by("-finished_at")


def public_text(broadcast: Broadcast) -> str:
    assert broadcast.template is not None
    return render_body(broadcast.template, broadcast.variables, _Everyone())


def header_kind(broadcast: Broadcast) -> str:
    """What the public page does with the header file: "image" (shown), "document" (linked) or ""."""
    if not broadcast.media:
        return ""
    return "image" if broadcast.media_type.startswith("image/") else "document"


def media_url(broadcast: Broadcast) -> str:
    return reverse("aduan_publik:portal:information_media", args=[broadcast.pk]) if broadcast.media else ""


def _item(broadcast: Broadcast) -> dict[str, Any]:
    return {"b": broadcast, "text": public_text(broadcast), "header": header_kind(broadcast),
            "media_url": media_url(broadcast)}


def information_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(published(), 20).get_page(request.GET.get("halaman"))
    return render(request, "portal/information_list.html", {"page": page, "items": [_item(b) for b in page]})


def information_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_object_or_404(published(), pk=pk)
    return render(request, "portal/information_detail.html", {"item": _item(broadcast)})


def information_media(request: HttpRequest, pk: int) -> FileResponse:
    """The header file of a published broadcast (image or document), streamed from private storage."""
    broadcast = access.get_published_broadcast_media(pk)
    return serve_file(broadcast.media, name=broadcast.media_name or "berkas", content_type=broadcast.media_type,
                      private=False)


class InformationFeed(Feed):
    feed_type = Atom1Feed
    description = gettext_lazy("Informasi resmi pemerintah kota yang juga disiarkan lewat WhatsApp.")

    def title(self) -> str:
        return _("Informasi %(city)s") % {"city": settings.ADUAN.get("city_name", "")}

    def link(self) -> str:
        return reverse("aduan_publik:portal:information")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpRequest:
        return request  # the feed's object is the request: enclosure URLs must be absolute

    def items(self, obj: HttpRequest) -> list[Broadcast]:
        found = list(published()[:50])
        for b in found:  # kept on each row, never on this Feed, which all requests share
            b.enclosure_url = obj.build_absolute_uri(media_url(b)) if b.media else ""  # type: ignore[attr-defined]
        return found

    def item_title(self, item: Broadcast) -> str:
        return item.title

    def item_description(self, item: Broadcast) -> str:
        return public_text(item)

    def item_link(self, item: Broadcast) -> str:
        return reverse("aduan_publik:portal:information_detail", args=[item.pk])

    def item_pubdate(self, item: Broadcast) -> Any:
        return item.finished_at

    def item_categories(self, item: Broadcast) -> list[str]:
        return [str(item.get_topic_display())]

    def item_enclosures(self, item: Broadcast) -> list[Enclosure]:
        if not item.media:
            return []
        return [Enclosure(item.enclosure_url, str(item.media.size), item.media_type)]  # type: ignore[attr-defined]
