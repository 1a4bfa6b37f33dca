"""The two line formats (LOG_FORMAT): readable text, the default, and JSON. Both put the
record's fields (``extra={"fields": {...}}``) and its scope's (context.py) in the line, and both
pass the finished line through hub.log_redaction, so no field, message or traceback carries a
credential."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from hub.log_redaction import redact


def _fields(record: logging.LogRecord) -> dict:
    return {**getattr(record, "context", {}), **getattr(record, "fields", {})}


def _text_value(value) -> str:
    text = str(value)
    return json.dumps(text) if not text or any(c in text for c in ' "=\n') else text


class TextFormatter(logging.Formatter):
    """``2026-12-07 22:14:03,512 INFO hub.delivery delivery attempt account=3 webhook_id=msg_… status=200``"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = _fields(record)
        if fields:
            head, newline, trace = line.partition("\n")  # fields before a traceback, on the message's line
            line = head + " " + " ".join(f"{key}={_text_value(value)}" for key, value in fields.items()) + newline + trace
        return redact(line)


class JsonFormatter(logging.Formatter):
    """One object per line: time (UTC, ISO 8601), level, logger, message, the fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage(), **_fields(record)}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return redact(json.dumps(line, default=str, ensure_ascii=False))


def line_formatter(log_format: str) -> logging.Formatter:
    """The formatter LOG_FORMAT names (text or json)."""
    return JsonFormatter() if log_format == "json" else TextFormatter()
