"""``/open311/discovery.{json,xml}`` and ``/open311/v2/…``: the format is the file extension."""

from django.urls import re_path

from . import views

F = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + F, views.discovery, name="discovery"),
    re_path(r"^v2/services" + F, views.services, name="services"),
    re_path(r"^v2/services/(?P<code>[-\w]+)" + F, views.service_definition, name="service"),
    re_path(r"^v2/requests" + F, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<number>[-\w]+)" + F, views.request_detail, name="request"),
]
