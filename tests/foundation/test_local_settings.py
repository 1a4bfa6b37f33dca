"""The local settings file hubctl's `run` and `manage` share, and what happens without settings."""
import base64
import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hub.env import EXIT_CONFIG
from hub.local_env import local_env_ensure

ROOT = Path(__file__).resolve().parents[2]


def _read(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


def _without(*names: str, **extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in names}, **extra}


def test_local_env_is_written_once_with_random_keys_only_its_owner_reads(tmp_path):
    path = local_env_ensure(var_dir=tmp_path / "a")
    first = path.read_text()
    assert local_env_ensure(var_dir=tmp_path / "a").read_text() == first
    values = _read(path)
    assert values["DEBUG"] == "1"
    Fernet(values["HUB_ENCRYPTION_KEY"].encode())  # a usable key, or this raises
    assert len(values["SECRET_KEY"]) >= 50
    other = _read(local_env_ensure(var_dir=tmp_path / "b"))
    assert other["SECRET_KEY"] != values["SECRET_KEY"]
    assert other["HUB_ENCRYPTION_KEY"] != values["HUB_ENCRYPTION_KEY"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_local_env_keeps_the_keys_a_var_dir_from_before_it_was_using(tmp_path):
    # Such a var/ holds data encrypted with the key DEBUG derived from dev-secret-key.
    (tmp_path / "dev-secret-key").write_text("an-old-development-key\n")
    values = _read(local_env_ensure(var_dir=tmp_path))
    assert values["SECRET_KEY"] == "an-old-development-key"
    derived = base64.urlsafe_b64encode(hashlib.sha256(b"hub-encryption:an-old-development-key").digest()).decode()
    assert values["HUB_ENCRYPTION_KEY"] == derived
    token = Fernet(derived.encode()).encrypt(b"stored before")
    code = "from hub.crypto import decrypt; import sys; print(decrypt(sys.argv[1]))"
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code, token.decode()],
                            cwd=ROOT, env={**os.environ, **values, "HUB_VAR_DIR": str(tmp_path)},
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "stored before", result.stderr


@pytest.mark.parametrize("program, command", [
    ("manage.py", [sys.executable, "manage.py", "whitelist_ip", "--account", "demo", "203.0.113.7"]),
    ("celery", [sys.executable, "-m", "celery", "-A", "hub", "worker", "--pool", "solo"]),
    ("celery", [sys.executable, "-m", "celery", "-A", "hub", "beat"]),
])
def test_without_a_secret_key_commands_say_what_to_set_without_a_traceback(program, command, tmp_path):
    result = subprocess.run(command, cwd=ROOT, env=_without("SECRET_KEY", HUB_VAR_DIR=str(tmp_path)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == EXIT_CONFIG
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{program}: SECRET_KEY is not set: set it in the environment")
    assert "./hubctl manage COMMAND" in result.stderr


def test_without_an_encryption_key_in_production_manage_py_names_it(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                            env=_without("HUB_ENCRYPTION_KEY", DEBUG="0", HUB_VAR_DIR=str(tmp_path)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == EXIT_CONFIG
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("manage.py: HUB_ENCRYPTION_KEY is not set")
