from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    name = "aduan_publik.broadcasts"
    label = "aduan_broadcasts"
    verbose_name = _("Siaran informasi")
    default_auto_field = "django.db.models.BigAutoField"
