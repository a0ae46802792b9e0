"""The app's URLs: channel webhooks, protected files and the portal."""

from django.urls import include, path, re_path

from .channels.registry import all_channels
from .views import exports, files, health, webhooks

app_name = "aduan_publik"


def _channel_urls() -> list:  # type: ignore[type-arg]
    patterns = []
    for name, channel in all_channels().items():
        if channel.urls:
            patterns.append(path(f"channels/{name}/", include(channel.urls)))
    return patterns


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("files/<int:pk>/", files.attachment_download, name="attachment"),
    path("export/aduan.csv", exports.complaints_csv, name="export_complaints"),
    # With or without the trailing slash: providers' forms and admins write it both ways.
    re_path(r"^channels/(?P<name>[-a-zA-Z0-9_]+)/webhook/?$", webhooks.channel_webhook, name="channel_webhook"),
    # One URL per channel instance (a second WhatsApp number, another Page): its own settings.
    re_path(r"^channels/(?P<name>[-a-zA-Z0-9_]+)/(?P<instance>[a-z0-9][-a-z0-9_]{0,31})/webhook/?$",
            webhooks.channel_webhook, name="channel_instance_webhook"),
    *_channel_urls(),
    path("api/", include("aduan_publik.api.urls")),
    path("open311/", include("aduan_publik.open311.urls")),
    path("", include("aduan_publik.portal.urls")),
]
