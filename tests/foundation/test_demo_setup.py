"""The demo account `./hubctl run` prepares: its API works at once, and a restart changes nothing."""
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from hub.crypto import keyed_hash
from hub.models import Account, AllowedNetwork, ApiKey, Pbx
from hub.services.accounts import account_setup
from hub.services.api_keys import KEY_PURPOSE, api_key_revoke
from hub.services.click_to_call import call_originate
from hub.services.demo import demo_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_demo_whitelists_loopback_for_the_demo_account_only(var_dir):
    other = account_setup(name="Other", pbx_name="Other PBX", timezone="UTC")
    demo_ensure(var_dir=var_dir)
    demo_ensure(var_dir=var_dir)
    networks = AllowedNetwork.objects.filter(account__slug="demo").values_list("network", flat=True)
    assert sorted(networks) == ["127.0.0.1/32", "::1/128"]
    assert not AllowedNetwork.objects.filter(account__slug=other["account"]).exists()


def test_demo_api_key_is_usable_and_kept_across_starts(var_dir):
    first = demo_ensure(var_dir=var_dir)
    second = demo_ensure(var_dir=var_dir)
    assert first == second
    key = ApiKey.objects.get(key_hash=keyed_hash(first.api_key, purpose=KEY_PURPOSE))
    assert key.account.slug == "demo" and key.revoked_at is None
    assert json.loads((var_dir / "demo.json").read_text())["api_key"] == first.api_key


def test_a_revoked_demo_key_is_replaced_at_the_next_start(var_dir):
    first = demo_ensure(var_dir=var_dir)
    key = ApiKey.objects.get(key_hash=keyed_hash(first.api_key, purpose=KEY_PURPOSE))
    api_key_revoke(account=key.account, key_id=key.pk)
    second = demo_ensure(var_dir=var_dir)
    assert second.api_key != first.api_key
    assert ApiKey.objects.filter(key_hash=keyed_hash(second.api_key, purpose=KEY_PURPOSE),
                                 revoked_at__isnull=True).exists()


def test_console_session_survives_a_restart_of_the_demo(var_dir, client):
    login = demo_ensure(var_dir=var_dir)
    assert client.login(username=login.email, password=login.password)
    password_hash = get_user_model().objects.get(username=login.email).password
    assert demo_ensure(var_dir=var_dir).password == login.password
    # A password set again (even the same one) gets a new salt, and the session hash with it.
    assert get_user_model().objects.get(username=login.email).password == password_hash
    assert client.get(reverse("webui:dashboard")).status_code == 200


def test_a_changed_demo_password_is_set_back_to_the_printed_one(var_dir, client):
    login = demo_ensure(var_dir=var_dir)
    user = get_user_model().objects.get(username=login.email)
    user.set_password("someone-changed-it")
    user.save()
    demo_ensure(var_dir=var_dir)
    assert client.login(username=login.email, password=login.password)


def test_demo_pbx_takes_national_numbers_for_click_to_call(var_dir):
    login = demo_ensure(var_dir=var_dir)
    pbx = Pbx.objects.get(slug=login.pbx)
    assert pbx.default_region == "AU"
    click = call_originate(account=Account.objects.get(slug="demo"), pbx=pbx, user_number="101",
                           number_to_call="0355501234", caller_id=None, api_key=None)
    assert click.number_to_call == "+61355501234"


def test_an_older_demo_pbx_without_region_gets_one(var_dir):
    login = demo_ensure(var_dir=var_dir)
    Pbx.objects.filter(slug=login.pbx).update(default_region="")
    demo_ensure(var_dir=var_dir)
    assert Pbx.objects.get(slug=login.pbx).default_region == "AU"
