from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from aduan_publik import urls as aduan_urls
from aduan_publik.desk.rq import rq_urlpatterns

urlpatterns: list = [  # type: ignore[type-arg]
    # Before the desk: the admin's catch-all would answer 404 for /desk/rq/.
    path("desk/rq/", include(rq_urlpatterns())),
    path("desk/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(aduan_urls)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

__all__ = ["i18n_patterns", "urlpatterns"]
