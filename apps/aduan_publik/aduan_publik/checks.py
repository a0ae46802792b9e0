"""System checks: configuration mistakes reported by ``manage.py check`` and at start-up."""

from typing import Any

from django.core.checks import CheckMessage, Warning, register


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
