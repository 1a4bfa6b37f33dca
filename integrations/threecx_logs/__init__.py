"""3CX service-log adapter: bytes of ``3CXCallFlow.log`` / ``3CXQueueManager.log`` -> ``PbxEvent``.

Pure functions and plain data; no Django, no database, no I/O except reading a rules file.
"""
from .detect import detect_source
from .loader import load_rules, rules_from_toml
from .parser import ParseResult, dedupe_key, parse_record, parse_text
from .reader import Record, RecordReader
from .rules import Rules, RulesError, Skip

__all__ = [
    "ParseResult",
    "Record",
    "RecordReader",
    "Rules",
    "RulesError",
    "Skip",
    "dedupe_key",
    "detect_source",
    "load_rules",
    "parse_record",
    "parse_text",
    "rules_from_toml",
]
