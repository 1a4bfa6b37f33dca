"""What every click-to-call driver shares: its settings in, a result or a readable error out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol


class DriverError(Exception):
    """The PBX did not take the call; ``reason`` is fit to show the person who asked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DriverResult:
    reference: str  # the PBX's id for the call (3CX call id, ARI channel id, simulator call id)
    status: str  # "ringing_user": the PBX accepted it and rings the user's devices first


@dataclass(frozen=True)
class DriverConfig:
    base_url: str = ""
    username: str = ""
    secret: str = ""
    context: str = ""
    timeout_seconds: float = 10.0
    simulator_dir: str = ""


class Driver(Protocol):
    name: ClassVar[str]
    # True when ``reference`` is the call id the PBX writes in the logs the hub ingests, so the
    # ingested call tells when the number answered.
    reference_is_log_call_id: ClassVar[bool]

    def __init__(self, config: DriverConfig) -> None: ...

    def originate(self, *, user: str, number: str, caller_id: str | None) -> DriverResult: ...


RINGING_USER = "ringing_user"
