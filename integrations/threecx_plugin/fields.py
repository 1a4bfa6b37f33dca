"""What the plugin's fields may hold: the rules the adapter checks, in one place (plain
patterns, so that an OpenAPI description of the push can state them as they are).

The choices each field takes are events.py's tables (CHOICES there); here are the shapes of the
text the plugin writes and how much of it the hub can store.
"""
from __future__ import annotations

from integrations.text_patterns import SPACE

# yymmddHHMMSS, a time that exists: %y reads 1969-2068, where every year divisible by 4 is leap.
_DAY = (r"(?:(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])(?:29|30)|(?:0[13578]|1[02])31)")
_LEAP_DAY = r"(?:[02468][048]|[13579][26])0229"
STAMP_PATTERN = rf"(?:[0-9]{{2}}{_DAY}|{_LEAP_DAY})(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]"
# yymmddHHMMSS_N-L: N is 3CX's call number (a session counter), L the link in a transfer chain.
# Their digits are bounded so the call's keys fit their columns (pbx_call_id, dedupe keys).
CALL_ID_PATTERN = rf"({STAMP_PATTERN})_([0-9]{{1,10}})-([0-9]{{1,5}})"
# A recording's file name: the call id and the recording's number, e.g. 230115121143_9-1-1.mp3.
RECORDING_NAME_PATTERN = rf"({STAMP_PATTERN}_[0-9]{{1,10}}-[0-9]{{1,5}})-[0-9]+\.[A-Za-z0-9_]+"

# The columns plugin text ends up in (hub/models/calls.py): an extension, or a phone number.
MAX_LENGTHS = {"user": 32, "callerid": 64, "did": 64}
MAX_LINK_LENGTH = 500  # RecordingInfo.file
# A JSON number stands for its digits (a plugin version sends callerid and user as numbers):
# whole numbers up to 15 digits, which every field has room for.
MAX_NUMBER = 10**15 - 1
# A link the call id can be read from: its last path segment is a recording's name.
NAMED_LINK_PATTERN = rf"(?:[^?#]*/)?{RECORDING_NAME_PATTERN}(?:[?#][^\x00]*)?"
# A recording request sent as text (the GET scheme's, seed 002): the links alone, separated by
# white space, each maybe in quotes.
_QUOTES = "'\"‘’“”"
_QUOTE = f"[{_QUOTES}]"
_LINK_CHAR = f"[^{_QUOTES}{SPACE[1:-1]}]"
LINK_PATTERN = rf"https?://{_LINK_CHAR}+"
TEXT_LINKS_PATTERN = rf"(?:{_QUOTE}?{LINK_PATTERN}{_QUOTE}?{SPACE}*)+"
# The same with every link naming its call (what a request without an id must send).
_NAMED_URL = rf"https?://(?:[^?#{_QUOTES}{SPACE[1:-1]}]*/)?{RECORDING_NAME_PATTERN}(?:[?#]{_LINK_CHAR}*)?"
NAMED_TEXT_LINKS_PATTERN = rf"(?:{_QUOTE}?{_NAMED_URL}{_QUOTE}?{SPACE}*)+"
