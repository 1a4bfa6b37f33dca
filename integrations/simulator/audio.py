"""Short, real audio for the recordings and voicemails the simulated logs announce.

3CX v20 keeps recordings under ``Data/Recordings/<extension>/<name>``; the simulator writes
them in the same shape under its own folder (``Recordings/``), a WAV (8 kHz, 16-bit mono, the
telephone's) of a few seconds made with the ``wave`` module: a tone that differs per file, so
two recordings never have the same checksum. A voicemail goes in the box owner's folder as
``vmail_<unique_call_id>_<extension>.wav`` (the name the hub looks for; the log line names none).
"""
from __future__ import annotations

import math
import os
import re
import struct
import wave
import zlib
from pathlib import Path

RATE = 8000
MAX_SECONDS = 8
_RECORDING = re.compile(r"Call\(C:(\d+)\): Recording saved \[Ext\.([^\]]+)\] (\S+)")
_VOICEMAIL = re.compile(r"Call\(C:(\d+)\): Voicemail left for Ext\.(\S+?)[\s(].*\((\d+(?::\d+)*)\)\s*$")


def voicemail_file_name(unique_call_id: str, user: str) -> str:
    # The same as hub.vocabulary.recordings (the simulator does not import the hub).
    return f"vmail_{unique_call_id}_{user}.wav"


def wav_write(path: Path, seconds: float, *, seed: str = "") -> int:
    """A tone of ``seconds`` (at most MAX_SECONDS) into ``path``, written beside and renamed in,
    so a reader never sees half a file. Returns its size."""
    seconds = max(0.5, min(float(seconds), MAX_SECONDS))
    pitch = 300 + zlib.crc32(seed.encode()) % 500
    frames = int(seconds * RATE)
    data = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * pitch * i / RATE))) for i in range(frames))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    with wave.open(str(partial), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data)
    os.replace(partial, path)
    return path.stat().st_size


def _seconds(text: str) -> int:
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


class AudioWriter:
    """Writes the audio a CallFlow line announces, as the line is written."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.unique_ids: dict[str, str] = {}  # pbx call id -> unique call id, of calls pushed

    def call_started(self, pbx_call_id: str, unique_call_id: str) -> None:
        self.unique_ids[pbx_call_id] = unique_call_id

    def line(self, text: str) -> Path | None:
        if "Recording saved" in text:
            match = _RECORDING.search(text)
            if match:
                call, ext, name = match.groups()
                path = self.folder / ext / name
                wav_write(path, 3 + zlib.crc32(name.encode()) % 4, seed=name)
                return path
        elif "Voicemail left for" in text:
            match = _VOICEMAIL.search(text)
            if match and match[1] in self.unique_ids:
                call, ext, length = match.groups()
                name = voicemail_file_name(self.unique_ids[call], ext)
                path = self.folder / ext / name
                wav_write(path, _seconds(length), seed=name)
                return path
        return None
