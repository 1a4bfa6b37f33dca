from hub.models.access import AllowedNetwork
from hub.models.accounts import Account, Membership, Role
from hub.models.audit import AuditEntry
from hub.models.api_keys import ALL_SCOPES, ApiKey, Scope
from hub.models.click_to_call import CallControl, ClickToCall, ClickToCallStatus, DriverKind
from hub.models.calls import (Call, CallState, Direction, QueueLeg, Recording, RecordingKind, RecordingSource,
                              RecordingState, RingGroupLeg, UserLeg)
from hub.models.components import ComponentCondition, WebhookComponent
from hub.models.directory import PbxUser, Queue, RingGroup
from hub.models.events import CatalogueEvent, QcidLink, StoredPbxEvent
from hub.models.ingest import FILE_KINDS, IngestSource, SourceKind
from hub.models.invitations import Invitation
from hub.models.outages import DatabaseOutage
from hub.models.pbx import Pbx, PbxKind
from hub.models.retention import RetentionPolicy
from hub.models.webhooks import (Attempt, Delivery, DeliveryStatus, Dialect, RetryPolicy, SigningSecret,
                                 WebhookEndpoint)

__all__ = [
    "ALL_SCOPES", "Account", "AllowedNetwork", "Attempt", "AuditEntry", "CallControl", "ClickToCall",
    "ClickToCallStatus", "Delivery", "DeliveryStatus", "Dialect", "DriverKind", "SigningSecret",
    "WebhookEndpoint", "ApiKey", "Call", "CallState", "CatalogueEvent", "ComponentCondition",
    "DatabaseOutage", "Direction", "FILE_KINDS", "IngestSource", "Invitation", "Membership", "Pbx", "PbxKind", "PbxUser", "QcidLink",
    "Queue", "QueueLeg", "Recording", "RecordingKind", "RecordingSource", "RecordingState", "RetentionPolicy",
    "RetryPolicy", "RingGroup", "RingGroupLeg", "Role", "Scope", "SourceKind",
    "StoredPbxEvent", "UserLeg", "WebhookComponent",
]
