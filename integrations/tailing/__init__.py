"""Follow growing log files exactly once across rotation, truncation and restarts.

Pure file I/O: the caller stores FilePosition.to_dict() in the same transaction as the
records it consumed, and hands the stored position back to a new FileTailer after a restart.
"""

from .identity import FINGERPRINT_SIZE, FileIdentity
from .position import Chunk, FilePosition
from .tailer import DEFAULT_MAX_BYTES, FileTailer, TailStats

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FINGERPRINT_SIZE",
    "Chunk",
    "FileIdentity",
    "FilePosition",
    "FileTailer",
    "TailStats",
]
