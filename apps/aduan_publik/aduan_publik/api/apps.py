from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "aduan_publik.api"
    label = "aduan_api"
    verbose_name = _("API integrasi")
    default_auto_field = "django.db.models.BigAutoField"
