"""The admin app config that makes the desk's site the default ``admin.site``.

Listed in INSTALLED_APPS in place of ``django.contrib.admin`` (with ``unfold.apps.BasicAppConfig``
in place of ``unfold``), as unfold documents for a custom site.
"""

from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    default_site = "aduan_publik.desk.site.DeskSite"
