from django.core.management.base import BaseCommand

from hub.catalogue.markdown import catalogue_markdown


class Command(BaseCommand):
    help = "Print the event catalogue (every trigger, its fields and a sample payload) as Markdown."

    def handle(self, *args, **options):
        self.stdout.write(catalogue_markdown(), ending="")
