"""The demo's webhook receiver (hub/demo_receiver.py); `./hubctl run` starts it."""
from django.core.management.base import BaseCommand

from hub.demo_receiver import FAIL_EVERY, REFUSE_EVERY, serve


class Command(BaseCommand):
    help = "Receive the demo account's webhooks on loopback (GET / shows what arrived)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--fail-every", type=int, default=FAIL_EVERY, help="answer 503 to every Nth request (0: never)")
        parser.add_argument("--refuse-every", type=int, default=REFUSE_EVERY,
                            help="answer 400 to every Nth request (0: never)")

    def handle(self, *args, **options):
        serve(options["host"], options["port"], fail_every=options["fail_every"], refuse_every=options["refuse_every"])
