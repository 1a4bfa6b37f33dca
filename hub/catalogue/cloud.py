"""The cloud PBX's twelve webhook triggers (formats.md §5, seed 004), with its field names."""
from __future__ import annotations

from .types import Field, Trigger

USER_CALLS = "User calls"
QUEUES = "Queues & ring groups"
MEDIA = "Voicemail & recordings"
COMPONENTS = "Components"

_TYPE = Field("type", "string", "the trigger key, e.g. user_inbound")
_UID = Field("unique_call_id", "string", "the call's id: yymmddHHMMSS_N, PBX local time and call number")
_CALLER = (
    Field("caller_id", "string", "the caller's number (CLI), or the extension that placed the call"),
    Field("caller_name", "string", "the caller's name (CNAM), may be empty"),
)
_USER = (
    Field("user_name", "string", "name of the user (extension) this event is about; empty if none"),
    Field("user_number", "string", "extension number of that user; empty if none"),
)
_DEST = Field("dest_number", "string", "number the call was made to: the DID, the dialled number or extension")
_START = Field("call_start_at", "datetime", "when the call arrived on (or left) the PBX")
_CONNECTED = Field("connected_at", "datetime", "when the call was answered", nullable=True)
_DURATIONS = (
    Field("call_duration", "integer", "seconds from call start to end (ring + talk)"),
    Field("conversation_duration", "integer", "seconds of talk (0 if never answered)"),
)
_VIA = (
    Field("queue_name", "string", "the queue that chose this user; empty if none"),
    Field("queue_number", "string", "that queue's extension number; empty if none"),
    Field("ring_group_name", "string", "the ring group that chose this user; empty if none"),
    Field("ring_group_number", "string", "that ring group's extension number; empty if none"),
    Field("transfer", "string", "Blind | Attended when a transfer brought the call to this user; empty if none"),
    Field("transfer_link", "integer", "this user's place in the call's transfer chain: 1, then +1 per transfer"),
)
_RECORDING_STATE = Field(
    "recording_state", "string",
    "stored (the link works); otherwise why there is no link: 'missing: …' (never arrived within the wait, or "
    "the hub is not set to collect it), 'failed: …' (fetching or storing it failed), purged")
_LINK_SAMPLE = "https://hub.example.com/recordings/8812/1741428001/9d1c…/"
_HANDED_ON = Field("handed_on", "boolean", "the user's part ended by transferring the call on (it went on)")
_STATUS = Field("status", "string", "answered | abandoned")
_CALL_CONNECTED = Field("call_connected_at", "datetime",
                        "when the call was first answered, by anyone (null if never): a leg or "
                        "queue that missed a call someone else answered", nullable=True)

_BASE = (_TYPE, _UID, *_CALLER, *_USER, _DEST, _START)


def _sample(key: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "type": key,
        "unique_call_id": "250301091422_435",
        "caller_id": "0438045630",
        "caller_name": "John Smith",
        "user_name": "Mary Jones",
        "user_number": "108",
        "dest_number": "0354060752",
        "call_start_at": "2025-03-01T09:14:22+11:00",
    }
    return base | extra


_VIA_SAMPLE = {"queue_name": "Sales", "queue_number": "822", "ring_group_name": "", "ring_group_number": "",
               "transfer": "", "transfer_link": 1}
_DONE_SAMPLE = {
    "connected_at": "2025-03-01T09:14:40+11:00", "call_duration": 339, "conversation_duration": 321,
}
_OUT_SAMPLE = {"caller_id": "108", "caller_name": "Mary Jones", "dest_number": "61354060752"}


def _user(key: str, title: str, description: str, extra: tuple[Field, ...], sample: dict) -> Trigger:
    return Trigger(key, USER_CALLS, title, description, (*_BASE, *extra), sample)


