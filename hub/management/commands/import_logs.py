from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hub.errors import HubError
from hub.models import Pbx
from hub.services.ingest.imports import KINDS, ImportSummary, files_import


class Command(BaseCommand):
    help = "Import whole 3CX log or CDR files for a PBX (re-importing adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--pbx", required=True, help="PBX slug")
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--kind", choices=sorted(KINDS), help="file kind (default: detected from name or content)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--no-flush", action="store_true",
                            help="more of these files will follow (imported or followed later): catalogue events "
                                 "they do not cover yet wait for it instead of going out at the end")

    def handle(self, *args, **options):
        pbx = Pbx.objects.filter(slug=options["pbx"]).first()
        if pbx is None:
            raise CommandError(f"no PBX with slug {options['pbx']!r}")
        missing = [str(p) for p in options["paths"] if not p.is_file()]
        if missing:
            raise CommandError(f"not a file: {', '.join(missing)}")
        summary = ImportSummary()
        total = sum(p.stat().st_size for p in options["paths"])
        paths = options["paths"]
        with tqdm(total=total, unit="B", unit_scale=True, disable=options["no_progress"], file=self.stderr._out) as bar:
            # The files are read side by side, merged by time (see files_import).
            bar.set_description(paths[0].name if len(paths) == 1 else f"{len(paths)} files")
            try:
                files_import(pbx=pbx, paths=paths, kind=options["kind"], summary=summary, on_bytes=bar.update,
                             flush=not options["no_flush"])
            except HubError as exc:
                raise CommandError(str(exc)) from None
        self._report(summary)

    def _report(self, s: ImportSummary) -> None:
        self.stdout.write(f"files: {s.files}")
        self.stdout.write(f"lines: {s.lines}")
        self.stdout.write(f"events: {s.events} new, {s.duplicates} already stored")
        self.stdout.write(f"calls: {len(s.calls)}")
        self.stdout.write(f"catalogue events: {s.catalogue_events}")
        skipped = ", ".join(f"{reason}={n}" for reason, n in sorted(s.skipped.items())) or "none"
        self.stdout.write(f"skipped: {sum(s.skipped.values())} ({skipped})")
