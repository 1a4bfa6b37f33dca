"""Display names the logs mention (users, queues, ring groups), for catalogue payloads."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hub.vocabulary.pbx_event import PbxEvent

from .draft import ext, name

# (data key holding an extension/number, data key holding its name) per shape of event.
_USER_PAIRS = (("user", "user_name"), ("dest_user", "dest_user_name"))
_TARGET_BOOKS = {"user": "users", "queue": "queues", "ring_group": "ring_groups"}


@dataclass
class Names:
    users: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    ring_groups: dict[str, str] = field(default_factory=dict)

    def _learn(self, book: str, number: object, label: object) -> None:
        number, label = ext(number), name(label)
        if number and label:
            getattr(self, book).setdefault(number, label)


    def learn(self, event: PbxEvent) -> None:
        """Add the names ``event`` mentions (the first name seen for a number wins)."""
        d = event.data
        for number_key, name_key in _USER_PAIRS:
            label = d.get(name_key)
            if label:  # most events name nobody: no call to normalise nothing
                self._learn("users", d.get(number_key), label)
        book = _TARGET_BOOKS.get(str(d.get("target_type") or ""))
        if book:
            self._learn(book, d.get("target"), d.get("target_name"))
        if "queue_name" in d:
            self._learn("queues", d.get("queue"), d.get("queue_name"))

    def copy(self) -> Names:
        return Names(dict(self.users), dict(self.queues), dict(self.ring_groups))


def collect_names(events: Iterable[PbxEvent]) -> Names:
    """First name seen wins; callers pass events in sorted order so that is deterministic."""
    names = Names()
    for event in events:
        names.learn(event)
    return names
