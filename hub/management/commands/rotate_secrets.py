from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from hub.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the newest key in HUB_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            for row in model._default_manager.only("pk", *fields).iterator(chunk_size=500):
                # Reading decrypts with any listed key; writing encrypts with the first.
                with transaction.atomic():
                    model._default_manager.filter(pk=row.pk).update(**{f: getattr(row, f) for f in fields})
                total += 1
        self.stdout.write(f"re-encrypted {total} rows")
