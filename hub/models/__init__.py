from hub.models.accounts import Account, Membership, Role
from hub.models.api_keys import ALL_SCOPES, ApiKey, Scope
from hub.models.directory import PbxUser, Queue, RingGroup
from hub.models.pbx import Pbx, PbxKind

__all__ = [
    "ALL_SCOPES", "Account", "ApiKey", "Membership", "Pbx", "PbxKind", "PbxUser", "Queue",
    "RingGroup", "Role", "Scope",
]
