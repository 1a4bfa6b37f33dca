"""Form helpers: a service's InvalidInput lands on the field it names."""
from __future__ import annotations

from hub.errors import HubError, InvalidInput


def add_service_error(form, exc: HubError, *, fields: dict[str, str] | None = None) -> None:
    """Attach a service error to the matching form field (renamed through ``fields``), else the form."""
    if isinstance(exc, InvalidInput):
        name = (fields or {}).get(exc.field, exc.field)
        if name in form.fields:
            form.add_error(name, sentence(exc.message))
            return
    form.add_error(None, sentence(str(exc)))


def sentence(message: str) -> str:
    """Services speak in clauses ("must be an http:// URL"); a page shows sentences."""
    return message[:1].upper() + message[1:]


def split_list(text: str) -> list[str]:
    """``"101, 102\\n103"`` → ["101", "102", "103"]."""
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]
