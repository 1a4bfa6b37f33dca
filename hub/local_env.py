"""The local settings file that `./hubctl run` and `./hubctl manage` share: <var dir>/local.env.

Written once, then only read (by hubctl, which exports each line a variable set in the
environment does not override). Its keys must stay: SECRET_KEY keys the console sessions and
the hashes of API keys and ingest tokens, HUB_ENCRYPTION_KEY the secrets stored in the database.

Run as ``python -m hub.local_env VAR_DIR``; plain Python, no Django settings needed.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
import sys
from pathlib import Path

FILE_NAME = "local.env"

HEADER = """\
# Local settings of this checkout's hub, written once by ./hubctl; `./hubctl run` and
# `./hubctl manage` both read them (a variable set in the environment wins).
# Keep this file: a new SECRET_KEY logs every console session out and voids the API keys
# and ingest tokens, and without HUB_ENCRYPTION_KEY the secrets stored in the database
# cannot be read.
"""


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _keys(var_dir: Path) -> tuple[str, str]:
    # A var/ made before this file existed holds the demo's data under the development
    # fallbacks: the key settings.py kept in dev-secret-key and the encryption key it derived
    # from it (hub.crypto). Carry both over so that data, its API keys and its logins still work.
    legacy = var_dir / "dev-secret-key"
    if legacy.exists() and legacy.read_text().strip():
        secret_key = legacy.read_text().strip()
        derived = hashlib.sha256(f"hub-encryption:{secret_key}".encode()).digest()
        return secret_key, base64.urlsafe_b64encode(derived).decode()
    return secrets.token_urlsafe(50), _fernet_key()


def local_env_ensure(*, var_dir: Path) -> Path:
    """Write <var_dir>/local.env unless it exists; return its path."""
    path = var_dir / FILE_NAME
    if path.exists():
        return path
    var_dir.mkdir(parents=True, exist_ok=True)
    secret_key, encryption_key = _keys(var_dir)
    text = HEADER + "".join(f"{name}={value}\n" for name, value in {
        # The demo serves plain HTTP on loopback: DEBUG gives it cookies without the Secure flag
        # and localhost among ALLOWED_HOSTS.
        "DEBUG": "1",
        "SECRET_KEY": secret_key,
        "HUB_ENCRYPTION_KEY": encryption_key,
        # The demo is for trying webhooks against receivers on this machine.
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
    }.items())
    draft = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    try:
        # link() fails if the file appeared meanwhile (a `run` and a `manage` started together):
        # the first one written stays, so both use the same keys.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m hub.local_env VAR_DIR")
    print(local_env_ensure(var_dir=Path(sys.argv[1])))
