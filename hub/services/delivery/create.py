"""The outbox: one Delivery per (catalogue event, matching endpoint), in the ingest transaction."""
from __future__ import annotations

import json
import uuid
from hashlib import blake2b
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from hub.models import CatalogueEvent, Delivery, DeliveryStatus, WebhookComponent, WebhookEndpoint
from hub.services.delivery.config import endpoint_config
from hub.services.delivery.enqueue import endpoints_wake_on_commit
from hub.services.delivery.filters import filters_match
from integrations.delivery import RenderedRequest, custom_header_problems, render


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def event_message_id(*, endpoint_id: int, pbx_id: int, key: str) -> str:
    """The webhook-id of a catalogue event's delivery to an endpoint. It comes from the event's
    stable key (hub.assembly.emission), not from chance: the same fact gets the same id
    whatever order the hub read its sources in (an import of a day, or following it)."""
    digest = blake2b(f"{endpoint_id}\x00{pbx_id}\x00{key}".encode(), digest_size=16).hexdigest()
    return f"msg_{digest}"


class Subscriber(NamedTuple):
    """What rendering needs of an enabled endpoint (endpoint_config reads the same names);
    secrets are not among them: they are added at send time and never frozen into a row."""

    pk: int
    account_id: int
    url: str
    dialect: str
    headers: dict[str, str]
    event_paths: dict[str, str]
    triggers: frozenset[str]
    filters: dict[str, Any]
    recording_url: str
    recording_full_info: bool


_SUBSCRIBER_COLUMNS = ("id", "account_id", "url", "dialect", "headers", "event_paths", "triggers", "filters",
                       "recording_url", "recording_full_info")


def _subscribers(account_ids: set[int]) -> dict[int, list[Subscriber]]:
    """Enabled endpoints by account, in one plain query: every push asks, and building model
    instances (and decrypting their secrets) for it would cost more than the query."""
    from hub.services.ingest.sql_in import select_in  # here: hub.services.ingest imports this module

    qn = connection.ops.quote_name
    sql = (f"SELECT {', '.join(qn(c) for c in _SUBSCRIBER_COLUMNS)} FROM {qn(WebhookEndpoint._meta.db_table)} "
           f"WHERE enabled = %s AND")
    grouped: dict[int, list[Subscriber]] = defaultdict(list)
    for pk, account_id, url, dialect, headers, paths, triggers, filters, recording_url, full_info in select_in(
            sql, [True], qn("account_id"), sorted(account_ids)):
        # Both databases hand JSON columns to a plain cursor as text (and SQLite booleans as 0/1).
        grouped[account_id].append(Subscriber(pk, account_id, url, dialect, json.loads(headers or "{}"),
                                              json.loads(paths or "{}"), frozenset(json.loads(triggers or "[]")),
                                              json.loads(filters or "{}"), recording_url or "", bool(full_info)))
    return grouped


def _component_headers(events: list) -> dict[tuple[int, str], dict[str, str]]:
    """(account, component name) -> the headers set on that Webhook component, sent with its
    events as the cloud PBX does ("along with any additional headers defined on the webhook
    object"); a header the hub sets itself, or a malformed one, is left out."""
    names = {(e.account_id, e.payload.get("component_name", "")) for e in events
             if e.trigger == "webhook_component_event"}
    if not names:
        return {}
    rows = WebhookComponent.objects.filter(account_id__in={a for a, _ in names}, name__in={n for _, n in names})
    return {(c.account_id, c.name): {k: str(v) for k, v in (c.headers or {}).items()
                                     if not custom_header_problems({k: str(v)})} for c in rows}


def delivery_row(*, endpoint: WebhookEndpoint, request: RenderedRequest, trigger: str, now,
                 event: CatalogueEvent | None = None, is_test: bool = False, **extra) -> Delivery:
    """An unsaved Delivery of ``request`` (the test button's; ingest writes plain rows)."""
    return Delivery(
        account_id=endpoint.account_id, endpoint=endpoint, event_id=event.pk if event is not None else None,
        call_id=event.call_id if event is not None else None, sequence=event.sequence if event is not None else 0,
        trigger=trigger, message_id=new_message_id(), method=request.method, url=request.url,
        headers=dict(request.headers), body=bytes(request.body), is_test=is_test,
        next_attempt_at=now, **extra,
    )


_COLUMNS = ("account", "endpoint", "event", "call", "sequence", "trigger", "message_id", "method", "url", "headers",
            "body", "status", "is_test", "attempt_count", "next_attempt_at", "last_error", "created_at")


def deliveries_create(*, events: Iterable[CatalogueEvent]) -> int:
    """Render each event for every enabled endpoint of its account that subscribes to it and
    whose filters match, freeze the requests as Delivery rows, and wake their endpoints' pumps
    on commit; returns how many rows it wrote.
    An event is a CatalogueEvent or any stored row with the same attributes (pk, account_id,
    pbx_id, call_id, key, sequence, trigger, payload).

    Call it inside the transaction that created the events: the rows commit with them.
    """
    from hub.services.recordings.release import media_hold  # here: it imports this package

    # A recording's or voicemail's event waits for its audio (hub.services.recordings.release).
    events = media_hold(list(events))
    if not events:
        return 0
    now = timezone.now()
    subscribers = _subscribers({e.account_id for e in events})
    component_headers = _component_headers(events)
    rows, configs = [], {}
    for event in events:
        for endpoint in subscribers.get(event.account_id, ()):
            if event.trigger not in endpoint.triggers or not filters_match(endpoint.filters, event.payload):
                continue
            config = configs.get(endpoint.pk) or configs.setdefault(endpoint.pk, endpoint_config(endpoint))
            request = render(event.trigger, event.payload, config)
            extra = component_headers.get((event.account_id, event.payload.get("component_name")))
            if request is not None and extra:
                request = request.with_headers(extra)
            if request is not None:
                # The call's own event sequence orders that call's deliveries to each endpoint.
                message_id = event_message_id(endpoint_id=endpoint.pk, pbx_id=event.pbx_id, key=event.key)
                rows.append((endpoint.account_id, endpoint.pk, event.pk, event.call_id, event.sequence, event.trigger,
                             message_id, request.method, request.url, dict(request.headers),
                             bytes(request.body), DeliveryStatus.PENDING, False, 0, now, "", now))
    from hub.services.ingest.fast_insert import rows_insert  # here: hub.services.ingest imports this module

    rows_insert(Delivery, _COLUMNS, rows)
    endpoints_wake_on_commit({row[1] for row in rows})  # one pump task per endpoint
    return len(rows)
