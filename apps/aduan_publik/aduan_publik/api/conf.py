"""Framework settings of the API, imported by ``config/settings.py`` (no Django imports here)."""

from __future__ import annotations

from typing import Any

API_APPS = ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "aduan_publik.api"]

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["aduan_publik.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["aduan_publik.api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["aduan_publik.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aduan_publik.api.errors.problem_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Aduan Publik API",
    "DESCRIPTION": (
        "The integrator API of an Aduan Publik complaint hub: complaints, workflow actions, "
        "reference data, figures and attachments. Authenticate with `Authorization: Bearer <token>`. "
        "Errors are RFC 9457 problem details (`application/problem+json`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ComplaintKindEnum": "aduan_publik.models.complaint.Complaint.Kind",
                            "OpdKindEnum": "aduan_publik.models.org.OPD.Kind"},
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "aduan_publik.api.schema.add_problems",
    ],
}
