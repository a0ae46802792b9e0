"""URLs for :mod:`aduan_publik.testing.settings`: the desk and everything the app serves, as on a site."""

from django.contrib import admin
from django.urls import include, path

from aduan_publik import urls as aduan_urls

urlpatterns = [
    path("desk/", admin.site.urls),
    path("desk/rq/", include("django_rq.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(aduan_urls)),
]
