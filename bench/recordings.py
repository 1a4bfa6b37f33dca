"""Recordings: storing and serving audio with flat memory, and the ingest's folder pickup rate.

    .venv/bin/python bench/recordings.py                       # SQLite, filesystem storage
    .venv/bin/python bench/recordings.py --database postgres --big-mb 50 --files 1000 --file-mb 1

1. ``store``: one recording of ``--big-mb`` MB (a WAV file on disk) streamed into the storage
   by recording_store; the process's peak RSS (ru_maxrss) is read before and after: flat memory
   means the growth stays far below the file's size.
2. ``serve``: the same recording read back through its signed link (the hub's view, Django's
   test client, the streamed body consumed piece by piece), again with the RSS growth.
3. ``pickup``: ``--files`` recordings of ``--file-mb`` MB each announced on one PBX (rows as
   ingest writes them) and their files laid in its recordings folder; recordings_pickup (the
   ingest process's step) is run until all are stored. Wall time and files/s.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _django  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_wav(path: Path, size_mb: float, seed: int = 0) -> int:
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    frames = int(size_mb * 1024 * 1024 / 2)
    block = bytes((i * 7 + seed) % 251 for i in range(64 * 1024))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        left = frames * 2
        while left > 0:
            w.writeframesraw(block[:min(left, len(block))])
            left -= len(block)
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--big-mb", type=float, default=50)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--file-mb", type=float, default=1)
    args = parser.parse_args()
    os.environ.setdefault("RECORDING_STABLE_SECONDS", "1")
    _django.setup(args.database, "bench_recordings")
    try:
        run(args)
    finally:
        _django.teardown(args.database, "bench_recordings")


def run(args) -> None:
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from hub.models import Call, Recording
    from hub.services.accounts import account_create, pbx_create
    from hub.services.recordings.collect import FolderWatch, recordings_pickup
    from hub.services.recordings.links import recording_link
    from hub.services.recordings.storage import recording_store

    var = Path(os.environ["HUB_VAR_DIR"])
    account = account_create(name="Bench", slug="bench")
    pbx, _ = pbx_create(account=account, name="Bench PBX", slug="bench-pbx", timezone="+11:00")
    now = timezone.now()
    call = Call.objects.create(account=account, pbx=pbx, unique_call_id="250301080000_1", direction="inbound",
                               call_start_at=now, last_event_at=now)

    # 1. store
    big = var / "big.wav"
    size = _write_wav(big, args.big_mb)
    recording = Recording.objects.create(call=call, user="101", file=big.name, recorded_at=now)
    before = _rss_mb()
    started = time.perf_counter()
    with open(big, "rb") as stream:
        recording = recording_store(recording, stream)
    took = time.perf_counter() - started
    print(f"store: {size / 2**20:.1f} MB in {took:.2f} s ({size / 2**20 / took:.0f} MB/s); "
          f"peak RSS {before:.0f} -> {_rss_mb():.0f} MB (+{_rss_mb() - before:.0f} MB)")

    # 2. serve
    link = recording_link(recording)
    path = link[len(settings.HUB_PUBLIC_URL):]
    before = _rss_mb()
    started = time.perf_counter()
    response = Client(HTTP_HOST="127.0.0.1").get(path)
    assert response.status_code == 200 and response.streaming, (response.status_code, response.content[:200])
    read = sum(len(piece) for piece in response.streaming_content)
    took = time.perf_counter() - started
    assert response.status_code == 200 and read == size, (response.status_code, read, size)
    print(f"serve: {read / 2**20:.1f} MB streamed in {took:.2f} s; peak RSS {before:.0f} -> {_rss_mb():.0f} MB "
          f"(+{_rss_mb() - before:.0f} MB)")

    # 3. pickup
    folder = var / "Recordings"
    pbx.recordings_path = str(folder)
    pbx.save(update_fields=["recordings_path"])
    rows = []
    for i in range(args.files):
        name = f"20250301080000_{i}_102.wav"
        _write_wav(folder / "102" / name, args.file_mb, seed=i)
        rows.append(Recording(call=call, user="102", file=name, recorded_at=now))
    Recording.objects.bulk_create(rows)
    total = args.files * args.file_mb
    time.sleep(settings.RECORDING_STABLE_SECONDS)  # the files were just written: let them settle
    watch, stored, rounds = FolderWatch(), 0, 0
    started, cpu = time.perf_counter(), _cpu()
    while stored < args.files and rounds < 100:
        stored += recordings_pickup(watch=watch)
        rounds += 1
    took = time.perf_counter() - started
    print(f"pickup: {stored} of {args.files} files ({total:.0f} MB) stored in {took:.1f} s "
          f"({stored / took:.0f} files/s, {rounds} rounds; {_cpu() - cpu:.1f} CPU s in this process; "
          f"load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
