from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaporConfig(AppConfig):
    name = "aduan_publik.channels.lapor"
    label = "aduan_lapor"
    verbose_name = _("SP4N-LAPOR!")
    default_auto_field = "django.db.models.BigAutoField"
