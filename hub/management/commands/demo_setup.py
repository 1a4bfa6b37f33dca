import json
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from hub.models import Account, CallControl, DriverKind, Pbx, Role
from hub.services.accounts import account_setup, membership_grant
from hub.services.directory import directory_seed
from integrations.simulator import DEFAULT_DIRECTORY

DEMO_SLUG = "demo"
DEMO_PBX = "Demo PBX"
DEMO_EMAIL = "admin@example.com"


def _seed_directory(pbx: Pbx) -> None:
    """The simulator's office, so click-to-call and the user pickers work before any traffic."""
    office = DEFAULT_DIRECTORY
    directory_seed(
        pbx=pbx, users={u.ext: u.name for u in office.users.values()},
        queues={q.number: (q.name, list(q.agents)) for q in office.queues.values()},
        ring_groups={office.ring_group.number: (office.ring_group.name, list(office.ring_group.members))},
    )


class Command(BaseCommand):
    help = "Create (once) the demo account, its simulated PBX and an admin login; print the login."

    @transaction.atomic
    def handle(self, *args, **options):
        state_file = settings.VAR_DIR / "demo.json"
        state = json.loads(state_file.read_text()) if state_file.exists() else {}
        if not Account.objects.filter(slug=DEMO_SLUG).exists():
            password = secrets.token_urlsafe(9)
            state = account_setup(name="Demo", slug=DEMO_SLUG, pbx_name=DEMO_PBX,
                                  timezone="Australia/Melbourne", admin_email=DEMO_EMAIL,
                                  admin_password=password)
            state["admin_password"] = password
            state_file.write_text(json.dumps(state, indent=2))
            state_file.chmod(0o600)
        elif state.get("admin_password"):
            # Keep the printed login true even if someone changed the password meanwhile.
            membership_grant(account=Account.objects.get(slug=DEMO_SLUG), email=DEMO_EMAIL,
                             password=state["admin_password"], role=Role.OWNER)
        # Click-to-call on the demo PBX goes to the simulator run_demo starts on this directory.
        pbx_slug = state.get("pbx", "demo-pbx")
        for pbx in Pbx.objects.filter(slug=pbx_slug, account__slug=DEMO_SLUG):
            CallControl.objects.get_or_create(pbx=pbx, defaults={
                "driver": DriverKind.SIMULATOR, "simulator_dir": str(settings.VAR_DIR / "simulator" / pbx.slug)})
            _seed_directory(pbx)
        self.stdout.write(json.dumps({"email": DEMO_EMAIL, "password": state.get("admin_password", "(unchanged)"),
                                      "pbx": state.get("pbx", "demo-pbx")}))
