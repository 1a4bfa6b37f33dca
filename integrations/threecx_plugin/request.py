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

from .fields import LINK_PATTERN, MAX_LENGTHS, MAX_LINK_LENGTH, MAX_NUMBER, TEXT_LINKS_PATTERN

_URL = re.compile(LINK_PATTERN)
_TEXT_LINKS = re.compile(TEXT_LINKS_PATTERN)


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
    if _TEXT_LINKS.fullmatch(text) is None:
        raise PushError("body", "expected a JSON object, a form, or recording links alone")
    return {"FILES": _URL.findall(text)}


def _as_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int) and 0 <= value <= MAX_NUMBER:
        return str(value)
    raise PushError(name, f"expected text, a whole number from 0 to {MAX_NUMBER}, true/false or null")


def _text(name: str, value: Any) -> str:
    text = _as_text(name, value)
    if "\x00" in text or "\x00" in name:
        # PostgreSQL cannot store one; the request is kept whole with its events.
        raise PushError(name, "must not contain a NUL character")
    limit = MAX_LENGTHS.get(name.lower())
    if limit is not None and len(text) > limit:
        raise PushError(name, f"at most {limit} characters")
    return text


def _files(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise PushError("FILES", "expected a list of recording URLs")
    for index, item in enumerate(items):
        if not item.strip():
            raise PushError(f"FILES[{index}]", "blank; expected a recording link")
        if "\x00" in item:
            raise PushError(f"FILES[{index}]", "must not contain a NUL character")
        if len(item) > MAX_LINK_LENGTH:
            raise PushError(f"FILES[{index}]", f"at most {MAX_LINK_LENGTH} characters")
    return [item.strip() for item in items]


def read_request(
    *, method: str, query: Mapping[str, str], body: bytes | None, content_type: str | None
) -> PluginRequest:
    if method.upper() not in ("GET", "POST"):
        raise PushError("method", f"{method!r} is not accepted (the plugin sends GET or POST)")
    original: dict[str, Any] = {str(key): value for key, value in query.items()}
    if method.upper() == "GET" and any(name.lower() == "files" for name in original):
        raise PushError("FILES", "recording links come in a POST (the plugin's WEBHOOK_POST_URL), not a GET")
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
