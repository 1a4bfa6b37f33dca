"""`manage.py import_logs`: whole 3CX files into calls, with a summary an operator can trust."""
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hub.models import Call, CatalogueEvent, StoredPbxEvent
from hub.selectors.calls import call_as_dict, calls_with_legs
from hub.vocabulary.pbx_event import Source
from integrations.threecx_cdr import CdrError, parse_cdr_line, parse_cdr_text
from integrations.threecx_logs import parse_text
from tests.factories import make_account
from tests.ingest.hub_processes import PBX, hub_db
from tests.ingest.samples import SAMPLE_DIR, TZ, expected_calls

SAMPLE_FILES = [SAMPLE_DIR / "3CXCallFlow.log", SAMPLE_DIR / "3CXQueueManager.log", SAMPLE_DIR / "cdr.log"]
HEADER = b"CDR export from the PBX backup tool\n"


def import_logs(pbx, *args) -> list[str]:
    out = StringIO()
    call_command("import_logs", "--pbx", pbx.slug, "--no-progress", *map(str, args), stdout=out)
    return out.getvalue().splitlines()


def _parsed_sample() -> tuple[int, int, Counter]:
    """(lines, events, skipped by reason) of the sample, read without the hub."""
    lines, events, skipped = 0, 0, Counter()
    for path, source in zip(SAMPLE_FILES[:2], (Source.CALLFLOW, Source.QUEUEMANAGER)):
        parsed = parse_text(path.read_bytes(), tz=TZ, source=source)
        lines, events, skipped = lines + parsed.lines, events + len(parsed.events), skipped + parsed.skipped
    cdr = SAMPLE_FILES[2].read_bytes()
    cdr_events, cdr_skipped = parse_cdr_text(cdr)
    lines += sum(1 for line in cdr.split(b"\n") if line.strip())
    skipped += Counter({f"cdr:{reason}": n for reason, n in cdr_skipped.items()})
    return lines, events + len(cdr_events), skipped


def _skipped_line(skipped: Counter) -> str:
    reasons = ", ".join(f"{reason}={n}" for reason, n in sorted(skipped.items())) or "none"
    return f"skipped: {sum(skipped.values())} ({reasons})"


@pytest.mark.django_db
def test_import_logs_turns_the_sample_into_exactly_the_expected_calls_and_says_so():
    _, pbx, _ = make_account(timezone="+11:00")
    lines, events, skipped = _parsed_sample()

    summary = import_logs(pbx, *SAMPLE_FILES)

    stored = {c.unique_call_id: call_as_dict(c) for c in calls_with_legs(Call.objects.filter(pbx=pbx))}
    assert stored == {c["unique_call_id"]: c for c in expected_calls()}
    assert summary == [
        "files: 3",
        f"lines: {lines}",
        f"events: {events} new, 0 already stored",
        f"calls: {len(stored)}",
        f"catalogue events: {CatalogueEvent.objects.filter(pbx=pbx).count()}",
        _skipped_line(skipped),
    ]
    assert StoredPbxEvent.objects.filter(pbx=pbx).count() == events
    assert CatalogueEvent.objects.filter(pbx=pbx).exists()


@pytest.mark.django_db
def test_import_logs_again_stores_nothing_new():
    _, pbx, _ = make_account(timezone="+11:00")
    import_logs(pbx, *SAMPLE_FILES)
    before = (StoredPbxEvent.objects.count(), Call.objects.count(), CatalogueEvent.objects.count())
    _, events, _ = _parsed_sample()

    summary = import_logs(pbx, *SAMPLE_FILES)

    assert summary[2:5] == [f"events: 0 new, {events} already stored", "calls: 0", "catalogue events: 0"]
    assert (StoredPbxEvent.objects.count(), Call.objects.count(), CatalogueEvent.objects.count()) == before


@pytest.mark.django_db
def test_import_logs_kind_reads_a_file_it_cannot_recognise(tmp_path):
    _, pbx, _ = make_account(timezone="+11:00")
    export = tmp_path / "pbx-export.txt"  # neither the name nor the first line says CDR
    export.write_bytes(HEADER + SAMPLE_FILES[2].read_bytes())
    with pytest.raises(CommandError) as refused:
        import_logs(pbx, export)
    assert "pass --kind" in str(refused.value) and "\n" not in str(refused.value)
    assert not StoredPbxEvent.objects.exists()

    summary = import_logs(pbx, "--kind", "cdr", export)

    with pytest.raises(CdrError) as header:
        parse_cdr_line(HEADER.rstrip(b"\n"))
    cdr_events = len(parse_cdr_text(SAMPLE_FILES[2].read_bytes())[0])
    assert summary[2] == f"events: {cdr_events} new, 0 already stored"
    assert summary[5] == f"skipped: 1 (cdr:{header.value.code}=1)"
    assert set(StoredPbxEvent.objects.values_list("source", flat=True)) == {"cdr"}


def test_import_logs_errors_are_one_line_for_operators(tmp_path):
    """Through manage.py, as an operator's script runs it: exit code 1 and one line on stderr."""
    db = hub_db(tmp_path)
    unknown = tmp_path / "notes.txt"
    unknown.write_text("remember to rotate the logs\n")
    for args, message in [
        ([str(tmp_path / "missing.log")], f"CommandError: not a file: {tmp_path / 'missing.log'}"),
        ([str(unknown)], f"CommandError: kind: {unknown}: cannot tell whether this is a CallFlow, "
                         "QueueManager or CDR file; pass --kind"),
    ]:
        done = db.manage("import_logs", "--pbx", PBX, "--no-progress", *args, check=False)
        assert done.returncode == 1
        assert done.stderr.splitlines() == [message]
        assert done.stdout == ""
    assert db.scalar("SELECT count(*) FROM hub_storedpbxevent") == 0
