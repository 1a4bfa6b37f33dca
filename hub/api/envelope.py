"""The cloud PBX's reply envelope, for success and for every error of the key-authenticated API.

Its clients branch on ``status`` and read ``message``; they were written against
``{"status", "message", "code", "data"}``, so every error — DRF's own included — has that shape.
"""
from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hub.errors import HubError, InvalidInput, NotFound


def success(data, *, message: str = "OK", code: int = status.HTTP_200_OK) -> Response:
    return Response({"status": "success", "message": message, "code": code, "data": data}, status=code)


def error(message: str, code: int, headers: dict | None = None) -> Response:
    return Response({"status": "error", "message": message, "code": code, "data": []}, status=code,
                    headers=headers)


def _first_error(where: str, detail) -> str:
    """``where: message`` of the first error, down to the item at fault: ``triggers[1]: …``."""
    if isinstance(detail, dict) and detail:
        key, inner = next(iter(detail.items()))
        return _first_error(f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}", inner)
    if isinstance(detail, list) and detail:
        return _first_error(where, detail[0])
    return f"{where}: {detail}"


def _message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict) and detail:  # serializer errors: "field: first message"
        field, messages = next(iter(detail.items()))
        return _first_error(str(field), messages)
    if isinstance(detail, list):
        return str(detail[0]) if detail else exc.default_detail
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        return error(str(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (NotFound, Http404)):
        return error(str(exc) or "Not found", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, HubError):
        return error(str(exc), status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django log it and answer 500
    message = _message(exc) if isinstance(exc, exceptions.APIException) else "error"
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    return error(message, response.status_code, headers)
