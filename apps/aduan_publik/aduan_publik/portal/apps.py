from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "aduan_publik.portal"
    label = "aduan_portal"
    verbose_name = "Portal warga"
    default_auto_field = "django.db.models.BigAutoField"
