"""Click-to-call through a file-drop inbox that the live writer polls.

Contract (README.md): `place_call` drops `<request_id>.json` into the inbox (written to a
`.tmp` name first, then renamed, so the writer never reads half a file). The writer takes
each request (deletes the .json), emits the outbound call starting at its current time,
and answers with `<request_id>.done` = {"request_id", "pbx_call_id", "unique_call_id"}
or `<request_id>.error` = {"request_id", "error"}.
"""
from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

_NUMBER = re.compile(r"\+?\d{3,20}")


def place_call(inbox: Path, *, user: str, number: str, caller_id: str | None = None) -> str:
    """Ask the live writer to place a call; returns the request id (see wait_for_call)."""
    if not str(user).strip():
        raise ValueError("user (extension) is required")
    if not _NUMBER.fullmatch(number):
        raise ValueError(f"not a dialable number: {number!r}")
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    request_id = uuid.uuid4().hex
    body = {"request_id": request_id, "user": str(user), "number": number,
            "caller_id": caller_id, "requested_at": time.time()}
    temp = inbox / f"{request_id}.json.tmp"
    temp.write_text(json.dumps(body), encoding="utf-8")
    os.replace(temp, inbox / f"{request_id}.json")
    return request_id


def wait_for_call(inbox: Path, request_id: str, *, timeout: float = 10.0) -> str:
    """The pbx_call_id the writer gave the request; raises TimeoutError or ValueError."""
    done, error = Path(inbox) / f"{request_id}.done", Path(inbox) / f"{request_id}.error"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done.exists():
            return json.loads(done.read_text(encoding="utf-8"))["pbx_call_id"]
        if error.exists():
            raise ValueError(json.loads(error.read_text(encoding="utf-8"))["error"])
        time.sleep(0.05)
    raise TimeoutError(f"no answer to click-to-call request {request_id}")


def take_requests(inbox: Path) -> list[dict]:
    """Requests waiting in the inbox, oldest first; each is removed as it is taken."""
    if not inbox.is_dir():
        return []
    taken = []
    for path in sorted(inbox.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            body = {"request_id": path.stem, "invalid": True}
        path.unlink(missing_ok=True)
        taken.append(body)
    return taken


def reply(inbox: Path, request_id: str, **fields) -> None:
    suffix = "error" if "error" in fields else "done"
    temp = inbox / f"{request_id}.{suffix}.tmp"
    temp.write_text(json.dumps({"request_id": request_id, **fields}), encoding="utf-8")
    os.replace(temp, inbox / f"{request_id}.{suffix}")
