from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AduanPublikConfig(AppConfig):
    name = "aduan_publik"
    verbose_name = _("Aduan Publik")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import (
            checks,  # noqa: F401  (registers system checks)
            redis_site,  # noqa: F401  (one Redis database per site, check E020)
        )
        from .channels import checks as channel_checks  # noqa: F401  (plugins left out)

        post_migrate.connect(_search_schema_ensure, sender=self)


def _search_schema_ensure(sender: object, using: str = "default", **kwargs: object) -> None:
    """Schema upkeep, not business logic: a later migration that rebuilt the complaint table on SQLite
    dropped the search triggers; put them back (``search_schema.ensure``)."""
    from django.db import connections

    from . import search_schema

    search_schema.ensure(connections[using])
