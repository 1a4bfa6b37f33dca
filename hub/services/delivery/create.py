"""The outbox: one Delivery per (catalogue event, matching endpoint), in the ingest transaction."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from hub.models import CatalogueEvent, Delivery, WebhookEndpoint
from hub.services.delivery.config import endpoint_config
from hub.services.delivery.enqueue import endpoints_wake_on_commit
from hub.services.delivery.filters import filters_match
from integrations.delivery import RenderedRequest, render


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _endpoints_by_account(account_ids: set[int]) -> dict[int, list[WebhookEndpoint]]:
    grouped: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    # Secrets are not needed to render (they are added at send time): skip decrypting them.
    for endpoint in (WebhookEndpoint.objects.filter(account_id__in=account_ids, enabled=True)
                     .defer("secret_token", "bearer_token")):
        grouped[endpoint.account_id].append(endpoint)
    return grouped


def delivery_row(*, endpoint: WebhookEndpoint, request: RenderedRequest, trigger: str, now,
                 event: CatalogueEvent | None = None, is_test: bool = False, **extra) -> Delivery:
    """``event``: a CatalogueEvent, or any row with its pk, call_id and sequence (ingest
    passes plain tuples, not model instances)."""
    return Delivery(
        account_id=endpoint.account_id, endpoint=endpoint, event_id=event.pk if event is not None else None,
        call_id=event.call_id if event is not None else None,
        # The call's own event sequence orders that call's deliveries to each endpoint.
        sequence=event.sequence if event is not None else 0,
        trigger=trigger, message_id=new_message_id(), method=request.method, url=request.url,
        headers=dict(request.headers), body=bytes(request.body), is_test=is_test,
        next_attempt_at=now, **extra,
    )


def deliveries_create(*, events: Iterable[CatalogueEvent]) -> list[Delivery]:
    """Render each event for every enabled endpoint of its account that subscribes to it and
    whose filters match, freeze the requests as Delivery rows, and wake their endpoints' pumps
    on commit.
    An event is a CatalogueEvent or any stored row with the same attributes (pk, account_id,
    call_id, sequence, trigger, payload).

    Call it inside the transaction that created the events: the rows commit with them.
    """
    events = list(events)
    if not events:
        return []
    now = timezone.now()
    endpoints = _endpoints_by_account({e.account_id for e in events})
    rows, configs = [], {}
    for event in events:
        for endpoint in endpoints.get(event.account_id, ()):
            if event.trigger not in (endpoint.triggers or []) or not filters_match(endpoint.filters, event.payload):
                continue
            config = configs.setdefault(endpoint.pk, endpoint_config(endpoint))
            request = render(event.trigger, event.payload, config)
            if request is not None:
                rows.append(delivery_row(endpoint=endpoint, request=request, trigger=event.trigger, event=event,
                                         now=now))
    created = Delivery.objects.bulk_create(rows, batch_size=500)
    endpoints_wake_on_commit({d.endpoint_id for d in created})  # one pump task per endpoint
    return created
