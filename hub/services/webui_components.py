"""Webhook components (named conditions that fire webhook_component_event), edited by admins."""
from __future__ import annotations

from django.db import IntegrityError, transaction

from hub.errors import Conflict, InvalidInput
from hub.models import Account, ComponentCondition, WebhookComponent
from hub.services.audit import audit_record, changes_between

FIELDS = ("name", "condition", "target", "seconds", "headers", "enabled")


def _check(values: dict) -> None:
    if values["condition"] not in ComponentCondition.values:
        raise InvalidInput("condition", f"expected one of {', '.join(ComponentCondition.values)}")
    if values["condition"] == ComponentCondition.QUEUE_WAIT_OVER and not values.get("seconds"):
        raise InvalidInput("seconds", "say how many seconds a queue call must wait")
    if not values.get("target"):
        raise InvalidInput("target", "name the queue, ring group or DID this condition watches")


def _describe(component: WebhookComponent) -> str:
    return f"{component.name!r}: {component.get_condition_display()} {component.target}".strip()


@transaction.atomic
def component_save(*, account: Account, user, values: dict, component: WebhookComponent | None = None) -> WebhookComponent:
    """Create (component=None) or update one of the account's components."""
    _check(values)
    created = component is None
    component = component or WebhookComponent(account=account)
    before = {} if created else {field: getattr(component, field) for field in FIELDS}
    if component.account_id != account.pk:
        raise InvalidInput("component", "belongs to another account")
    for field in FIELDS:
        if field in values:
            setattr(component, field, values[field])
    try:
        with transaction.atomic():
            component.save()
    except IntegrityError:
        raise Conflict(f"a component named {values['name']!r} already exists") from None
    changes = changes_between(before, {field: getattr(component, field) for field in FIELDS})
    if changes:
        audit_record(account=account, user=user, action="component.created" if created else "component.updated",
                     obj=component, summary=("created " if created else "updated ") + f"component {_describe(component)}",
                     changes=changes)
    return component


@transaction.atomic
def component_delete(*, account: Account, user, component: WebhookComponent) -> None:
    if component.account_id != account.pk:
        raise InvalidInput("component", "belongs to another account")
    audit_record(account=account, user=user, action="component.deleted", obj=component,
                 summary=f"deleted component {_describe(component)}",
                 changes=changes_between({field: getattr(component, field) for field in FIELDS}, dict.fromkeys(FIELDS)))
    component.delete()
