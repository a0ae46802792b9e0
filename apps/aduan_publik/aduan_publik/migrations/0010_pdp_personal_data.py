"""UU 27/2022 PDP: ``Contact.erased_at``, and the acknowledgements' access codes sealed at rest."""

from typing import Any

from django.db import migrations, models

from aduan_publik.sealed import is_sealed, seal, unseal


def _seal_acks(apps: Any, schema_editor: Any) -> None:
    Message = apps.get_model("aduan_publik", "Message")
    for message in Message.objects.filter(meta__purpose="ack").exclude(body__startswith="enc1:").iterator():
        meta = dict(message.meta)
        if meta.get("template_text"):
            meta["template_text"] = seal(str(meta["template_text"]))
        Message.objects.filter(pk=message.pk).update(body=seal(message.body), meta=meta)


def _open_acks(apps: Any, schema_editor: Any) -> None:
    Message = apps.get_model("aduan_publik", "Message")
    for message in Message.objects.filter(meta__purpose="ack", body__startswith="enc1:").iterator():
        meta = dict(message.meta)
        if is_sealed(str(meta.get("template_text") or "")):
            meta["template_text"] = unseal(meta["template_text"])
        Message.objects.filter(pk=message.pk).update(body=unseal(message.body), meta=meta)


class Migration(migrations.Migration):
    dependencies = [("aduan_publik", "0009_triage_suggestion")]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="erased_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="identitas dihapus"),
        ),
        migrations.RunPython(_seal_acks, _open_acks),
    ]
