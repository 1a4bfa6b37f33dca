import pytest
from django.db import connection

from hub.crypto import decrypt, encrypt
from tests.factories import make_account


@pytest.mark.django_db
def test_ingest_token_is_encrypted_in_the_database():
    _, pbx, token = make_account()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ingest_token FROM hub_pbx WHERE id = %s", [pbx.id])
        stored = cursor.fetchone()[0]
    assert token not in stored
    assert decrypt(stored) == token


def test_old_key_still_decrypts_after_rotation(settings):
    from cryptography.fernet import Fernet

    from hub import crypto

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.HUB_ENCRYPTION_KEYS = [old]
    crypto._fernet.cache_clear()
    token = encrypt("whsec_example")
    settings.HUB_ENCRYPTION_KEYS = [new, old]
    crypto._fernet.cache_clear()
    try:
        assert decrypt(token) == "whsec_example"
        rotated = crypto.rotate(token)
        settings.HUB_ENCRYPTION_KEYS = [new]
        crypto._fernet.cache_clear()
        assert decrypt(rotated) == "whsec_example"
    finally:
        crypto._fernet.cache_clear()


@pytest.mark.django_db
def test_rotate_secrets_reencrypts_under_the_newest_key(settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from hub import crypto
    from hub.models import Pbx

    old = settings.HUB_ENCRYPTION_KEYS[0]
    _, pbx, token = make_account()
    new = Fernet.generate_key().decode()
    settings.HUB_ENCRYPTION_KEYS = [new, old]
    crypto._fernet.cache_clear()
    try:
        call_command("rotate_secrets", stdout=open("/dev/null", "w"))
        settings.HUB_ENCRYPTION_KEYS = [new]
        crypto._fernet.cache_clear()
        assert Pbx.objects.get(pk=pbx.pk).ingest_token == token
    finally:
        settings.HUB_ENCRYPTION_KEYS = [old]
        crypto._fernet.cache_clear()
