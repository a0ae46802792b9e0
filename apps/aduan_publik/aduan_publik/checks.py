"""System checks: configuration mistakes reported by ``manage.py check`` and at start-up."""

from typing import Any
from urllib.parse import urlsplit

from django.core.checks import CheckMessage, Tags, Warning, register


@register()
def channels_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Report a channel that has some of its settings but not all (half-configured)."""
    from django.conf import settings

    from .channels.registry import all_channels

    problems: list[CheckMessage] = []
    configured = settings.ADUAN.get("channels", {})
    for name, channel in all_channels().items():
        if name not in configured or not channel.required_settings:
            continue
        missing = [k for k in channel.required_settings if not configured[name].get(k)]
        if missing:
            problems.append(Warning(
                f"channel {name!r} is half-configured: missing {', '.join(missing)}",
                hint=f"set them under channels.{name} in site_config.json",
                id="aduan_publik.W001",
            ))
    return problems


@register()
def channel_documents_usable(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Report an enabled Channel document whose secrets the site's keys cannot open, or whose
    type is no longer installed (its webhook then answers 404)."""
    from .channels.registry import all_channels
    from .selectors.channel_instances import instances_enabled

    installed = all_channels()
    problems: list[CheckMessage] = []
    for found in instances_enabled():
        where = f"{found.channel}/{found.key}"
        if found.problem:
            problems.append(Warning(f"channel instance {where}: {found.problem}", id="aduan_publik.W002",
                                    hint="restore the old key in channel_keys (site_config.json), or enter the "
                                         "secrets again in the desk"))
        elif found.channel not in installed:
            problems.append(Warning(f"channel instance {where}: channel type {found.channel!r} is not installed",
                                    id="aduan_publik.W003", hint="install its plugin, or disable the instance"))
    return problems


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"})  # noqa: S104 (names, not a bind)


@register()
def public_address_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A site with a channel needs its public address: webhooks reach it, links sent to reporters point to it.

    ``allowed_hosts`` left at the local defaults makes Django answer a provider's webhook (and
    Meta's verification request) with 400; ``site_url`` left at the default puts
    ``http://127.0.0.1:8000/lacak/`` into every acknowledgement.
    """
    from django.conf import settings
    from django.http.request import validate_host
    from django.utils.translation import gettext as _

    from .selectors.channel_instances import instances_enabled

    if not any(settings.ADUAN.get("channels", {}).values()) and not instances_enabled():
        return []
    hint = _("atur site_url dan allowed_hosts di site_config.json (lihat docs/whatsapp.md)")
    url = urlsplit(str(settings.SITE_URL))
    host = url.hostname or ""
    problems: list[CheckMessage] = []
    if url.scheme not in ("http", "https") or not host:
        problems.append(Warning(_("site_url %(url)r bukan alamat http(s) yang lengkap") % {"url": settings.SITE_URL},
                                hint=hint, id="aduan_publik.W010"))
    elif host in LOCAL_HOSTS:
        problems.append(Warning(
            _("site_url masih %(url)s: tautan yang dikirim ke pelapor tidak dapat dibuka dari luar")
            % {"url": settings.SITE_URL}, hint=hint, id="aduan_publik.W010"))
    elif url.scheme != "https":
        problems.append(Warning(_("site_url %(url)s tidak memakai HTTPS") % {"url": settings.SITE_URL},
                                hint=hint, id="aduan_publik.W012"))
    if all(h in LOCAL_HOSTS for h in settings.ALLOWED_HOSTS):
        problems.append(Warning(
            _("allowed_hosts hanya berisi alamat lokal: webhook dari penyedia kanal dijawab 400"),
            hint=hint, id="aduan_publik.W011"))
    elif host and host not in LOCAL_HOSTS and not validate_host(host, settings.ALLOWED_HOSTS):
        problems.append(Warning(
            _("host %(host)s dari site_url tidak ada di allowed_hosts") % {"host": host},
            hint=hint, id="aduan_publik.W011"))
    return problems


@register(Tags.security, deploy=True)
def admins_use_second_factor(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """``check --deploy``: admins see every reporter's identity, so a public site makes them use a second
    factor (``auth.require_2fa_for`` in site_config.json, docs/security.md)."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    roles = list(getattr(settings, "SIGNIN", {}).get("require_2fa_for") or [])
    if "admin" in roles:
        return []
    return [Warning(
        _("Admin dapat masuk tanpa verifikasi dua langkah (auth.require_2fa_for = %(roles)s), padahal admin "
          "melihat identitas setiap pelapor.") % {"roles": roles},
        hint=_('tambahkan "admin" ke auth.require_2fa_for di site_config.json setelah para admin mendaftarkan '
               "aplikasi autentikator (lihat docs/security.md)"),
        id="aduan_publik.W030",
    )]
