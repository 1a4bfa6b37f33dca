from hub.models.accounts import Account, Membership, Role
from hub.models.api_keys import ALL_SCOPES, ApiKey, Scope
from hub.models.calls import Call, CallState, Direction, QueueLeg, Recording, RingGroupLeg, UserLeg
from hub.models.components import ComponentCondition, WebhookComponent
from hub.models.directory import PbxUser, Queue, RingGroup
from hub.models.events import CatalogueEvent, QcidLink, StoredPbxEvent
from hub.models.ingest import FILE_KINDS, IngestSource, SourceKind
from hub.models.pbx import Pbx, PbxKind

__all__ = [
    "ALL_SCOPES", "Account", "ApiKey", "Call", "CallState", "CatalogueEvent", "ComponentCondition",
    "Direction", "FILE_KINDS", "IngestSource", "Membership", "Pbx", "PbxKind", "PbxUser", "QcidLink",
    "Queue", "QueueLeg", "Recording", "RingGroup", "RingGroupLeg", "Role", "Scope", "SourceKind",
    "StoredPbxEvent", "UserLeg", "WebhookComponent",
]
