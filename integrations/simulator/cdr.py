"""The call's CDR record in 3CX's 27 default fields (formats.md §3), times in UTC."""
from __future__ import annotations

from .record import CallRecord


def _csv(value: str) -> str:
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def cdr_line(rec: CallRecord) -> str:
    cdr, clock = rec.cdr, rec.clock
    talk = (rec.end_ms - rec.connected_ms) // 1000 if rec.connected_ms is not None else 0
    final_no, final_dn, final_type, final_name = cdr.final or ("", "", "", "")
    # 3CX calls any answered hop other than the first destination a "replaced" one, and
    # reports an answered trunk leg that way too (see the sample's outbound records).
    changed = cdr.final is not None and (final_no != cdr.to_no or cdr.to_type == "Line")
    missed = [agent for leg in rec.legs for agent in leg.rang if agent != leg.agent]
    fields = (
        f"Call {rec.number}",
        f"{(rec.start_ms // 50) % 0xFFFFFFF:016x}_{rec.number}",
        _hms(talk),
        clock.utc(rec.start_ms),
        clock.utc(rec.connected_ms) if rec.connected_ms is not None else "",
        clock.utc(rec.end_ms),
        cdr.reason, cdr.from_no, cdr.to_no, cdr.from_dn, cdr.to_dn, cdr.dial_no,
        "ReplacedDst" if changed else "", final_no, final_dn,
        "", "", "", "",  # billing: code, rate, cost, name
        "Chain: " + "".join(f"{hop};" for hop in cdr.chain),
        cdr.from_type, cdr.to_type, final_type,
        cdr.from_name, "", final_name,
        ";".join(missed),
    )
    return ",".join(_csv(field) for field in fields) + ","
