from django.core.management.base import BaseCommand, CommandError

from hub.errors import HubError
from hub.management.commands._output import emit
from hub.services.accounts import account_setup


class Command(BaseCommand):
    help = "Create an account with its first PBX, API key and (optionally) an owner login."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the customer's name")
        parser.add_argument("--slug", help="account slug (default: from the name)")
        parser.add_argument("--pbx", required=True, help="the first PBX's name; its slug is derived from it")
        parser.add_argument("--timezone", required=True, help="the PBX's IANA zone or offset, e.g. Australia/Melbourne or +11:00")
        parser.add_argument("--admin-email", help="owner login to create or grant")
        parser.add_argument("--admin-password", help="password for a new owner login")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        if options["admin_password"] and not options["admin_email"]:
            raise CommandError("--admin-password needs --admin-email")
        try:
            result = account_setup(
                name=options["name"], slug=options["slug"], pbx_name=options["pbx"],
                timezone=options["timezone"], admin_email=options["admin_email"],
                admin_password=options["admin_password"],
            )
        except HubError as exc:
            raise CommandError(str(exc)) from None
        emit(self, result, as_json=options["json"])
