"""Ingest: store PBX events once, link them to calls, assemble calls, derive catalogue events.

All of it happens in the caller's one transaction (see ``events_ingest``), together with the
source position, so a crash at any point leaves either everything of a batch or nothing.
"""
from hub.services.ingest.batch import IngestResult, events_ingest

__all__ = ["IngestResult", "events_ingest"]
