import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hub.crypto import keyed_hash
from hub.models import Account, ApiKey, AuditEntry, Membership, Pbx, Role
from hub.services.api_keys import KEY_PURPOSE

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_account_json_output_names_account_pbx_token_and_key():
    data = json.loads(run("create_account", "--name", "Acme Ltd", "--pbx", "Main Office", "--timezone", "Australia/Sydney",
                          "--admin-email", "boss@acme.test", "--admin-password", "s3cret-pass-word", "--json"))
    assert set(data) == {"account", "pbx", "pbx_token", "api_key"}
    assert data["account"] == "acme-ltd" and data["pbx"] == "main-office"
    pbx = Pbx.objects.get(slug="main-office")
    assert pbx.account.slug == "acme-ltd" and pbx.timezone == "Australia/Sydney"
    assert pbx.ingest_token == data["pbx_token"]
    key = ApiKey.objects.get(account=pbx.account)
    assert key.key_hash == keyed_hash(data["api_key"], purpose=KEY_PURPOSE)
    membership = Membership.objects.get(account=pbx.account)
    assert membership.role == Role.OWNER and membership.user.check_password("s3cret-pass-word")


@pytest.mark.django_db
def test_create_account_text_output_is_key_value_lines():
    lines = run("create_account", "--name", "Beta", "--pbx", "HQ", "--timezone", "+11:00").splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == ["account", "pbx", "pbx_token", "api_key"]


@pytest.mark.django_db
def test_create_account_refuses_bad_timezone_and_creates_nothing():
    with pytest.raises(CommandError, match="timezone 'Nowhere/City'"):
        run("create_account", "--name", "Acme", "--pbx", "HQ", "--timezone", "Nowhere/City")
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_create_account_refuses_existing_slug():
    run("create_account", "--name", "Acme", "--pbx", "HQ", "--timezone", "UTC")
    with pytest.raises(CommandError, match="an account with slug 'acme' already exists"):
        run("create_account", "--name", "Acme", "--pbx", "Other", "--timezone", "UTC")


@pytest.mark.django_db
def test_create_api_key_prints_a_new_working_key_once():
    run("create_account", "--name", "Acme", "--pbx", "HQ", "--timezone", "UTC")
    data = json.loads(run("create_api_key", "--account", "acme", "--name", "crm", "--scope", "calls:read", "--json"))
    key = ApiKey.objects.get(prefix=data["prefix"])
    assert key.name == "crm" and key.scopes == ["calls:read"]
    assert data["api_key"].startswith(f"pbxh_{key.prefix}_")
    assert data["api_key"] not in json.dumps(list(ApiKey.objects.values()), default=str)
    entry = AuditEntry.objects.get(action="api_key.created", object_id=str(key.pk))
    assert entry.actor == "cli" and entry.changes["scopes"] == [None, ["calls:read"]]
    assert data["api_key"] not in entry.summary + json.dumps(entry.changes)


@pytest.mark.django_db
def test_create_api_key_for_unknown_account_fails():
    with pytest.raises(CommandError, match="no account with slug 'ghost'"):
        run("create_api_key", "--account", "ghost")


def test_scripted_setup_through_manage_py(tmp_path):
    """What an operator's script does: migrate, create, parse JSON, and get a one-line error."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/ops.sqlite3"}

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    assert manage("migrate", "--verbosity", "0").returncode == 0
    created = manage("create_account", "--name", "Ops", "--pbx", "Ops PBX", "--timezone", "Europe/Berlin", "--json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["pbx"] == "ops-pbx"
    again = manage("create_account", "--name", "Ops", "--pbx", "Another", "--timezone", "Europe/Berlin")
    assert again.returncode != 0
    assert again.stderr.strip().splitlines() == ["CommandError: an account with slug 'ops' already exists"]


@pytest.mark.django_db
def test_demo_setup_is_idempotent_and_fills_the_demo_directory(settings, tmp_path):
    from hub.models import CallControl, PbxUser, Queue

    settings.VAR_DIR = tmp_path
    first = json.loads(run("demo_setup"))
    second = json.loads(run("demo_setup"))
    assert first == second and first["email"] == "admin@example.com"
    pbx = Pbx.objects.get(slug=first["pbx"])
    assert PbxUser.objects.filter(pbx=pbx, number="103").exists()
    assert Queue.objects.get(pbx=pbx, number="822").agents.exists()
    assert CallControl.objects.get(pbx=pbx).driver == "simulator"
    assert Membership.objects.get(account=pbx.account).user.check_password(first["password"])
