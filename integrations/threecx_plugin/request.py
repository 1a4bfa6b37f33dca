"""One plugin request (GET query, JSON/form POST, or a bare recording URL) as flat fields."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from integrations.json_nesting import TOO_DEEP, nests_too_deep
from integrations.push_errors import PushError

_URL = re.compile(r"https?://[^\s'\"‘’“”]+")


@dataclass(frozen=True, slots=True)
class PluginRequest:
    fields: dict[str, str]  # lower-cased names, string values; FILES is not among them
    files: list[str] | None  # recording URLs; None when this is not a recording request
    original: dict[str, Any]  # the fields exactly as sent, kept in the events' data
    raw: str


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        if text.startswith('"'):
            # Seed 003's recording request is a member without its braces:
            # "FILES": ["https://…"]. Read it as the object it is part of.
            try:
                return json.loads("{" + text + "}")
            except ValueError:
                pass
        raise PushError("body", f"not valid JSON: {exc}") from None


def _json_body(text: str) -> dict[str, Any]:
    try:
        parsed = _loads(text)
    except RecursionError:
        raise PushError("body", TOO_DEEP) from None
    if nests_too_deep(parsed):
        raise PushError("body", TOO_DEEP)
    if isinstance(parsed, list):
        return {"FILES": parsed}  # a bare list can only be recording URLs
    if not isinstance(parsed, dict):
        raise PushError("body", "expected a JSON object")
    return parsed


def _body_fields(body: bytes, content_type: str | None) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace").removeprefix("\ufeff").strip()
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    if media_type.endswith("json") or text[:1] in ("{", "["):
        return _json_body(text)
    # The GET scheme's recording request is a POST of nothing but the link (seed 002).
    urls = _URL.findall(text)
    if not urls:
        raise PushError("body", "expected a JSON object, a form, or recording URLs")
    return {"FILES": urls}


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise PushError(name, f"expected a string, got {type(value).__name__}")


def _files(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise PushError("FILES", "expected a list of recording URLs")
    return [item.strip() for item in items if item.strip()]


def read_request(
    *, method: str, query: Mapping[str, str], body: bytes | None, content_type: str | None
) -> PluginRequest:
    if method.upper() not in ("GET", "POST"):
        raise PushError("method", f"{method!r} is not accepted (the plugin sends GET or POST)")
    original: dict[str, Any] = {str(key): value for key, value in query.items()}
    if body and body.strip():
        original.update(_body_fields(body, content_type))
    fields: dict[str, str] = {}
    files: list[str] | None = None
    for name, value in original.items():
        if name.lower() == "files":
            files = _files(value)
        else:
            fields[name.lower()] = _text(name, value)
    raw = body.decode("utf-8", errors="replace") if body and body.strip() else urlencode(query)
    return PluginRequest(fields, files, original, raw)
