"""Fill a PBX's directory from a known list (e.g. the simulator's office), keeping admin edits."""
from __future__ import annotations

from hub.models import Pbx, PbxUser, Queue, RingGroup


def directory_seed(*, pbx: Pbx, users: dict[str, str], queues: dict[str, tuple[str, list[str]]],
                   ring_groups: dict[str, tuple[str, list[str]]]) -> None:
    """users: number → name; queues and ring groups: number → (name, member numbers)."""
    people = {}
    for number, name in users.items():
        people[number], _ = PbxUser.objects.get_or_create(pbx=pbx, number=number, defaults={"name": name})
    for model, relation, entries in ((Queue, "agents", queues), (RingGroup, "members", ring_groups)):
        for number, (name, members) in entries.items():
            group, _ = model.objects.get_or_create(pbx=pbx, number=number, defaults={"name": name})
            getattr(group, relation).add(*[people[m] for m in members if m in people])
