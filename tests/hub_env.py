"""Loaded as a pytest plugin (``-p tests.hub_env``) so it runs before Django reads settings.

Tests get fixed development keys and a private var/ directory, and run on PostgreSQL when
HUB_TEST_DATABASE_URL is given (pytest-django then creates ``test_<name>`` there).
"""
import os
import tempfile

_var = tempfile.mkdtemp(prefix="hub-test-var-")
os.environ["HUB_VAR_DIR"] = _var
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("HUB_ENCRYPTION_KEY", "2cJ0bXKQ9Pz7rGqk8nC0B3y2s8Q4tq8Lr0L0a2Zt8uU=")
os.environ["DEBUG"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
# The test client and the live servers speak plain HTTP (the redirect has its own tests).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "127.0.0.0/8")
# Pumps called directly by tests stop as soon as nothing is due (the idle wait has its own test).
os.environ.setdefault("WEBHOOK_PUMP_IDLE_MS", "0")
if os.environ.get("HUB_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["HUB_TEST_DATABASE_URL"]
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_var}/hub.sqlite3"
# Processes the tests start serve no metrics port unless a test gives them one (they would all want 9101).
os.environ.setdefault("METRICS_WORKER_PORT", "0")
os.environ.setdefault("METRICS_INGEST_PORT", "0")
