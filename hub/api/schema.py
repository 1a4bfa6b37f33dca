"""OpenAPI pieces shared by the key-authenticated views: the key as a security scheme, the envelope."""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "hub.api.auth.ApiKeyAuthentication"
    name = "ApiKeyToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "token",
                "description": "The account's API key (pbxh_…). `Authorization: Bearer <key>` and "
                               "`X-Api-Key: <key>` work too. The caller's address must be whitelisted."}


class NumberTextSchema(OpenApiSerializerFieldExtension):
    """A NumberText takes a string (its own rules) or a whole number."""
    target_class = "hub.api.params.NumberText"

    def map_serializer_field(self, auto_schema, direction):
        text = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            return text
        # What describes the value as a whole stays outside the alternatives; drf-spectacular
        # adds a field's length and pattern only to a schema with a type, so the text one gets
        # them here.
        outer = {k: text.pop(k) for k in ("description", "nullable") if k in text}
        auto_schema._insert_field_validators(self.target, text)
        return {"oneOf": [text, {"type": "integer", "minimum": 0}], **outer}


def envelope_of(name: str, row: serializers.Serializer | None, *, many: bool = True, extra: dict | None = None):
    fields = {
        "status": serializers.ChoiceField(choices=["success"]),
        "message": serializers.CharField(),
        "code": serializers.IntegerField(),
        "data": row.__class__(many=True) if many else row.__class__(),
    }
    return inline_serializer(name, fields | (extra or {}))


ErrorEnvelope = inline_serializer("ErrorEnvelope", {
    "status": serializers.ChoiceField(choices=["error"]),
    "message": serializers.CharField(help_text="Names the parameter at fault, e.g. `from_date: expected YYYY-MM-DD`"),
    "code": serializers.IntegerField(help_text="The HTTP status"),
    "data": serializers.ListField(child=serializers.CharField(), max_length=0),
})

ERRORS = {
    400: OpenApiResponse(ErrorEnvelope, description="A parameter is wrong; the message names it."),
    401: OpenApiResponse(ErrorEnvelope, description="Missing/invalid/revoked/expired key, or the address "
                                                    "is not whitelisted."),
    403: OpenApiResponse(ErrorEnvelope, description="The key lacks the scope."),
    429: OpenApiResponse(ErrorEnvelope, description="Too many requests for this key; see Retry-After."),
}


def _unavailable_response(error_ref: dict) -> dict:
    from hub.views.errors import RETRY_AFTER_SECONDS
    return {
        "description": "The database cannot be reached (a restart or failover): nothing was stored or "
                       "changed, and the same request will succeed once it is back. Retry after "
                       "`Retry-After` seconds.",
        "headers": {"Retry-After": {
            "required": True,
            "description": f"Seconds to wait before retrying (now {RETRY_AFTER_SECONDS}).",
            "schema": {"type": "integer", "minimum": 1},
        }},
        "content": {"application/json": {"schema": error_ref}},
    }


def document_database_outage(result: dict, **_) -> dict:
    """drf-spectacular postprocessing hook: every operation can answer 503 + Retry-After.

    DatabaseUnavailableMiddleware answers any request under /api/ and /ingest/ that meets a
    database outage, whichever view it was for, so the reply is documented once here rather
    than in each view's responses. The body is the key-authenticated views' ErrorEnvelope
    (hub.views.errors.database_unavailable), on the push URLs too.
    """
    response = _unavailable_response({"$ref": "#/components/schemas/ErrorEnvelope"})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("503", response)
    return result

