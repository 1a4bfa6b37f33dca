"""The simulator's generated traffic: deterministic, complete, and self-consistent."""
from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from integrations.simulator import SCENARIOS, expected_calls, generate, generate_calls

MELBOURNE = ZoneInfo("Australia/Melbourne")
START = datetime(2025, 3, 1, 8, 0, 17, tzinfo=MELBOURNE)
ENVELOPE = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{3})\|([0-9A-F]{4})\|(Info|Trac|Warn|Erro|Crit)\| \[")

# Every message shape of formats.md §2, written independently of the simulator's code.
CALLFLOW_KINDS = {
    "incoming": r'Call\(C:\d+\): Incoming call from \S+ ".*" via Line:\d+ ".+" to DID \d+$',
    "outgoing": r'Call\(C:\d+\): Outgoing call from Ext\.\d+ ".*" to \+?\d+ via Line:\d+ ".+"$',
    "internal": r'Call\(C:\d+\): Internal call from Ext\.\d+ ".*" to Ext\.\d+ ".*"$',
    "route_queue": r'Call\(C:\d+\): Routing to Queue:\d+ ".+"$',
    "route_ivr": r'Call\(C:\d+\): Routing to IVR:\d+ ".+"$',
    "route_ring_group": r'Call\(C:\d+\): Routing to RingGroup:\d+ ".+"$',
    "route_user": r'Call\(C:\d+\): Routing to Ext\.\d+ ".*"$',
    "route_voicemail": r"Call\(C:\d+\): Routing to Voicemail:\d+$",
    "ringing": r'Call\(C:\d+\): Ringing Ext\.\d+ ".*"$',
    "answered_user": r'Call\(C:\d+\): Answered by Ext\.\d+ ".*"$',
    "answered_remote": r"Call\(C:\d+\): Answered by \+?\d+$",
    "forward": r'Call\(C:\d+\): Ext\.\d+ no answer, forwarding to Ext\.\d+ ".*"$',
    "transfer_blind": r'Call\(C:\d+\): Transferred by Ext\.\d+ to Ext\.\d+ ".*" \(Blind\)$',
    "transfer_attended": r'Call\(C:\d+\): Transferred by Ext\.\d+ to Ext\.\d+ ".*" \(Attended\)$',
    "voicemail_left": r'Call\(C:\d+\): Voicemail left for Ext\.\d+ ".*" \(\d\d:\d\d:\d\d\)$',
    "recording": r"Call\(C:\d+\): Recording saved \[Ext\.\d+\] \d{14}_\d+_\d+\.wav$",
    **{f"terminated_{r}": rf"Call\(C:\d+\): Terminated; reason={r}$"
       for r in ("TerminatedBySrc", "TerminatedByDst", "NoAnswer", "Busy", "Failed")},
}
QUEUE_KINDS = {
    "received": r'Queue \d+ ".+": call received QCID=\d+ Call\(C:\d+\) from \S+ ".*"$',
    "ringing_agent": r"Queue \d+: QCID=\d+ ringing agent \d+$",
    "answered": r"Queue \d+: QCID=\d+ answered by agent \d+$",
    **{f"terminated_{r.split()[0]}": rf"Queue \d+: QCID=\d+ terminated; reason={r}$"
       for r in ("Serviced", "Abandoned", "Callback requested", "Transferred", "Timeout")},
    "queue_transfer": r"Queue \d+: QCID=\d+ no answer, transferred to Queue \d+ as QCID=\d+$",
    "callback_requested": r"Queue \d+: QCID=\d+ callback requested to \S+$",
    "callback_initiated": r"Queue \d+: callback QCID=\d+ for QCID=\d+ dialling \S+ via agent \d+$",
    "callback_failed": r"Queue \d+: callback QCID=\d+ failed; reason=\w+$",
    "dtmf": r'Queue \d+: QCID=\d+ DTMF ".+"$',
    "agent_status": r"Agent \d+: status dial=\d+ dialable=(true|false) registered=(true|false) loggedin=(true|false)$",
}
NOISE = {
    "storage": r"\[_3CX\.ScriptRunner\] CallStorageSize=\d+\(\d+\)$",
    "om_calls": r"\[OmCallsManager\] number of calls: \d+, \d+, \d+$",
    "statistics": r"\[VCEHostPlugIn\] Statistics\n(    - Ag\.\d+ Dial:\d+ Logged-(IN|OUT) Calls:\d+\n)+    =Total: \d+ requests / \d+ active$",
    "sip_warning": r'\[CallFlow\] Unparsable SIP header from [\d.]+: ".*"$',
}


def _lines(**kwargs):
    return list(generate(start=START, **{"n_calls": 60, "seed": 7, **kwargs}))


def _message(text: str) -> str:
    return text.split("| ", 1)[1]


def _classify(line) -> str | None:
    message = _message(line.text)
    for name, pattern in NOISE.items():
        if re.fullmatch(pattern, message, re.S):
            return f"noise:{name}"
    table, tag = ((CALLFLOW_KINDS, "[CallFlow] ") if line.stream == "callflow"
                  else (QUEUE_KINDS, "[QueueManager] "))
    if not message.startswith(tag):
        return None
    body = message[len(tag):]
    return next((name for name, pattern in table.items() if re.fullmatch(pattern, body)), None)


@pytest.fixture(scope="module")
def long_run():
    return list(generate(start=START, n_calls=1500, calls_per_minute=8, seed=11))


def test_same_seed_gives_identical_traffic():
    assert _lines() == _lines()


def test_different_seeds_give_different_traffic():
    assert _lines(seed=1) != _lines(seed=2)


def test_lines_are_merged_in_time_order_across_overlapping_calls():
    lines = _lines(n_calls=200, calls_per_minute=20)
    assert [line.at for line in lines] == sorted(line.at for line in lines)
    # Overlap: some call starts before the previous call's CDR is written.
    starts = [i for i, line in enumerate(lines) if re.search(r"\): (Incoming|Outgoing|Internal) call", line.text)]
    cdrs = [i for i, line in enumerate(lines) if line.stream == "cdr"]
    assert cdrs[0] > starts[1]


def test_every_log_line_has_the_3cx_envelope_in_pbx_local_time(long_run):
    for line in long_run:
        if line.stream == "cdr":
            continue
        found = ENVELOPE.match(line.text)
        assert found, line.text
        local = datetime.strptime(found[1], "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=MELBOURNE)
        assert local == line.at
        assert found[2] == ("0017" if line.stream == "callflow" else "003E")


def test_every_line_kind_of_the_reference_dialect_appears(long_run):
    seen = Counter(_classify(line) for line in long_run if line.stream != "cdr")
    missing = (set(CALLFLOW_KINDS) | set(QUEUE_KINDS) | {f"noise:{n}" for n in NOISE}) - set(seen)
    assert not missing
    assert seen[None] == 0, [line.text for line in long_run if line.stream != "cdr" and _classify(line) is None][:5]


def test_names_with_accents_quotes_and_commas_appear(long_run):
    text = "\n".join(line.text for line in long_run)
    for name in ("José Álvarez", "Olivia O'Brien", '"O\'Neil, Pat"', 'Dave "Chip" Murphy', "Nguyễn Văn An"):
        assert name in text


def test_call_numbers_and_qcids_only_increase_in_generation_order():
    calls = list(generate_calls(start=START, n_calls=300, seed=3))
    numbers = [int(call.pbx_call_id) for call in calls]
    assert numbers == sorted(set(numbers))
    qcids = [int(q["qcid"]) for call in calls for q in call.expected["queues"]]
    assert qcids == sorted(set(qcids))


def test_duration_bounds_when_calls_start():
    lines = list(generate(start=START, duration=timedelta(minutes=10), calls_per_minute=12, seed=5))
    starts = [line.at for line in lines if re.search(r"\): (Incoming|Outgoing|Internal) call", line.text)]
    assert starts and max(starts) < START + timedelta(minutes=10)
    assert len(starts) > 60


def test_start_must_be_timezone_aware():
    with pytest.raises(ValueError):
        next(generate(start=datetime(2025, 3, 1, 8), n_calls=1, seed=1))


def test_registry_scenarios_all_occur_in_a_long_run():
    scenarios = {call.scenario for call in generate_calls(start=START, n_calls=1500, seed=11)}
    assert scenarios == set(SCENARIOS)


# --- CDR ---------------------------------------------------------------------------------

def _cdr_fields(text: str) -> list[str]:
    fields = next(csv.reader([text]))
    assert fields[-1] == ""  # the record ends with a comma
    return fields[:-1]


def _utc(local_text: str) -> str:
    local = datetime.strptime(local_text, "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=MELBOURNE)
    return local.astimezone(timezone.utc).strftime("%Y/%m/%d %H:%M:%S")


@pytest.fixture(scope="module")
def calls():
    return list(generate_calls(start=START, n_calls=600, calls_per_minute=8, seed=21))


def test_each_call_writes_one_cdr_with_27_fields_after_it_ends(calls):
    for call in calls:
        cdrs = [line for line in call.lines if line.stream == "cdr"]
        assert len(cdrs) == 1
        fields = _cdr_fields(cdrs[0].text)
        assert len(fields) == 27
        assert fields[0] == f"Call {call.pbx_call_id}"
        assert fields[1].endswith(f"_{call.pbx_call_id}")
        terminated = [line for line in call.lines if "): Terminated; reason=" in line.text]
        assert cdrs[0].at > terminated[0].at


def test_cdr_times_are_utc_and_match_the_log_lines(calls):
    for call in calls:
        flow = [line.text for line in call.lines if "[CallFlow] Call(C:" in line.text]
        fields = _cdr_fields(next(line.text for line in call.lines if line.stream == "cdr"))
        start, answered, end = fields[3], fields[4], fields[5]
        assert start == _utc(flow[0][:23])
        terminated = next(text for text in flow if "): Terminated; reason=" in text)
        assert end == _utc(terminated[:23])
        assert fields[6] == terminated.rsplit("=", 1)[1]
        # The answer is the earliest line showing it: a queue's "answered by agent" precedes
        # CallFlow's "Answered by" (as in the sample's CDR for call 910). A callback's answer,
        # after the call ended, is not the call's.
        answers = [text for text in flow if "): Answered by " in text]
        answers += [line.text for line in call.lines
                    if " answered by agent " in line.text and line.text[:23] < terminated[:23]]
        assert answered == (_utc(min(answers)[:23]) if answers else "")


def test_cdr_duration_is_talk_time_and_agrees_with_expected(calls):
    for call in calls:
        fields = _cdr_fields(next(line.text for line in call.lines if line.stream == "cdr"))
        hours, minutes, seconds = map(int, fields[2].split(":"))
        assert hours * 3600 + minutes * 60 + seconds == call.expected["conversation_duration"]
        assert fields[19].startswith("Chain: ") and fields[19].endswith(";")


# --- expected rows -----------------------------------------------------------------------

SAMPLE_KEYS = {
    "unique_call_id", "pbx_call_id", "direction", "caller_number", "caller_name", "dest_number",
    "did", "trunk", "call_start_at", "connected_at", "ended_at", "call_duration",
    "conversation_duration", "users", "queues", "ring_groups", "voicemail", "recordings",
    "callback",
}


def test_expected_rows_have_the_sample_shape_and_match_the_lines(calls):
    for call in calls:
        row = call.expected
        assert set(row) == SAMPLE_KEYS
        first = next(line for line in call.lines if "[CallFlow] Call(C:" in line.text)
        assert row["unique_call_id"] == first.at.strftime("%y%m%d%H%M%S") + "_" + call.pbx_call_id
        start = datetime.fromisoformat(row["call_start_at"])
        end = datetime.fromisoformat(row["ended_at"])
        assert abs((end - start).total_seconds() - row["call_duration"]) <= 1
        assert row["direction"] in {"inbound", "outbound", "internal"}
        for queue in row["queues"]:
            assert f"QCID={queue['qcid']} " in "\n".join(line.text for line in call.lines)
            assert queue["status"] == ("answered" if queue["agent"] else "abandoned")


def test_expected_calls_matches_generate_calls_for_the_same_arguments():
    rows = expected_calls(start=START, n_calls=50, seed=9)
    assert rows == [call.expected for call in generate_calls(start=START, n_calls=50, seed=9)]


def test_answered_queue_leg_names_the_agent_who_answered(calls):
    for call in calls:
        for queue in call.expected["queues"]:
            if queue["outcome"] == "Serviced":
                users = {u["user"]: u for u in call.expected["users"]}
                assert users[queue["agent"]]["status"] == "answered"
                assert users[queue["agent"]]["via_queue"] == queue["queue"]
