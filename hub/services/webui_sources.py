"""Where a PBX's traffic is read from, edited by admins; every change in the audit log.

The ingest process picks sources up by polling the table, so a saved change needs no restart.
"""
from __future__ import annotations

from django.db import transaction

from hub.errors import InvalidInput
from hub.models import Account, IngestSource, Pbx, SourceKind
from hub.net import parse_network
from hub.services.audit import audit_record, changes_between

FIELDS = ("kind", "path", "port", "listen_host", "allowed_networks", "rules_path", "enabled")


def _check(values: dict) -> dict:
    values = dict(values)
    if values["kind"] == SourceKind.CDR_SOCKET:
        if not values.get("port"):
            raise InvalidInput("port", "a CDR socket needs the TCP port 3CX connects to")
        values["path"] = ""
    elif not values.get("path", "").strip():
        raise InvalidInput("path", "give the file to follow, e.g. /var/lib/3cxpbx/Instance1/Data/Logs/3CXCallFlow.log")
    else:
        values["port"] = None
    networks = []
    for text in values.get("allowed_networks") or []:
        try:
            networks.append(str(parse_network(text)))
        except ValueError:
            raise InvalidInput("allowed_networks", f"{text!r} is not an address or CIDR range") from None
    values["allowed_networks"] = networks
    return values


def _describe(source: IngestSource) -> str:
    return f"{source.get_kind_display()} {source.path or f'port {source.port}'} on {source.pbx.slug}"


@transaction.atomic
def ingest_source_save(*, account: Account, user, pbx: Pbx, values: dict, source: IngestSource | None = None) -> IngestSource:
    if pbx.account_id != account.pk or (source is not None and source.pbx_id != pbx.pk):
        raise InvalidInput("pbx", "belongs to another account")
    values = _check(values)
    created = source is None
    source = source or IngestSource(pbx=pbx)
    before = {} if created else {field: getattr(source, field) for field in FIELDS}
    moved = not created and (source.path != values.get("path") or source.kind != values["kind"])
    for field in FIELDS:
        if field in values:
            setattr(source, field, values[field])
    if moved:
        source.position = None  # another file: read it from the start, not at the old offset
    source.save()
    changes = changes_between(before, {field: getattr(source, field) for field in FIELDS})
    if changes:
        audit_record(account=account, user=user, action="ingest_source.created" if created else "ingest_source.updated",
                     obj=source, summary=("added " if created else "updated ") + _describe(source), changes=changes)
    return source


@transaction.atomic
def ingest_source_delete(*, account: Account, user, source: IngestSource) -> None:
    if source.pbx.account_id != account.pk:
        raise InvalidInput("source", "belongs to another account")
    audit_record(account=account, user=user, action="ingest_source.deleted", obj=source,
                 summary=f"removed {_describe(source)}",
                 changes=changes_between({field: getattr(source, field) for field in FIELDS}, dict.fromkeys(FIELDS)))
    source.delete()
