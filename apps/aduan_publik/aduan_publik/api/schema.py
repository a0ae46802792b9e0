"""OpenAPI post-processing: every operation declares its problem+json answers (RFC 9457)."""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "detail"],
            "properties": {"field": {"type": "string"}, "detail": {"type": "string"}}}},
    },
}
COMMON = {"400": "Invalid input (`errors` names each field)", "401": "Missing, unknown, revoked or expired token",
          "403": "The token's scope or its user's role does not allow this",
          "404": "Not found, or not visible to this token", "405": "Method not allowed",
          "406": "Response format not available", "413": "Request body too large",
          "415": "Unsupported media type", "429": "Rate limit exceeded (see `Retry-After`)"}
WRITES = {"409": "Refused workflow transition (the reason is in `detail`)",
          "422": "Idempotency-Key reused for a different request"}


def add_problems(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            codes = {**COMMON, **(WRITES if method != "get" else {})}
            for code, text in codes.items():
                operation.setdefault("responses", {}).setdefault(code, {"description": text, "content": ref})
            if "429" in operation["responses"]:
                operation["responses"]["429"].setdefault(
                    "headers", {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}})
    return result
