"""manage.py whitelist_ip: validates, normalises to CIDR, idempotent, audited, one-line errors."""
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hub.models import AllowedNetwork, AuditEntry
from tests.factories import make_account

ROOT = Path(__file__).resolve().parents[2]


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("whitelist_ip", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def account(db):
    return make_account("acme")[0]


@pytest.mark.parametrize("given,stored", [
    ("203.0.113.7", "203.0.113.7/32"), ("203.0.113.0/24", "203.0.113.0/24"), ("2001:db8::1", "2001:db8::1/128"),
    ("2001:DB8::/48", "2001:db8::/48"), ("::ffff:192.0.2.9", "192.0.2.9/32"), (" 10.0.0.0/8 ", "10.0.0.0/8"),
])
def test_adds_normalised_cidr(account, given, stored):
    assert _run("--account", "acme", given) == f"added {stored} for acme"
    assert list(AllowedNetwork.objects.values_list("network", flat=True)) == [stored]


def test_idempotent_and_audited_once(account):
    _run("--account", "acme", "203.0.113.7", "--note", "office")
    assert _run("--account", "acme", "203.0.113.7/32") == "already whitelisted 203.0.113.7/32 for acme"

    assert AllowedNetwork.objects.get().note == "office"
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.account) == ("cli", "allowed_network.added", account)


def test_remove(account):
    _run("--account", "acme", "203.0.113.7")
    assert _run("--account", "acme", "203.0.113.7", "--remove") == "removed 203.0.113.7/32 from acme"

    assert not AllowedNetwork.objects.exists()
    assert AuditEntry.objects.filter(action="allowed_network.removed").count() == 1


@pytest.mark.parametrize("args,message", [
    (["--account", "acme", "300.1.1.1"], "address: '300.1.1.1' is not an IPv4/IPv6 address or CIDR range"),
    (["--account", "acme", "10.0.0.0/33"], "address: '10.0.0.0/33' is not an IPv4/IPv6 address or CIDR range"),
    (["--account", "nope", "10.0.0.1"], "no account with slug 'nope'"),
    # Never saved wider than typed: the host bits of a range are a mistake to point out, not to clear.
    (["--account", "acme", "203.0.113.7/24"], "address: 203.0.113.7/24 would allow all of 203.0.113.0/24 (256 addresses), "
                                              "not only 203.0.113.7. Enter 203.0.113.7 for that one address, "
                                              "or 203.0.113.0/24 if you mean the whole range."),
    (["--account", "acme", "10.0.0.1", "--remove"], "10.0.0.1/32 is not on the whitelist of account 'acme'"),
])
def test_bad_input_is_one_line(account, args, message):
    with pytest.raises(CommandError) as error:
        _run(*args)
    assert str(error.value) == message


def test_exits_non_zero_with_one_line_on_stderr():
    # The address is checked before the database is read, so no test database is needed.
    result = subprocess.run([sys.executable, "manage.py", "whitelist_ip", "--account", "ghost", "not-an-ip"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 
    assert result.stderr.strip() == "CommandError: address: 'not-an-ip' is not an IPv4/IPv6 address or CIDR range"
