"""Routes of the X channel, mounted by the hub at ``/channels/x/``."""

from django.urls import re_path

from . import views

urlpatterns = [re_path(r"^activity/?$", views.activity_webhook, name="x_activity_webhook")]
