"""The plugin's call id ``yymmddHHMMSS_N-L`` (and recording names ``yymmddHHMMSS_N-L-K.mp3``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from integrations.push_errors import PushError

from .fields import CALL_ID_PATTERN, NAMED_LINK_PATTERN

_CALL_ID = re.compile(CALL_ID_PATTERN)
_NAMED_LINK = re.compile(NAMED_LINK_PATTERN)


@dataclass(frozen=True, slots=True)
class CallId:
    full: str  # "230115121143_9-1"
    unique: str  # "230115121143_9", the hub's unique_call_id (formats.md §8)
    number: str  # "9", 3CX's Call(C:N): the pbx_call_id
    link: int  # 0 while ringing, 1 once answered, +1 per transfer
    started_at: datetime  # when the call reached the PBX, in the PBX's zone


def parse_call_id(value: str, *, tz: tzinfo, field: str = "id") -> CallId:
    match = _CALL_ID.fullmatch(value.strip())
    if match is None:
        raise PushError(
            field, f"bad call id {value!r} (expected yymmddHHMMSS_N-L, a date and time that exist, N up to "
                   f"10 digits and L up to 5, e.g. 210701165649_698-2)"
        )
    stamp, number, link = match.groups()
    try:
        started = datetime.strptime(stamp, "%y%m%d%H%M%S").replace(tzinfo=tz)
    except ValueError:
        raise PushError(field, f"bad date/time {stamp!r} in call id {value!r}") from None
    return CallId(f"{stamp}_{number}-{link}", f"{stamp}_{number}", number, int(link), started)


def call_id_from_recording(url: str) -> str | None:
    """``.../230115121143_9-1-1.mp3`` -> ``230115121143_9-1``; None if the name does not say."""
    match = _NAMED_LINK.fullmatch(url)
    return match.group(1) if match else None
