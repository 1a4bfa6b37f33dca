"""The simulated PBX's directory: who and what a call can reach.

Names are chosen to exercise parsers: accents, an apostrophe, a hyphen, non-Latin letters,
and (for external callers) a comma and embedded double quotes.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    ext: str
    name: str


@dataclass(frozen=True)
class Queue:
    number: str
    name: str
    agents: tuple[str, ...]


@dataclass(frozen=True)
class RingGroup:
    number: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Trunk:
    line: str
    name: str


@dataclass(frozen=True)
class Ivr:
    number: str
    name: str
    # DTMF digit -> queue number; the caller's choice is logged on the queue leg.
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Directory:
    users: dict[str, User]
    queues: dict[str, Queue]
    ring_group: RingGroup
    ivr: Ivr
    trunks: tuple[Trunk, ...]
    dids: tuple[str, ...]
    caller_names: tuple[str, ...]

    def user(self, ext: str) -> User:
        return self.users[ext]

    def trunk_for_did(self, did: str) -> Trunk | None:
        # Each DID is delivered by one carrier; click-to-call uses it to pick the trunk.
        for index, known in enumerate(self.dids):
            if known == did:
                return self.trunks[index % len(self.trunks)]
        return None


_USERS = (
    ("100", "Reception Desk"), ("101", "Ann Walker"), ("102", "José Álvarez"),
    ("103", "Måns Lindqvist"), ("104", "Chen Wei"), ("105", "Olivia O'Brien"),
    ("106", "Zoë Smith-Jones"), ("107", "Raj Patel"), ("108", "Mary Jones"),
    ("109", "Bob Lee"), ("110", "Fatima Zahra"), ("111", "Liam Nguyen"),
)

# "" and "  " are real: carriers often send no name, or blanks.
_CALLER_NAMES = (
    "", "", "", "  ", "John Smith", "John Smith", "Nguyễn Văn An", "Ève Durand",
    "O'Neil, Pat", "ACME Pty Ltd", "Björk Guðmundsdóttir", "Dave \"Chip\" Murphy",
    "山田 太郎", "Zoë Smith-Jones",
)

DEFAULT_DIRECTORY = Directory(
    users={ext: User(ext, name) for ext, name in _USERS},
    queues={
        "822": Queue("822", "Sales", ("101", "102", "103", "104", "106")),
        "823": Queue("823", "Support", ("105", "106", "107", "108")),
    },
    ring_group=RingGroup("830", "Front Office", ("100", "109", "110")),
    ivr=Ivr("800", "Main Menu", {"1": "822", "2": "823"}),
    trunks=(Trunk("10001", "Bendigo Telco"), Trunk("10002", "Acme SIP")),
    dids=("0354060752", "61398765432", "0354060753"),
    caller_names=_CALLER_NAMES,
)
