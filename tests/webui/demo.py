"""Recent-looking traffic for the browser suite's screenshots: a day's curve of calls and
deliveries, so the charts show what a working account looks like."""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from hub.models import Call, Delivery, DeliveryStatus

# Calls per hour by local hour of day: quiet nights, a morning and an afternoon peak.
CURVE = [0, 0, 0, 0, 0, 1, 2, 5, 11, 16, 18, 15, 10, 12, 17, 15, 12, 8, 4, 2, 1, 1, 0, 0]


def seed_traffic(*, pbx, endpoint, days: int = 7, seed: int = 6) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    calls, deliveries = [], []
    for hours_ago in range(days * 24):
        at = now - timedelta(hours=hours_ago)
        local_hour = (at + timedelta(hours=11)).hour
        weekend = (at + timedelta(hours=11)).weekday() >= 5
        for n in range(max(0, CURVE[local_hour] // (3 if weekend else 1) + rng.randint(-2, 2))):
            start = at - timedelta(minutes=rng.randint(0, 59))
            answered = rng.random() > 0.15
            calls.append(Call(account=pbx.account, pbx=pbx, unique_call_id=f"demo_{hours_ago}_{n}", direction=rng.choice(["inbound", "inbound", "outbound"]),
                              state="ended", caller_number=f"04{rng.randint(10000000, 99999999)}", dest_number="0354060753",
                              call_start_at=start, last_event_at=start, connected_at=start if answered else None,
                              ended_at=start + timedelta(seconds=rng.randint(30, 600)), call_duration=rng.randint(30, 600),
                              conversation_duration=rng.randint(10, 500) if answered else 0))
            for _ in range(2):
                status = DeliveryStatus.DELIVERED
                if 4 <= hours_ago <= 5:
                    status = DeliveryStatus.FAILED  # an afternoon the CRM was down
                elif hours_ago == 0 and rng.random() < 0.5:
                    status = DeliveryStatus.PENDING
                deliveries.append(Delivery(account=pbx.account, endpoint=endpoint, trigger=rng.choice(["user_inbound", "queue_call"]),
                                           message_id=f"msg_{uuid.uuid4().hex}", url=endpoint.url, body=b'{"demo": true}',
                                           status=status, attempt_count=1 if status != "pending" else 0,
                                           last_error="HTTP 503 Service Unavailable" if status == "failed" else ""))
    Call.objects.bulk_create(calls)
    created = Delivery.objects.bulk_create(deliveries)
    # created_at is auto_now_add: move each row to its call's time.
    for delivery, call in zip(created, [c for c in calls for _ in range(2)]):
        Delivery.objects.filter(pk=delivery.pk).update(created_at=call.call_start_at)
