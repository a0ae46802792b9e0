"""django-axes under the desk's own name (the sidebar shows the app's verbose name)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SigninAxesConfig(AxesAppConfig):
    verbose_name = _("Keamanan masuk")
