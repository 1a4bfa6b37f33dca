"""Request headers as the attempt log keeps them: secrets reduced to a recognisable stub."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_SECRET_NAME = re.compile(r"token|secret|key|auth|sign|pass|cookie|session|credential", re.I)
_STUB = 4  # enough to tell two secrets apart in the log, too little to use


def mask(value: str) -> str:
    # Short values would be mostly revealed by a 4-character stub.
    return value[:_STUB] + "…" if len(value) >= 3 * _STUB else "…"


def _mask_credentials(value: str) -> str:
    scheme, _, credentials = value.partition(" ")
    return f"{scheme} {mask(credentials)}" if credentials else mask(value)


def _mask_signatures(value: str) -> str:
    return " ".join(f"v1,{mask(sig.removeprefix('v1,'))}" for sig in value.split())


_MASKERS: dict[str, Callable[[str], str]] = {
    "authorization": _mask_credentials,
    "proxy-authorization": _mask_credentials,
    "webhook-signature": _mask_signatures,
}


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, value in headers.items():
        masker = _MASKERS.get(name.lower())
        if masker is None and _SECRET_NAME.search(name):
            masker = mask
        out[name] = masker(str(value)) if masker else str(value)
    return out
