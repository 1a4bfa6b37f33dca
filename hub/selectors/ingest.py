"""Which PBX a push belongs to: the token in the push URL is the credential."""
from __future__ import annotations

import hmac

from hub.crypto import keyed_hash
from hub.models import Pbx
from hub.models.pbx import INGEST_TOKEN_PURPOSE

# Real tokens are 32 characters (token_urlsafe(24)); anything far longer is not worth hashing.
MAX_TOKEN_LENGTH = 200


def pbx_for_ingest_token(*, token: str) -> Pbx | None:
    """The PBX whose ingest token this is, or None for an unknown or malformed token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        digest = keyed_hash(token, purpose=INGEST_TOKEN_PURPOSE)
    except UnicodeEncodeError:  # lone surrogates cannot be a token we issued
        return None
    pbx = Pbx.objects.filter(ingest_token_hash=digest).select_related("account").first()
    # The indexed lookup already matched; comparing again in constant time keeps the check
    # honest should the lookup ever become a prefix or case-insensitive match.
    if pbx is None or not hmac.compare_digest(pbx.ingest_token_hash.encode(), digest.encode()):
        return None
    return pbx
