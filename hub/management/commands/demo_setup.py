import json
from dataclasses import asdict

from django.conf import settings
from django.core.management.base import BaseCommand

from hub.services.demo import demo_ensure


class Command(BaseCommand):
    help = ("Create (once) the demo account, its simulated PBX and an admin login; make the login, the API key "
            "and the loopback whitelist work; print them as JSON.")

    def handle(self, *args, **options):
        login = demo_ensure(var_dir=settings.VAR_DIR)
        self.stdout.write(json.dumps(asdict(login)))
