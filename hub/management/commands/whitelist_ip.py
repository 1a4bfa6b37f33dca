from django.core.management.base import BaseCommand, CommandError

from hub.errors import HubError
from hub.selectors.accounts import account_get
from hub.services.access import allowed_network_add, allowed_network_remove, normalise_network


class Command(BaseCommand):
    help = ("Add an address or CIDR range to an account's API whitelist (or --remove it). "
            "An empty whitelist lets nobody in, so this is the operator's way in.")

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="account slug")
        parser.add_argument("address", help="IPv4/IPv6 address or CIDR range, e.g. 203.0.113.7 or 2001:db8::/48")
        parser.add_argument("--remove", action="store_true", help="remove it instead")
        parser.add_argument("--note", default="", help="why it is there (shown in the UI)")

    def handle(self, *args, **options):
        try:
            normalise_network(options["address"])  # refuse a bad address before touching the database
            account = account_get(slug=options["account"])
            if options["remove"]:
                network = allowed_network_remove(account=account, address=options["address"])
                self.stdout.write(f"removed {network} from {account.slug}")
                return
            row, created = allowed_network_add(account=account, address=options["address"], note=options["note"])
        except HubError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{'added' if created else 'already whitelisted'} {row.network} for {account.slug}")
