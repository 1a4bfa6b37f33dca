"""The demo account `./hubctl run` starts with: created once, then made usable again at each start.

What the run prints (the console login and the API key) is kept in <var dir>/demo.json and
only replaced when it no longer works, so console sessions and pasted curl lines survive a
restart of the demo.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hub.crypto import keyed_hash
from hub.catalogue import CATALOGUE
from hub.models import Account, ApiKey, CallControl, DriverKind, Pbx, Role, WebhookEndpoint
from hub.services.access import allowed_network_add
from hub.services.accounts import account_setup, membership_grant
from hub.services.api_keys import KEY_PURPOSE, api_key_create
from hub.services.delivery import webhook_endpoint_create, webhook_endpoint_enable, webhook_endpoint_update
from hub.services.directory import directory_seed
from integrations.simulator import DEFAULT_DIRECTORY

DEMO_SLUG = "demo"
DEMO_PBX = "Demo PBX"
DEMO_EMAIL = "admin@example.com"
DEMO_TIMEZONE = "Australia/Melbourne"
# Matches the zone, so national numbers such as 0355501234 work for click-to-call.
DEMO_REGION = "AU"
# The demo's own API calls come from this machine; no other account is opened to them.
LOOPBACK = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    api_key: str
    pbx: str


def _state_read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _state_write(path: Path, state: dict) -> None:
    path.write_text(json.dumps(state, indent=2))
    path.chmod(0o600)


def _password_ensure(*, account: Account, password: str | None) -> str:
    user = get_user_model().objects.filter(username=DEMO_EMAIL).first()
    if password and user is not None and user.check_password(password):
        # Setting it again would change the hash the console's sessions are tied to.
        membership_grant(account=account, email=DEMO_EMAIL, password=None, role=Role.OWNER)
        return password
    password = password or secrets.token_urlsafe(9)
    membership_grant(account=account, email=DEMO_EMAIL, password=password, role=Role.OWNER)
    return password


def _api_key_ensure(*, account: Account, key: str | None) -> str:
    usable = ApiKey.objects.filter(account=account, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    if key and usable.filter(key_hash=keyed_hash(key, purpose=KEY_PURPOSE)).exists():
        return key
    return api_key_create(account=account, name="demo")[1]


def _pbx_ensure(*, pbx: Pbx, var_dir: Path) -> None:
    if not pbx.default_region:
        pbx.default_region = DEMO_REGION
        pbx.save(update_fields=["default_region"])
    # Click-to-call on the demo PBX goes to the simulator run_demo starts on this directory.
    CallControl.objects.get_or_create(pbx=pbx, defaults={
        "driver": DriverKind.SIMULATOR, "simulator_dir": str(var_dir / "simulator" / pbx.slug)})
    # The simulator's office, so click-to-call and the user pickers work before any traffic.
    office = DEFAULT_DIRECTORY
    directory_seed(
        pbx=pbx, users={u.ext: u.name for u in office.users.values()},
        queues={q.number: (q.name, list(q.agents)) for q in office.queues.values()},
        ring_groups={office.ring_group.number: (office.ring_group.name, list(office.ring_group.members))},
    )


@transaction.atomic
def demo_ensure(*, var_dir: Path) -> DemoLogin:
    """Create the demo account once; at every start make its login, key, whitelist and PBX work."""
    state_file = var_dir / "demo.json"
    state = _state_read(state_file)
    account = Account.objects.filter(slug=DEMO_SLUG).first()
    if account is None:
        password = secrets.token_urlsafe(9)
        state = account_setup(name="Demo", slug=DEMO_SLUG, pbx_name=DEMO_PBX, timezone=DEMO_TIMEZONE,
                              default_region=DEMO_REGION, admin_email=DEMO_EMAIL, admin_password=password)
        state["admin_password"] = password
        account = Account.objects.get(slug=DEMO_SLUG)
    known = dict(state)
    state["admin_password"] = _password_ensure(account=account, password=state.get("admin_password"))
    state["api_key"] = _api_key_ensure(account=account, key=state.get("api_key"))
    for address in LOOPBACK:
        allowed_network_add(account=account, address=address, note="the demo's own machine", actor="demo")
    state.setdefault("pbx", "demo-pbx")
    for pbx in Pbx.objects.filter(slug=state["pbx"], account=account):
        _pbx_ensure(pbx=pbx, var_dir=var_dir)
    if state != known or not state_file.exists():
        _state_write(state_file, state)
    return DemoLogin(email=DEMO_EMAIL, password=state["admin_password"], api_key=state["api_key"],
                     pbx=state["pbx"])


# The demo receiver's endpoints (hub/demo_receiver.py): every catalogue event goes to the first;
# the second's URL answers 410 Gone, so the hub disables it by itself (enabled again at each start).
RECEIVER_NAME = "Demo receiver"
RETIRED_NAME = "Retired receiver (answers 410 Gone)"
RETIRED_TRIGGERS = ["call_received"]


@transaction.atomic
def demo_receiver_ensure(*, var_dir: Path, base_url: str) -> list[WebhookEndpoint]:
    """Subscribe the demo account to the demo receiver at ``base_url`` (its port may change
    between starts). Made once: an endpoint an admin deleted stays deleted (demo.json remembers)."""
    state_file = var_dir / "demo.json"
    state = _state_read(state_file)
    account = Account.objects.get(slug=DEMO_SLUG)
    made = state.setdefault("receiver_endpoints", {})
    endpoints = []
    for role, name, url, triggers in (("main", RECEIVER_NAME, f"{base_url}/webhooks", list(CATALOGUE)),
                                      ("retired", RETIRED_NAME, f"{base_url}/gone", RETIRED_TRIGGERS)):
        if role in made:
            endpoint = WebhookEndpoint.objects.filter(pk=made[role], account=account).first()
            if endpoint is None:
                continue  # deleted in the console: the demo leaves it so
            if endpoint.url != url:
                endpoint = webhook_endpoint_update(endpoint=endpoint, actor="demo", url=url)
            if role == "retired" and not endpoint.enabled:
                endpoint = webhook_endpoint_enable(endpoint=endpoint, actor="demo")
        else:
            endpoint, _ = webhook_endpoint_create(account=account, url=url, triggers=triggers, actor="demo", name=name)
            made[role] = endpoint.pk
        endpoints.append(endpoint)
    _state_write(state_file, state)
    return endpoints
