from django.core.management.base import BaseCommand, CommandError

from hub.errors import HubError
from hub.management.commands._output import emit
from hub.models import ALL_SCOPES
from hub.selectors.accounts import account_get
from hub.services.webui_api_keys import api_key_issue


class Command(BaseCommand):
    help = "Create an API key for an account and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="account slug")
        parser.add_argument("--name", default="cli", help="a name to recognise the key by")
        parser.add_argument("--scope", action="append", dest="scopes", choices=ALL_SCOPES,
                            help="limit the key to this scope (repeatable; default: all)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            account = account_get(slug=options["account"])
            api_key, full_key = api_key_issue(account=account, user=None, actor="cli", name=options["name"],
                                              scopes=options["scopes"])
        except HubError as exc:
            raise CommandError(str(exc)) from None
        emit(self, {"account": account.slug, "name": api_key.name, "prefix": api_key.prefix,
                    "scopes": ",".join(api_key.scopes), "api_key": full_key}, as_json=options["json"])
