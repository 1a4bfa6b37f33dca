"""Registry of call scenarios and how often each happens in generated traffic.

A scenario is `fn(rec, ids)`: it drives one CallRecord from its first line to its end.
Weights are relative; queue traffic dominates, as in a small sales/support office.
"""
from __future__ import annotations

from typing import Callable

from . import direct, outbound, queue
from .outbound import click_to_call

Scenario = Callable[..., None]

SCENARIOS: dict[str, tuple[float, Scenario]] = {
    "queue_answered": (20, queue.queue_answered),
    "queue_abandoned": (6, queue.queue_abandoned),
    "queue_overflow": (4, queue.queue_overflow),
    "queue_timeout": (2, queue.queue_timeout),
    "ivr_to_queue": (7, queue.ivr_to_queue),
    "callback_initiated": (2, queue.callback_initiated),
    "callback_answered": (2, queue.callback_answered),
    "callback_failed": (1, queue.callback_failed),
    "direct_answered": (9, direct.direct_answered),
    "direct_forwarded": (3, direct.direct_forwarded),
    "direct_voicemail": (3, direct.direct_voicemail),
    "blind_transfer": (2, direct.blind_transfer),
    "attended_transfer": (2, direct.attended_transfer),
    "ring_group_answered": (4, direct.ring_group_answered),
    "ring_group_missed": (2, direct.ring_group_missed),
    "outbound_answered": (10, outbound.outbound_answered),
    "outbound_unanswered": (5, outbound.outbound_unanswered),
    "internal_answered": (5, outbound.internal_answered),
    "internal_missed": (2, outbound.internal_missed),
}

__all__ = ["SCENARIOS", "Scenario", "click_to_call"]
