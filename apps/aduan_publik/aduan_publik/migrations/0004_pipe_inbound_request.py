"""Inbound deliveries keep their query string and form fields; stored secrets are scrubbed.

Headers were stored raw until now, so a provider secret carried in a header (Telegram's
``X-Telegram-Bot-Api-Secret-Token``, an ``Authorization``) sits in the database and shows in the
desk. The scrub replaces the values of the always-sensitive headers and of those the installed
channels declare (``Channel.sensitive_headers``) with the redaction marker.
"""

from django.db import migrations, models

BATCH = 500


def _sensitive_by_channel() -> dict[str, tuple[str, ...]]:
    # The declarations live on the installed channel classes, not in the historical models.
    from aduan_publik.channels.registry import all_channels

    try:
        return {name: channel.sensitive_headers for name, channel in all_channels().items()}
    except Exception:  # noqa: BLE001 (a broken plugin must not stop the scrub of the others)
        return {}


def scrub_headers(apps, schema_editor):
    from aduan_publik.channels.redaction import redact

    InboundEvent = apps.get_model("aduan_publik", "InboundEvent")
    declared = _sensitive_by_channel()
    changed = []
    for event in InboundEvent.objects.only("pk", "channel", "headers").iterator(chunk_size=BATCH):
        if not isinstance(event.headers, dict):
            continue
        clean = redact(event.headers, declared.get(event.channel, ()))
        if clean != event.headers:
            event.headers = clean
            changed.append(event)
        if len(changed) >= BATCH:
            InboundEvent.objects.bulk_update(changed, ["headers"])
            changed = []
    if changed:
        InboundEvent.objects.bulk_update(changed, ["headers"])


class Migration(migrations.Migration):

    dependencies = [
        ('aduan_publik', '0003_wa_inbound_problems'),
    ]

    operations = [
        migrations.AddField(
            model_name='inboundevent',
            name='form',
            field=models.JSONField(blank=True, default=dict, verbose_name='isian formulir'),
        ),
        migrations.AddField(
            model_name='inboundevent',
            name='query',
            field=models.JSONField(blank=True, default=dict, verbose_name='parameter URL'),
        ),
        migrations.RunPython(scrub_headers, migrations.RunPython.noop, elidable=True),
    ]
