"""Keep the PBX directory in step with the names traffic mentions."""
from __future__ import annotations

from hub.models import Pbx, PbxUser, Queue, RingGroup
from hub.vocabulary.pbx_event import Kind, PbxEvent

# (model, kind, number key, name key) for every event field that names a directory entry.
_NAMED = [
    (PbxUser, Kind.CALL_OUTGOING, "user", "user_name"),
    (PbxUser, Kind.CALL_INTERNAL, "user", "user_name"),
    (PbxUser, Kind.CALL_INTERNAL, "dest_user", "dest_user_name"),
    (PbxUser, Kind.USER_RINGING, "user", "user_name"),
    (PbxUser, Kind.CALL_ANSWERED, "user", "user_name"),
    (PbxUser, Kind.VOICEMAIL_LEFT, "user", "user_name"),
    (PbxUser, Kind.QUEUE_AGENT_RINGING, "agent", None),
    (PbxUser, Kind.AGENT_STATUS, "agent", None),
    (Queue, Kind.QUEUE_CALL_RECEIVED, "queue", "queue_name"),
]
_ROUTED = {"queue": Queue, "ring_group": RingGroup, "user": PbxUser}


_ROUTING = frozenset({Kind.CALL_ROUTED, Kind.CALL_TRANSFERRED, Kind.CALL_FORWARDED})
_WANTED = frozenset({kind for _, kind, _, _ in _NAMED} | _ROUTING)


def _mentions(events: list[PbxEvent]) -> dict[type, dict[str, str]]:
    found: dict[type, dict[str, str]] = {PbxUser: {}, Queue: {}, RingGroup: {}}
    # One pass sorts out the few kinds that name anything (in order: a later name wins).
    by_kind: dict[str, list[PbxEvent]] = {}
    routing = []
    for e in events:
        if e.kind in _WANTED:
            by_kind.setdefault(e.kind, []).append(e)
            if e.kind in _ROUTING:
                routing.append(e)
    for model, kind, number_key, name_key in _NAMED:
        for e in by_kind.get(kind, ()):
            if e.data.get(number_key):
                name = (e.data.get(name_key) or "").strip() if name_key else ""
                found[model][str(e.data[number_key])] = name or found[model].get(str(e.data[number_key]), "")
    for e in routing:
        model = _ROUTED.get(e.data.get("target_type"))
        if model and e.data.get("target"):
            name = (e.data.get("target_name") or "").strip()
            found[model][str(e.data["target"])] = name or found[model].get(str(e.data["target"]), "")
    return found


def directory_sync(pbx: Pbx, events: list[PbxEvent]) -> None:
    """Create entries traffic names for the first time; refresh names admins have not edited."""
    for model, names in _mentions(events).items():
        if not names:
            continue
        existing = {row.number: row for row in model.objects.filter(pbx=pbx, number__in=names)}
        model.objects.bulk_create([model(pbx=pbx, number=n, name=names[n]) for n in names if n not in existing],
                                  ignore_conflicts=True)
        stale = [row for n, row in existing.items()
                 if names[n] and row.name != names[n] and not row.edited_by_admin]
        for row in stale:
            row.name = names[row.number]
        model.objects.bulk_update(stale, ["name"])
