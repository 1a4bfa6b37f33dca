"""The account's IP whitelist: add and remove networks, each change in the audit log."""
from __future__ import annotations

from django.db import transaction

from hub.errors import InvalidInput, NotFound
from hub.models import Account, AllowedNetwork, AuditEntry
from hub.net import parse_network, typed_address
from hub.selectors.access import forget_cached_networks


def normalise_network(text: str) -> str:
    """The network as stored; refused when its host bits are set, rather than saved wider than typed."""
    try:
        network = parse_network(text)
    except ValueError:
        raise InvalidInput("address", f"{text!r} is not an IPv4/IPv6 address or CIDR range") from None
    typed = typed_address(text)
    if typed != network.network_address:
        raise InvalidInput("address", (
            f"{text.strip()} would allow all of {network} ({network.num_addresses:,} addresses), not only {typed}. "
            f"Enter {typed} for that one address, or {network} if you mean the whole range."))
    return str(network)


def _audit(*, account: Account, actor: str, user, action: str, network: AllowedNetwork, summary: str) -> None:
    added = action.endswith(".added")
    values = {"network": network.network, "note": network.note}
    AuditEntry.objects.create(account=account, actor=actor, user=user, action=action,
                              object_type="allowed_network", object_id=str(network.pk), summary=summary,
                              changes={name: [None, v] if added else [v, None] for name, v in values.items() if v})


@transaction.atomic
def allowed_network_add(*, account: Account, address: str, note: str = "", actor: str = "cli",
                        user=None) -> tuple[AllowedNetwork, bool]:
    """Whitelist an address or range; adding one already there changes nothing (returns created=False)."""
    network = normalise_network(address)
    row, created = AllowedNetwork.objects.get_or_create(account=account, network=network,
                                                        defaults={"note": note[:200]})
    if created:
        _audit(account=account, actor=actor, user=user, action="allowed_network.added", network=row,
               summary=f"whitelisted {network}" + (f" ({note})" if note else ""))
    if created:
        # The auth path caches the union of all whitelists for bad-key answers.
        transaction.on_commit(forget_cached_networks)
    return row, created


@transaction.atomic
def allowed_network_remove(*, account: Account, address: str, actor: str = "cli", user=None) -> str:
    network = normalise_network(address)
    row = AllowedNetwork.objects.filter(account=account, network=network).first()
    if row is None:
        raise NotFound(f"{network} is not on the whitelist of account {account.slug!r}")
    _audit(account=account, actor=actor, user=user, action="allowed_network.removed", network=row,
           summary=f"removed {network} from the whitelist")
    row.delete()
    transaction.on_commit(forget_cached_networks)
    return network
