from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("aduan_publik", "0002_flow_merge_and_reroute")]

    operations = [
        migrations.AddField(
            model_name="inboundevent",
            name="problems",
            field=models.JSONField(blank=True, default=list, null=True, verbose_name="item bermasalah"),
        ),
    ]
