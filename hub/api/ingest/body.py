"""Reading a push body without trusting the sender about its size or its encoding."""
from __future__ import annotations

import json
from typing import Any

from integrations.json_nesting import TOO_DEEP, nests_too_deep
from integrations.push_errors import PushError

MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(Exception):
    pass


def read_body(request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """At most ``limit`` bytes of the body; BodyTooLarge beyond that.

    The declared length is checked first so a big upload is refused unread; the read is
    bounded too, because the declared length is only the sender's word.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge
    body = request.read(limit + 1)
    if len(body) > limit:
        raise BodyTooLarge
    return body


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON: the databases' JSON columns refuse them at insert time.
    raise PushError("body", f"{name} is not a JSON value")


def decode_json(body: bytes) -> Any:
    if not body.strip():
        raise PushError("body", "empty; expected a JSON object or a list of objects")
    try:
        payload = json.loads(body, parse_constant=_refuse_constant)
        # "\ud800" escapes decode to lone surrogates, which no database driver can encode.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except PushError:
        raise
    except RecursionError:
        raise PushError("body", TOO_DEEP) from None
    except UnicodeEncodeError:
        raise PushError("body", "a string holds an unpaired UTF-16 surrogate escape") from None
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, over-long integers
        raise PushError("body", f"not valid JSON: {exc}") from None
    if nests_too_deep(payload):
        raise PushError("body", TOO_DEEP)
    return payload
