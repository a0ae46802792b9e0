from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AduanPublikConfig(AppConfig):
    name = "aduan_publik"
    verbose_name = _("Aduan Publik")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers system checks)
            redis_site,  # noqa: F401  (one Redis database per site, check E020)
        )
        from .channels import checks as channel_checks  # noqa: F401  (plugins left out)
