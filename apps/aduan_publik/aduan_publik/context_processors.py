from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"city_name": settings.ADUAN["city_name"], "site_name": settings.SITE_NAME}
