"""The garbage collector in the hub's long-running processes (web, worker, ingest)."""
from __future__ import annotations

import gc


def startup_objects_freeze() -> None:
    """Leave what start-up built (settings, apps, models, URL patterns, Celery's app and
    tasks) out of every later collection. Those objects live as long as the process, yet each
    full collection traversed all of them: with gc callbacks in the delivery benchmark, the
    worker paused 24–93 ms and the ingest process 67–159 ms per full collection, and those
    pauses were the latency tail. Call it once the process is ready to work."""
    gc.collect()
    gc.freeze()
