"""The portal's public **Informasi** page and its Atom feed: every completed broadcast, for
residents without WhatsApp too. Reads only; per-recipient variables read "Bapak/Ibu"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .catalogue import render as render_body
from .models import Broadcast


class _Everyone:
    """The stand-in recipient of the public copy."""

    name = ""
    area_name = ""


def published() -> QuerySet[Broadcast]:
    return (Broadcast.objects.filter(state=Broadcast.State.COMPLETED, template__isnull=False)
            .select_related("template").order_by("-finished_at"))


def public_text(broadcast: Broadcast) -> str:
    assert broadcast.template is not None
    return render_body(broadcast.template, broadcast.variables, _Everyone())


def information_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(published(), 20).get_page(request.GET.get("halaman"))
    items = [{"b": b, "text": public_text(b)} for b in page.object_list]
    return render(request, "portal/information_list.html", {"page": page, "items": items})


def information_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_object_or_404(published(), pk=pk)
    return render(request, "portal/information_detail.html", {"b": broadcast, "text": public_text(broadcast)})


class InformationFeed(Feed):
    feed_type = Atom1Feed
    description = gettext_lazy("Informasi resmi pemerintah kota yang juga disiarkan lewat WhatsApp.")

    def title(self) -> str:
        return _("Informasi %(city)s") % {"city": settings.ADUAN.get("city_name", "")}

    def link(self) -> str:
        return reverse("aduan_publik:portal:information")

    def items(self) -> list[Broadcast]:
        return list(published()[:50])

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
