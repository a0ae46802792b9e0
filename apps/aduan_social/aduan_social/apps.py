"""The Django app of the social channels (label ``aduan_social``): X poll state and spend."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "aduan_social"
    label = "aduan_social"
    verbose_name = _("Media sosial")
    default_auto_field = "django.db.models.BigAutoField"
