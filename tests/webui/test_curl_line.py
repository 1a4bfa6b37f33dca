"""The request builder's curl line, pasted into a real shell with HUB_API_KEY set, gets the calls."""
import html
import json
import os
import re
import shutil
import subprocess
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from hub.models import AllowedNetwork, Role
from hub.services.api_keys import api_key_create
from tests.conftest import service_unavailable
from tests.factories import make_account, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_curl_line_works_when_pasted_into_a_shell(live_server):
    if not shutil.which("curl"):
        service_unavailable("curl is not installed (apt-get install curl)")
    account, _, _ = make_account("acme")
    AllowedNetwork.objects.create(account=account, network="127.0.0.1/32")
    _, key = api_key_create(account=account, name="shell")
    client = Client()
    client.force_login(make_member(account, "olivia@acme.test", Role.OWNER))
    page = client.get(reverse("webui:api-builder"), {"endpoint": "user", "sort_by": "newest_first", "limit": "5"},
                      HTTP_HOST=urlparse(live_server.url).netloc).content.decode()
    line = html.unescape(re.search(r'<code id="api-curl">(.*?)</code>', page).group(1))
    assert line.startswith(f"curl -s -H \"Authorization: Bearer $HUB_API_KEY\" '{live_server.url}/api/")
    done = subprocess.run(["bash", "-c", line], env={"PATH": os.environ["PATH"], "HUB_API_KEY": key},
                          capture_output=True, text=True, timeout=30)
    assert json.loads(done.stdout)["status"] == "success", done.stdout
