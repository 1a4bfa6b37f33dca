"""3CX's CDR "active socket" into a real `manage.py ingest`, with real TCP clients."""
import socket
import time
from datetime import datetime

from integrations.simulator import generate
from integrations.threecx_cdr import parse_cdr_line, parse_cdr_text
from tests.ingest.hub_processes import (
    PBX, TZ, free_port, hub_db, hub_process, wait_for,
)
from tests.ingest.samples import SAMPLE_DIR, expected_calls, sample_events

ALLOWED_ONLY = "127.0.0.2"


def _connect(port: int, source_address: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source_address, 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _listening(port: int, source_address: str) -> bool:
    try:
        _connect(port, source_address).close()
        return True
    except OSError:
        return False


def _send_in_packets(sock: socket.socket, data: bytes, size: int = 97) -> None:
    """Cut anywhere, lines included, and paced so the server really reads separate packets."""
    for start in range(0, len(data), size):
        sock.sendall(data[start:start + size])
        time.sleep(0.002)


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def _other_cdr_lines() -> list[bytes]:
    """Records of other calls, under C:N numbers the sample does not use (a reused number
    joining a sample call is another story: see test_ingest_call_linking)."""
    taken = {e.pbx_call_id for stream in sample_events().values() for e in stream}
    traffic = generate(start=datetime(2025, 6, 1, 8, tzinfo=TZ), n_calls=30, seed=2)
    lines = [line.text.encode() + b"\n" for line in traffic if line.stream == "cdr"]
    return [line for line in lines if parse_cdr_line(line.rstrip(b"\n")).pbx_call_id not in taken][:3]


def _keys(lines: list[bytes]) -> set[tuple[str, str]]:
    return {(e.source.value, e.dedupe_key[:100]) for e in map(parse_cdr_line, (line.rstrip(b"\n") for line in lines))}


def test_cdr_socket_stores_records_sent_in_pieces_and_refuses_addresses_not_allowed(tmp_path):
    open_port, guarded_port = free_port(), free_port()
    db = hub_db(tmp_path)
    db.manage("import_logs", "--pbx", PBX, "--no-progress",
              str(SAMPLE_DIR / "3CXCallFlow.log"), str(SAMPLE_DIR / "3CXQueueManager.log"))
    db.manage("shell", "-v", "0", "-c", (
        "from hub.models import IngestSource, Pbx, SourceKind\n"
        f"pbx = Pbx.objects.get(slug={PBX!r})\n"
        f"IngestSource.objects.create(pbx=pbx, kind=SourceKind.CDR_SOCKET, port={open_port}, listen_host='127.0.0.1')\n"
        f"IngestSource.objects.create(pbx=pbx, kind=SourceKind.CDR_SOCKET, port={guarded_port},"
        f" listen_host='127.0.0.1', allowed_networks=[{ALLOWED_ONLY + '/32'!r}])\n"
    ))
    sample = (SAMPLE_DIR / "cdr.log").read_bytes()
    sample_keys = {(e.source.value, e.dedupe_key[:100]) for e in parse_cdr_text(sample)[0]}
    *refused_lines, accepted_line = _other_cdr_lines()
    assert not _keys(refused_lines + [accepted_line]) & sample_keys

    def cdr_keys() -> set:
        return set(db.stored_keys("cdr"))

    with hub_process(db, "ingest", log_path=tmp_path / "ingest.log") as ingest:
        wait_for(lambda: _listening(open_port, "127.0.0.1") and _listening(guarded_port, ALLOWED_ONLY),
                 timeout=30, what="both CDR sockets listening", alive=ingest)

        with _connect(guarded_port) as refused:
            try:
                refused.sendall(b"".join(refused_lines))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may have hung up before the data went out
            assert _closed_by_server(refused)
        with _connect(guarded_port, ALLOWED_ONLY) as allowed:
            allowed.sendall(accepted_line)
        with _connect(open_port) as client:
            _send_in_packets(client, sample)

        wait_for(lambda: cdr_keys() == sample_keys | _keys([accepted_line]), timeout=30,
                 what="every record sent by an allowed client", alive=ingest)
        assert ingest.terminate() == 0
    assert "ingest: stopped" in ingest.output()

    assert not cdr_keys() & _keys(refused_lines)
    by_port = db.sources()
    assert by_port[str(open_port)]["events_stored"] == len(sample_keys)
    assert by_port[str(guarded_port)]["events_stored"] == 1  # only the line from the allowed address
    calls = db.calls_as_dicts()
    expected = {c["unique_call_id"]: c for c in expected_calls()}
    assert {uid: calls[uid] for uid in expected if uid in calls} == expected
    assert len(calls) == len(expected) + 1  # and the one call of the allowed address's record
