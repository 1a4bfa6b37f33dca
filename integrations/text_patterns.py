"""Regular expressions the push adapters check, written so that Python's ``re`` and the ECMA-262
engines of schema tools read them alike (an OpenAPI description can publish them as they are)."""
from __future__ import annotations

# What str.strip() and str.isspace() count as white space. ``\s`` differs between the engines
# (Python's takes \x1c-\x1f and \x85, ECMA's takes \ufeff), so the characters are spelt out.
SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
