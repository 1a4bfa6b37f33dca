"""The few replies a push can get; senders are machines, so the shapes never vary."""
from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from hub.services.ingest import IngestResult
from integrations.push_errors import PushError


def accepted(result: IngestResult) -> Response:
    body = {"status": "accepted", "received": result.received, "stored": result.stored,
            "duplicates": result.duplicates}
    return Response(body, status=status.HTTP_202_ACCEPTED)


def not_found() -> Response:
    # One body for every token we do not know, malformed or not: a caller learns nothing.
    return Response({"status": "error", "message": "Not found"}, status=status.HTTP_404_NOT_FOUND)


def token_missing() -> Response:
    body = {"status": "error", "message": "ingest token missing: send Authorization: Bearer <token> or "
                                          "X-Pbx-Token: <token>, or put it in the URL"}
    return Response(body, status=status.HTTP_401_UNAUTHORIZED)


def invalid(error: PushError) -> Response:
    body = {"status": "error", "message": f"{error.field}: {error.message}", "field": error.field}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def too_large(limit: int) -> Response:
    body = {"status": "error", "message": f"body: larger than {limit} bytes", "field": "body"}
    return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
