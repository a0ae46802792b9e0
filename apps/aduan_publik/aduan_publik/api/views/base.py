"""What every API view shares: the token in hand, request size limits, the action answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.generics import GenericAPIView

from ..errors import too_large
from ..models import ApiToken

UPLOAD_SLACK = 64 * 1024  # multipart boundaries and headers around one file


class ApiView(GenericAPIView):  # type: ignore[type-arg]
    """Refuses a body larger than the site allows before anything reads it (413)."""

    scope_resource = "complaints"
    accepts_files = False

    def limit(self) -> int:
        if self.accepts_files:
            return int(settings.ADUAN["max_upload_bytes"]) + UPLOAD_SLACK
        return int(settings.ADUAN["api"]["max_body_bytes"])

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit():
            self.args, self.kwargs, self.request = args, kwargs, self.initialize_request(request, *args, **kwargs)
            self.headers = self.default_response_headers
            response = too_large()
            return self.finalize_response(self.request, response, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    @property
    def token(self) -> ApiToken:
        auth = self.request.auth
        assert isinstance(auth, ApiToken)  # TokenScope let the request in
        return auth

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "token": self.token}

