"""3CX Call Data Records: the line parser and the "active socket" TCP server."""
from .errors import CdrError
from .fields import DEFAULT_FIELDS, KNOWN_FIELDS, validate_fields
from .parser import parse_cdr_line, parse_cdr_text

__all__ = [
    "CdrError", "DEFAULT_FIELDS", "KNOWN_FIELDS", "parse_cdr_line", "parse_cdr_text",
    "validate_fields",
]
