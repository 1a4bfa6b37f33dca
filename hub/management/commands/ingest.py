import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from hub.gc_startup import startup_objects_freeze
from hub.metrics.server import metrics_server_start
from hub.services.ingest.process import IngestProcess


class Command(BaseCommand):
    help = "Follow every configured PBX log/CDR file and run the CDR socket servers until SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("--poll-interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument("--reload-every", type=float, default=10.0, help="seconds between re-reading the source list")

    def handle(self, *args, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        startup_objects_freeze()
        metrics_server_start(host=settings.METRICS_HOST, port=settings.METRICS_INGEST_PORT, process="ingest")
        self.stdout.write("ingest: running (SIGTERM to stop)")
        IngestProcess(stop=stop, poll_interval=options["poll_interval"], reload_every=options["reload_every"]).run()
        self.stdout.write("ingest: stopped")
