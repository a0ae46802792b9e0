"""Merged rows remember their complaint; returned parts remember when the admins handled them.

Existing data: returned parts already re-routed (a later disposition exists) or on a finished
complaint count as handled. Messages a merge moved before this migration are matched by their
reporter: a message of a duplicate's contact on the original (whose reporter is someone else)
is marked as that duplicate's; the replies sent to that reporter go back to the duplicate.
"""

import django.db.models.deletion
from django.db import migrations, models


CLOSED = ("closed", "archived", "not_authority")


def mark_handled_returns(apps, schema_editor):
    Disposition = apps.get_model("aduan_publik", "Disposition")
    for d in Disposition.objects.filter(state="returned", return_handled_at__isnull=True).select_related("complaint"):
        later = (Disposition.objects.filter(complaint_id=d.complaint_id, created_at__gt=d.returned_at or d.created_at)
                 .order_by("created_at").values_list("created_at", flat=True).first())
        if later is not None or d.complaint.status in CLOSED:
            d.return_handled_at = later or d.complaint.closed_at or d.returned_at
            d.save(update_fields=["return_handled_at"])


def _chain(Complaint, dup):
    seen, current = {dup.pk}, dup
    while current.duplicate_of_id and current.duplicate_of_id not in seen:
        seen.add(current.duplicate_of_id)
        current = Complaint.objects.get(pk=current.duplicate_of_id)
        yield current


def mark_merged_rows(apps, schema_editor):
    Complaint = apps.get_model("aduan_publik", "Complaint")
    Message = apps.get_model("aduan_publik", "Message")
    Attachment = apps.get_model("aduan_publik", "Attachment")
    for dup in Complaint.objects.filter(duplicate_of__isnull=False, contact__isnull=False):
        for target in _chain(Complaint, dup):
            if target.contact_id == dup.contact_id:
                continue
            rows = Message.objects.filter(complaint=target, contact_id=dup.contact_id, merged_from__isnull=True)
            replies = list(rows.filter(direction="out", is_internal=False).values_list("pk", flat=True))
            Attachment.objects.filter(message_id__in=replies).update(complaint=dup)
            Message.objects.filter(pk__in=replies).update(complaint=dup)
            theirs = list(rows.values_list("pk", flat=True))
            Attachment.objects.filter(message_id__in=theirs).update(merged_from=dup)
            rows.update(merged_from=dup)


class Migration(migrations.Migration):

    dependencies = [
        ('aduan_publik', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='merged_from',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='aduan_publik.complaint', verbose_name='digabung dari'),
        ),
        migrations.AddField(
            model_name='disposition',
            name='return_handled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='pengembalian ditangani admin'),
        ),
        migrations.AddField(
            model_name='message',
            name='merged_from',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='aduan_publik.complaint', verbose_name='digabung dari'),
        ),
        migrations.RunPython(mark_handled_returns, migrations.RunPython.noop),
        migrations.RunPython(mark_merged_rows, migrations.RunPython.noop),
    ]
