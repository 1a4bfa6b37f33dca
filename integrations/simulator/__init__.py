"""A realistic 3CX traffic generator (plain Python, no Django).

Writes what a 3CX host writes: `3CXCallFlow.log`, `3CXQueueManager.log` (formats.md §1-2)
and `cdr.log` (§3), for a small office directory (directory.py) and a weighted table of
call scenarios (scenarios/). See README.md for the file and inbox contracts.
"""
from .clicktocall import place_call, wait_for_call
from .directory import DEFAULT_DIRECTORY, Directory
from .files import ROTATED_KEEP, STREAM_FILES, write_batch
from .generator import SimCall, expected_calls, generate, generate_calls
from .live import run_live
from .merge import SimLine
from .scenarios import SCENARIOS

__all__ = [
    "DEFAULT_DIRECTORY", "Directory", "ROTATED_KEEP", "SCENARIOS", "STREAM_FILES", "SimCall",
    "SimLine", "expected_calls", "generate", "generate_calls", "place_call", "run_live",
    "wait_for_call", "write_batch",
]
