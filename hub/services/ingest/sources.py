"""Configure where a PBX's traffic is read from."""
from __future__ import annotations

from pathlib import Path

from hub.models import IngestSource, Pbx, SourceKind

SIMULATOR_FILES = {
    SourceKind.CALLFLOW_LOG: "3CXCallFlow.log",
    SourceKind.QUEUEMANAGER_LOG: "3CXQueueManager.log",
    SourceKind.CDR_FILE: "cdr.log",
}


SIMULATOR_RECORDINGS = "Recordings"


def file_sources_ensure(*, pbx: Pbx, directory: Path) -> list[IngestSource]:
    """Follow the two 3CX logs and the CDR file in ``directory``, and pick up recordings from its
    Recordings folder unless the PBX names another (idempotent)."""
    if not pbx.recordings_path:
        pbx.recordings_path = str((directory / SIMULATOR_RECORDINGS).resolve())
        pbx.save(update_fields=["recordings_path"])
    sources = []
    for kind, name in SIMULATOR_FILES.items():
        path = str((directory / name).resolve())
        source, _ = IngestSource.objects.get_or_create(pbx=pbx, kind=kind, path=path)
        sources.append(source)
    return sources
