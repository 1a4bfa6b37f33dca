"""The simulator writes real WAV files for the recordings and voicemails its CallFlow log
announces, where 3CX keeps them (Recordings/<extension>/<name>), under the names the hub looks for."""
from __future__ import annotations

import wave
from datetime import datetime, timezone

from hub.vocabulary.recordings import voicemail_file_name as hub_voicemail_name
from integrations.simulator import generate_calls
from integrations.simulator.audio import AudioWriter, voicemail_file_name


def test_every_announced_recording_and_voicemail_gets_a_playable_wav(tmp_path):
    writer = AudioWriter(tmp_path / "Recordings")
    calls = list(generate_calls(start=datetime(2025, 3, 1, 8, tzinfo=timezone.utc), n_calls=60, seed=7))
    written, expected = [], set()
    for call in calls:
        writer.call_started(call.pbx_call_id, call.unique_call_id)
        for rec in call.expected["recordings"]:
            expected.add(tmp_path / "Recordings" / rec["user"] / rec["file"])
        if call.expected["voicemail"]:
            user = call.expected["voicemail"]["user"]
            expected.add(tmp_path / "Recordings" / user / voicemail_file_name(call.unique_call_id, user))
        written += [writer.line(line.text) for line in call.lines if line.stream == "callflow"]
    assert expected and {path for path in written if path} == expected
    assert any("vmail_" in path.name for path in expected) and any("vmail_" not in path.name for path in expected)
    for path in expected:
        with wave.open(str(path)) as w:
            assert w.getframerate() == 8000 and 0.5 <= w.getnframes() / 8000 <= 8
    assert not list(tmp_path.rglob(".*.part"))


def test_the_simulator_and_the_hub_name_voicemails_alike():
    assert voicemail_file_name("250301080017_874", "105") == hub_voicemail_name("250301080017_874", "105")
