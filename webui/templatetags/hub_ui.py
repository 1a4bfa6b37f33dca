"""Small presentation helpers for the console's templates."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from webui.delivery_errors import explain, explain_reason

register = template.Library()

# Outline icons (24×24, stroke) in the style of Feather/Lucide, drawn inline: no icon font.
ICONS = {
    "home": '<path d="M3 11l9-8 9 8"/><path d="M5 10v10h14V10"/>',
    "webhook": '<circle cx="6" cy="17" r="3"/><circle cx="18" cy="17" r="3"/><circle cx="12" cy="6" r="3"/><path d="M9 17h6M10.5 8.6L7.5 14.4M13.5 8.6l3 5.8"/>',
    "send": '<path d="M22 2L11 13"/><path d="M22 2l-7 20-4-9-9-4 20-7z"/>',
    "phone": '<path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z"/>',
    "phone-out": '<path d="M16 2h6v6M15 9l7-7"/><path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z"/>',
    "key": '<circle cx="7.5" cy="15.5" r="4.5"/><path d="M10.7 12.3L21 2M16 7l3 3M18 5l2 2"/>',
    "server": '<rect x="3" y="3" width="18" height="7" rx="2"/><rect x="3" y="14" width="18" height="7" rx="2"/><path d="M7 6.5h.01M7 17.5h.01"/>',
    "users": '<path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2"/><circle cx="9" cy="7" r="4"/><path d="M23 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8"/>',
    "menu": '<path d="M3 6h18M3 12h18M3 18h18"/>',
    "list": '<path d="M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01"/>',
    "copy": '<rect x="9" y="9" width="13" height="13" rx="2"/><path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "book": '<path d="M4 19.5A2.5 2.5 0 0 1 6.5 17H20V3H6.5A2.5 2.5 0 0 0 4 5.5z"/><path d="M4 19.5V21h16"/>',
    "terminal": '<path d="M4 17l6-6-6-6M12 19h8"/>',
}


@register.simple_tag
def icon(name: str) -> str:
    path = ICONS.get(name, "")
    return mark_safe(f'<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
                     f'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{path}</svg>')


@register.filter
def pretty_json(value) -> str:
    if isinstance(value, (bytes, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


@register.filter
def seconds(value) -> str:
    """135 → 2m 15s."""
    if value in (None, ""):
        return "—"
    value = int(value)
    if value < 60:
        return f"{value}s"
    if value < 3600:
        return f"{value // 60}m {value % 60:02d}s"
    return f"{value // 3600}h {value % 3600 // 60:02d}m"


@register.filter
def ago(value) -> str:
    """How long ago, in words: "just now" under a minute (timesince says "0 minutes")."""
    if not value:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"


TONES = {
    "delivered": "ok", "answered": "ok", "connected": "ok", "ended": "muted", "healthy": "ok", "enabled": "ok",
    "failed": "error", "failing": "error", "missed": "error", "abandoned": "error", "error": "error",
    "pending": "warn", "sending": "info", "queued": "warn", "ringing_user": "info", "in_progress": "info",
    "disabled": "muted", "no_traffic": "muted", "revoked": "muted", "expired": "muted", "closed_idle": "warn", "unanswered": "warn",
    "stored": "ok", "announced": "info", "missing": "warn", "purged": "muted",
}

LABELS = {"no_traffic": "no traffic yet"}


@register.simple_tag
def pill(status, label: str | None = None) -> str:
    """A status badge; every label in lower case, so "in progress" sits beside "answered"."""
    status = str(status or "")
    text = label or LABELS.get(status) or status.replace("_", " ")
    return format_html('<span class="pill {}">{}</span>', TONES.get(status, ""), text.lower())


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination and tabs)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


@register.simple_tag
def error_text(reason: str = "", error_class: str = "", message: str = "", advice: bool = False) -> str:
    """A delivery error in plain words: ``{% error_text d.last_error %}`` or by class and message.

    The raw message stays in a tooltip; ``advice=True`` adds what to do.
    """
    explained = explain(error_class, message) if error_class else explain_reason(reason)
    if explained is None:
        return reason or message
    if advice and explained.advice:
        return format_html('<span title="{}">{}</span>. {}', explained.detail, explained.title, explained.advice)
    return format_html('<span title="{}">{}</span>', explained.detail, explained.title)


@register.filter
def audit_value(value) -> str:
    """One side of an audit change, readable: "—" for nothing, lists joined, objects as JSON."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and _ISO_TIME.match(value):
        # Stored as ISO text in UTC; shown like every other time on the page, in its zone.
        from django.utils.dateformat import format as date_format

        try:
            return date_format(timezone.localtime(datetime.fromisoformat(value)), "D j M Y, H:i:s")
        except ValueError:
            return value
    return str(value)


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
