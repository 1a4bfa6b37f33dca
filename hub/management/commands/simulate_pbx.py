import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hub.models import Pbx
from hub.vocabulary.timezones import parse_timezone
from hub.services.ingest.sources import file_sources_ensure
from integrations.simulator import run_live


class Command(BaseCommand):
    help = "Write live 3CX traffic (CallFlow and QueueManager logs, CDR) for a PBX into a directory."

    def add_arguments(self, parser):
        parser.add_argument("--pbx", required=True, help="PBX slug (its time zone is used)")
        parser.add_argument("--dir", required=True, type=Path, help="directory to write the files in")
        parser.add_argument("--calls-per-minute", type=float, default=6.0)
        parser.add_argument("--rotate-bytes", type=int, default=5 << 20, help="rotate a file past this size (0 = never)")
        parser.add_argument("--seed", type=int, help="fixed random seed for repeatable traffic")
        parser.add_argument("--no-sources", action="store_true",
                            help="do not register the files as the PBX's ingest sources")

    def handle(self, *args, **options):
        pbx = Pbx.objects.filter(slug=options["pbx"]).first()
        if pbx is None:
            raise CommandError(f"no PBX with slug {options['pbx']!r}")
        if options["calls_per_minute"] <= 0:
            raise CommandError("--calls-per-minute must be positive")
        directory = options["dir"]
        directory.mkdir(parents=True, exist_ok=True)
        if not options["no_sources"]:
            file_sources_ensure(pbx=pbx, directory=directory)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"simulate_pbx: writing {pbx.slug} traffic to {directory} (SIGTERM to stop)")
        written = run_live(out_dir=directory, tz=parse_timezone(pbx.timezone), calls_per_minute=options["calls_per_minute"],
                           stop_event=stop, rotate_bytes=options["rotate_bytes"] or None, seed=options["seed"],
                           click_to_call_inbox=directory / "click_to_call")
        self.stdout.write(f"simulate_pbx: stopped after {written} records")
