"""HTTPS in production: plain HTTP redirected, HSTS sent, probes still answered over HTTP, and
``check --deploy`` clean with production settings."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
# What an operator sets in production (.env.example), nothing more: the rest are the defaults.
PRODUCTION = {
    "DEBUG": "0", "SECRET_KEY": "k3v9-production-like-secret-key-of-fifty-characters-or-more-x7Qz",
    "HUB_ENCRYPTION_KEY": "2cJ0bXKQ9Pz7rGqk8nC0B3y2s8Q4tq8Lr0L0a2Zt8uU=", "ALLOWED_HOSTS": "hub.example.com",
}


def _python(*args: str, env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    # Only PATH from this process: the test suite's own settings must not leak in.
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ["PATH"], "HUB_VAR_DIR": str(tmp_path),
                               "DJANGO_SETTINGS_MODULE": "hub.settings", **env})


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_debug_turns_the_https_settings_off(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)")
    production = _python("-c", code, env=PRODUCTION, tmp_path=tmp_path)
    debug = _python("-c", code, env={**PRODUCTION, "DEBUG": "1"}, tmp_path=tmp_path)

    assert production.stdout.split() == ["True", "31536000"], production.stderr
    assert debug.stdout.split() == ["False", "0"], debug.stderr


@pytest.fixture
def production_https():
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31_536_000,
                           SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        yield Client()  # a new client builds the middleware chain from these settings


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production_https):
    response = production_https.get("/api/v1/calls?limit=1")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/calls?limit=1"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_over_plain_http(production_https, path):
    assert production_https.get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/api/v1/calls"])
def test_behind_a_tls_proxy_requests_are_served_with_hsts(production_https, path):
    response = production_https.get(path, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code in (200, 401)  # /api/v1/calls: no key, but served, not redirected
    assert response["Strict-Transport-Security"] == "max-age=31536000"
