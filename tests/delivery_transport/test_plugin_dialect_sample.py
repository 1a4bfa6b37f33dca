"""The plugin dialects over the 3CX sample's calls (tests/fixtures/samples/3cx): what a
receiver written for the 3CX Webhook plugin gets, call by call."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from hub.assembly import assemble_call, derive_events, group_calls
from integrations.delivery import EndpointConfig, render
from tests.ingest.samples import TZ, sample_events

ENDPOINT = EndpointConfig(url="http://receiver.test/hook", dialect="3cx-plugin-get")


@pytest.fixture(scope="module")
def plugin_messages() -> dict[str, list[dict[str, str]]]:
    """unique_call_id -> the plugin's GET messages the hub sends for that call, in order."""
    events = [e for stream in sample_events().values() for e in stream]
    calls, _ = group_calls(events)
    out = {}
    for call_events in calls:
        call = assemble_call(call_events, tz=TZ)
        requests = [render(e.trigger, e.payload, ENDPOINT) for e in derive_events(call, call_events)]
        out[call.unique_call_id] = [dict(parse_qsl(urlsplit(r.url).query)) for r in requests
                                    if r is not None and r.method == "GET"]
    return out


def ends(messages: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(m["user"], m["finishtype"]) for m in messages if m["event"] in ("incoming", "outgoing")]


def test_phones_of_a_ring_group_that_stop_ringing_when_one_answers_get_no_end(plugin_messages) -> None:
    messages = plugin_messages["250301080330_923"]  # ring group 830 rings 100, 109, 110; 110 answers

    # The ring group rings first, as the plugin's usertype other; then its phones.
    assert [(m["user"], m["usertype"]) for m in messages if m["event"] == "ringing"] == \
        [("830", "other"), ("100", "ext"), ("109", "ext"), ("110", "ext")]
    assert ends(messages) == [("110", "Ok")]


def test_no_call_that_someone_answered_sends_a_missed_end(plugin_messages) -> None:
    answered = {uid: msgs for uid, msgs in plugin_messages.items()
                if any(m["event"] in ("hangupincoming", "hangupoutgoing") for m in msgs)}
    assert answered  # the sample has answered calls
    assert {uid: ends(msgs) for uid, msgs in answered.items() if ("Missed" in {f for _, f in ends(msgs)})} == {}


def test_a_queue_that_misses_the_call_is_named_by_its_extension(plugin_messages) -> None:
    queue_misses = [m for msgs in plugin_messages.values() for m in msgs
                    if m["event"] == "incoming" and "by queue" in m.get("title", "")]
    assert queue_misses  # the sample has calls abandoned in a queue
    assert all(m["user"].isdigit() and f"by queue {m['user']} from" in m["title"] for m in queue_misses)


def test_an_attended_transfer_goes_out_as_the_plugin_numbers_its_links(plugin_messages) -> None:
    messages = plugin_messages["250301080103_885"]  # 109 answers, then transfers (attended) to 110

    picked_up = [(m["user"], m["trtype"], m["id"]) for m in messages if m["event"] == "hangupincoming"]
    assert picked_up == [("109", "NotDef", "250301080103_885-1"), ("110", "Accomp", "250301080103_885-2")]
    ended = [(m["user"], m["transfer"], m["id"]) for m in messages if m["event"] == "incoming"]
    assert ended == [("109", "True", "250301080103_885-1"), ("110", "False", "250301080103_885-2")]
    assert [(m["user"], m["id"]) for m in messages if m["event"] == "ringing"] == \
        [("109", "250301080103_885-0"), ("110", "250301080103_885-1")]


def test_a_call_routed_to_a_queue_or_ivr_rings_it_first_as_the_plugin_does(plugin_messages) -> None:
    routed = [m for msgs in plugin_messages.values() for m in msgs
              if m["event"] == "ringing" and m["usertype"] != "ext"]
    assert {m["usertype"] for m in routed} == {"queue", "other"}  # the sample has queues, IVRs, ring groups
    assert all(m["id"].endswith("-0") for m in routed if m["usertype"] == "queue")  # before anyone answered
