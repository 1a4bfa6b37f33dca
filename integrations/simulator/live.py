"""Real-time writer: a simulated PBX that keeps writing its logs until told to stop."""
from __future__ import annotations

import threading
import time
from datetime import tzinfo
from pathlib import Path
from random import Random

from .audio import AudioWriter
from .clicktocall import reply, take_requests
from .clock import Clock
from .directory import DEFAULT_DIRECTORY, Directory
from .engine import Engine
from .files import LogSet
from .merge import Merger

DEFAULT_INBOX = "click_to_call"
DEFAULT_RECORDINGS = "Recordings"  # as 3CX v20's Data/Recordings/<extension>/


class _Live:
    def __init__(self, engine: Engine, merger: Merger, logs: LogSet, speed: float, audio: AudioWriter | None = None):
        self.engine, self.merger, self.logs, self.speed = engine, merger, logs, speed
        self.audio = audio
        self.real_start = time.monotonic()
        self.sim_start = int(time.time() * 1000)
        self.written = 0

    def now(self) -> int:
        return self.sim_start + int((time.monotonic() - self.real_start) * 1000 * self.speed)

    def flush_until(self, limit_ms: int) -> None:
        for line in self.merger.pop_before(limit_ms):
            if self.audio is not None and line.stream == "callflow":
                self.audio.line(line.text)  # the file is complete before the line names it
            self.logs.write(line, flush=True)
            self.written += 1

    def push(self, rec) -> None:
        if self.audio is not None:
            self.audio.call_started(rec.pbx_call_id, rec.unique_call_id)
        self.merger.push(rec)

    def serve_inbox(self, inbox: Path, now_ms: int) -> None:
        directory = self.engine.directory
        for request in take_requests(inbox):
            request_id, user = request.get("request_id", ""), request.get("user")
            if request.get("invalid") or user not in directory.users:
                reply(inbox, request_id, error=f"unknown user or bad request: {user!r}")
                continue
            trunk = (directory.trunk_for_did(request.get("caller_id") or "")
                     or self.engine.rng.choice(directory.trunks))
            rec = self.engine.click_call(now_ms, ext=user, number=request["number"], trunk=trunk)
            self.push(rec)
            reply(inbox, request_id, pbx_call_id=rec.pbx_call_id,
                  unique_call_id=rec.unique_call_id)

    def sleep_for(self, target_ms: int, poll_interval: float) -> float:
        return max(0.0, min(poll_interval, (target_ms - self.now()) / 1000 / self.speed))


def run_live(*, out_dir: Path, tz: tzinfo, calls_per_minute: float = 6.0,
             stop_event: threading.Event | None = None, rotate_bytes: int | None = None,
             speed: float = 1.0, click_to_call_inbox: Path | None = None,
             seed: int | None = None, directory: Directory = DEFAULT_DIRECTORY,
             poll_interval: float = 0.2, recordings_dir: Path | None = None, audio: bool = True) -> int:
    """Write the three logs in out_dir as the simulated calls happen (flushed per record).

    The recordings and voicemails the CallFlow log announces are written as short WAV files
    under `recordings_dir` (default out_dir/Recordings), one folder per extension (audio=False:
    none).

    Simulated time starts at the wall clock and runs `speed` times faster. Click-to-call
    requests are read from `click_to_call_inbox` (default out_dir/click_to_call). Returns
    the number of records written once `stop_event` is set; calls still in progress are
    left unfinished, as when a PBX is stopped.
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    out_dir = Path(out_dir)
    inbox = Path(click_to_call_inbox) if click_to_call_inbox else out_dir / DEFAULT_INBOX
    stop = stop_event or threading.Event()
    clock = Clock(tz)
    engine = Engine(clock=clock, rng=Random(seed), directory=directory)
    with LogSet(out_dir, rotate_bytes=rotate_bytes) as logs:
        writer = AudioWriter(Path(recordings_dir) if recordings_dir else out_dir / DEFAULT_RECORDINGS) if audio else None
        live = _Live(engine, Merger(clock), logs, speed, writer)
        arrivals = engine.arrivals(live.sim_start, calls_per_minute)
        next_call = next(arrivals)
        while not stop.is_set():
            now = live.now()
            live.serve_inbox(inbox, now)
            while next_call <= now:
                live.push(engine.random_call(next_call))
                next_call = next(arrivals)
            live.flush_until(now + 1)
            upcoming = min(next_call, live.merger.next_ms() or next_call)
            stop.wait(live.sleep_for(upcoming, poll_interval))
    return live.written