CLOUD_TRIGGERS: tuple[Trigger, ...] = (
    _user("user_inbound", "User inbound call",
          "A call reaches a user and their phone starts ringing; names the queue or ring group that chose them.",
          _VIA, _sample("user_inbound", **_VIA_SAMPLE)),
    _user("user_inbound_answered", "User inbound call answered", "A user answers an inbound call.",
          (_CONNECTED, *_VIA),
          _sample("user_inbound_answered", connected_at="2025-03-01T09:14:40+11:00", **_VIA_SAMPLE)),
    _user("user_inbound_completed", "User inbound call completion",
          "An inbound call to a user has ended for that user (answered or missed).",
          (_CONNECTED, *_DURATIONS, *_VIA, _CALL_CONNECTED, _HANDED_ON),
          _sample("user_inbound_completed", **_DONE_SAMPLE, **_VIA_SAMPLE,
                  call_connected_at="2025-03-01T09:14:40+11:00", handed_on=False)),
    _user("user_outbound", "User outbound call", "A user places an outbound call.", (),
          _sample("user_outbound", **_OUT_SAMPLE)),
    _user("user_outbound_answered", "User outbound call answered",
          "The called party answers a user's outbound call.", (_CONNECTED,),
          _sample("user_outbound_answered", connected_at="2025-03-01T09:14:30+11:00", **_OUT_SAMPLE)),
    _user("user_outbound_completed", "User outbound call completion",
          "A user's outbound call has ended.", (_CONNECTED, *_DURATIONS),
          _sample("user_outbound_completed", **_DONE_SAMPLE, **_OUT_SAMPLE)),
    Trigger("queue_call", QUEUES, "Queue call summary",
            "A call delivered through a queue has left the queue; the user is the agent who answered.",
            (*_BASE, _CONNECTED, *_DURATIONS,
             Field("queue_name", "string", "the queue's name"),
             Field("queue_number", "string", "the queue's extension number"), _STATUS, _CALL_CONNECTED),
            _sample("queue_call", **_DONE_SAMPLE, queue_name="Sales", queue_number="822", status="answered",
                    call_connected_at="2025-03-01T09:14:40+11:00")),
    Trigger("ring_group_call", QUEUES, "Ring group call summary",
            "A call delivered through a ring group has ended; the user is the one who answered.",
            (*_BASE, _CONNECTED, *_DURATIONS,
             Field("ring_group_name", "string", "the ring group's name"),
             Field("ring_group_number", "string", "the ring group's extension number"), _STATUS, _CALL_CONNECTED),
            _sample("ring_group_call", **_DONE_SAMPLE, ring_group_name="Front Office", ring_group_number="830",
                    status="answered", call_connected_at="2025-03-01T09:14:40+11:00")),
    Trigger("voicemail", MEDIA, "Voicemail",
            "A caller left a voicemail for a user. Sent once the audio is stored (the link works on "
            "receipt), or, when it never arrives, after the hub's wait with no link and recording_state saying why.",
            (*_BASE, Field("audio_file", "list[string]",
                           "the voicemail's audio: one signed HTTPS link, valid for days (empty when not stored)"),
             _RECORDING_STATE),
            _sample("voicemail", audio_file=[_LINK_SAMPLE + "vmail_250301091422_435_108.wav"],
                    recording_state="stored")),
    Trigger("recording_inbound", MEDIA, "Inbound call recording",
            "An inbound call's recording is stored (the link works on receipt), or, when the audio never "
            "arrives, the hub's wait is over: no link, and recording_state says why.",
            (*_BASE, Field("call_recording_link", "string",
                           "signed HTTPS link to the audio, valid for days (empty when not stored)"),
             Field("recorded_at", "datetime", "when the recording was completed"), _RECORDING_STATE),
            _sample("recording_inbound", call_recording_link=_LINK_SAMPLE + "20250301091422_435_108.wav",
                    recorded_at="2025-03-01T09:20:01+11:00", recording_state="stored")),
    Trigger("recording_outbound", MEDIA, "Outbound call recording",
            "An outbound call's recording is stored (the link works on receipt), or, when the audio never "
            "arrives, the hub's wait is over: no link, and recording_state says why.",
            (*_BASE, Field("call_recording_link", "string",
                           "signed HTTPS link to the audio, valid for days (empty when not stored)"),
             Field("recorded_at", "datetime", "when the recording was completed"), _RECORDING_STATE),
            _sample("recording_outbound", call_recording_link=_LINK_SAMPLE + "20250301091422_440_108.wav",
                    recorded_at="2025-03-01T09:20:01+11:00", recording_state="stored", **_OUT_SAMPLE)),
    Trigger("webhook_component_event", COMPONENTS, "Webhook component event",
            "A Webhook object placed in the call flow was reached. As in the cloud PBX, user_name and "
            "user_number are the caller's CNAM and CLI.",
            (_TYPE, _UID,
             Field("user_name", "string", "CNAM of the caller"),
             Field("user_number", "string", "CallerID of the caller (CLI)"),
             Field("dest_number", "string", "phone number the call was received on"),
             _START, Field("component_name", "string", "name configured on the Webhook object")),
            {"type": "webhook_component_event", "unique_call_id": "250301091422_435",
             "user_name": "John Smith", "user_number": "0438045630", "dest_number": "0354060752",
             "call_start_at": "2025-03-01T09:14:22+11:00", "component_name": "Queue timeout"}),
)
