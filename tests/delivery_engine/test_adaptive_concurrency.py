"""Adaptive per-endpoint concurrency: grows while the endpoint's latency holds, backs off on
timeouts, errors, 429 and Retry-After, never above the ceiling the account configured; per-call
order unchanged."""
import pytest

from hub.models import Delivery, DeliveryStatus
from hub.services.delivery import endpoint_pump, webhook_endpoint_create
from hub.services.delivery.adaptive import INITIAL, LIMITS, NEUTRAL, OK, OVERLOAD, AdaptiveLimit, verdict
from integrations.delivery import SendResult
from tests.delivery_engine.engine import emit, make_call
from tests.delivery_engine.receiver import Reply

TRIGGERS = ["user_inbound", "user_inbound_answered", "user_inbound_completed"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _round_trip(limit: AdaptiveLimit, clock: Clock, seconds: float, kind: str = OK) -> None:
    """A full window of answers, each with the limit in use, then the time it took passes."""
    for _ in range(limit.current):
        limit.observe(seconds=seconds, kind=kind, in_flight=limit.current)
    clock.now += seconds


@pytest.mark.parametrize("result, expected", [
    (SendResult(200, 10), OK),
    (SendResult(302, 10), OK),
    (SendResult(429, 10), OVERLOAD),
    (SendResult(503, 10), OVERLOAD),
    (SendResult(500, 10), OVERLOAD),
    (SendResult(200, 10, response_headers={"Retry-After": "5"}), OVERLOAD),
    (SendResult(None, 5000, error_class="timeout"), OVERLOAD),
    (SendResult(None, 3, error_class="connection"), OVERLOAD),
    (SendResult(404, 10), NEUTRAL),
    (SendResult(410, 10), NEUTRAL),
    (SendResult(None, 1, error_class="ssrf_refused"), NEUTRAL),
    (SendResult(None, 1, error_class="tls"), NEUTRAL),
])
def test_what_an_attempt_says_about_the_endpoints_load(result, expected):
    assert verdict(result) == expected


def test_the_limit_doubles_each_round_trip_while_latency_holds_up_to_the_ceiling():
    clock = Clock()
    limit = AdaptiveLimit(256, clock=clock)
    seen = [limit.current]
    for _ in range(8):
        _round_trip(limit, clock, 0.2)
        seen.append(limit.current)
    assert seen[:7] == [INITIAL, 8, 16, 32, 64, 128, 256]
    assert seen[-1] == 256  # never above the ceiling


def test_the_limit_does_not_grow_when_it_is_not_what_holds_the_endpoint_back():
    clock = Clock()
    limit = AdaptiveLimit(256, clock=clock)
    for _ in range(50):
        limit.observe(seconds=0.2, kind=OK, in_flight=1)  # one call at a time: the order rule holds it
    assert limit.current == INITIAL


def test_a_timeout_batch_halves_the_limit_once_per_round_trip():
    clock = Clock()
    limit = AdaptiveLimit(256, clock=clock)
    for _ in range(4):
        _round_trip(limit, clock, 0.2)
    assert limit.current == 64
    for _ in range(64):  # 64 timeouts coming back together
        limit.observe(seconds=5.0, kind=OVERLOAD, in_flight=64)
    assert limit.current == 32
    clock.now += 1.0
    limit.observe(seconds=5.0, kind=OVERLOAD, in_flight=32)
    assert limit.current == 16
    for _ in range(10):
        clock.now += 2.0
        limit.observe(seconds=5.0, kind=OVERLOAD, in_flight=1)
    assert limit.current == 1  # a dead endpoint ends up with one request at a time, never none


def test_after_a_back_off_the_limit_grows_by_one_per_round_trip():
    clock = Clock()
    limit = AdaptiveLimit(256, clock=clock)
    for _ in range(3):
        _round_trip(limit, clock, 0.2)
    limit.observe(seconds=0.2, kind=OVERLOAD, in_flight=32)  # a 429
    clock.now += 0.5
    assert limit.current == 16
    _round_trip(limit, clock, 0.2)
    _round_trip(limit, clock, 0.2)
    assert limit.current == 17  # congestion avoidance: +1 per round trip, not doubling


def test_latency_growing_well_past_the_best_takes_a_tenth_off_and_stops_growth():
    clock = Clock()
    limit = AdaptiveLimit(256, clock=clock)
    for _ in range(4):
        _round_trip(limit, clock, 0.2)
    assert limit.current == 64
    limit.observe(seconds=1.0, kind=OK, in_flight=64)  # the receiver is queueing our requests
    assert limit.current == 57
    for _ in range(20):
        limit.observe(seconds=1.0, kind=OK, in_flight=57)
    assert limit.current == 57  # one decrease per round trip, and no growth while slow


def test_neutral_answers_leave_the_limit_alone_and_the_ceiling_can_shrink():
    clock = Clock()
    limit = AdaptiveLimit(256, clock=clock)
    _round_trip(limit, clock, 0.2)
    for _ in range(10):
        limit.observe(seconds=0.2, kind=NEUTRAL, in_flight=8)
    assert limit.current == 8
    limit.set_ceiling(3)
    assert limit.current == 3
    assert AdaptiveLimit(2).current == 2  # a ceiling below the initial limit is the limit


def _endpoint(account, url, **fields):
    return webhook_endpoint_create(account=account, url=url, actor="test", triggers=TRIGGERS + ["agent_status"],
                                   **fields)[0]


@pytest.mark.django_db
def test_a_pump_grows_past_the_initial_limit_within_the_ceiling_and_keeps_each_calls_order(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url, max_concurrency=12)
    receiver.default = Reply(200, delay=0.05)
    for n in range(1, 31):
        call = make_call(pbx, f"250301091422_{n}")
        for sequence, trigger in enumerate(TRIGGERS, 1):
            emit(pbx, trigger, call=call, sequence=sequence, unique_call_id=f"250301091422_{n}")

    result = endpoint_pump(endpoint_id=endpoint.pk)

    assert result.outcomes == {DeliveryStatus.DELIVERED: 90}
    assert INITIAL < receiver.max_active <= 12  # grew past 4, never above the ceiling
    assert LIMITS.get(endpoint.pk, 12).current > INITIAL
    for n in range(1, 31):
        bodies = [r.body for r in receiver.requests if f"250301091422_{n}\"".encode() in r.body]
        assert [b"answered" in b for b in bodies] == [False, True, False] and b"completed" in bodies[2]


@pytest.mark.django_db
def test_a_pump_backs_off_when_the_endpoint_answers_429(account, pbx, receiver):
    endpoint = _endpoint(account, receiver.url, max_concurrency=12)
    receiver.default = Reply(429, headers={"Retry-After": "30"})
    for _ in range(8):
        emit(pbx, "agent_status")

    result = endpoint_pump(endpoint_id=endpoint.pk)

    assert result.outcomes == {DeliveryStatus.PENDING: 8}  # each tried once, to be retried after Retry-After
    assert receiver.max_active <= INITIAL  # the first four together, then fewer
    assert LIMITS.get(endpoint.pk, 12).current < INITIAL
