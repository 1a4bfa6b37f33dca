import os

import pytest
from django.db import connection

from tests.conftest import REQUIRE_SERVICES


@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_configured():
    if os.environ.get("HUB_TEST_DATABASE_URL"):
        assert connection.vendor == "postgresql"
        assert connection.settings_dict["NAME"].startswith("test_")
    elif REQUIRE_SERVICES:
        pytest.fail("HUB_REQUIRE_SERVICES=1 but HUB_TEST_DATABASE_URL is not set: the suite would run on SQLite")
    else:
        assert connection.vendor == "sqlite"
