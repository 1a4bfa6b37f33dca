"""How deep a JSON document from outside may nest.

Python's parser accepts nesting up to its recursion limit (about 1,000 levels, less the
caller's stack), and everything after it that walks the document recursively — our own checks,
``json.dumps``, the database driver — can then run out of stack on it. No payload the hub takes
needs more than a few levels, so anything deeper is refused where it is parsed, with a message
the sender can act on.
"""
from __future__ import annotations

from typing import Any

MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


def nests_too_deep(value: Any, *, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` (parsed JSON) has more than ``limit`` levels of arrays and objects.

    Walked a level at a time, without recursion, so the check itself cannot overflow the stack.
    """
    layer, depth = [value], 0
    while layer:
        containers = [v for v in layer if v.__class__ is dict or v.__class__ is list]
        if not containers:
            return False
        depth += 1
        if depth > limit:
            return True
        layer = [child for c in containers for child in (c.values() if c.__class__ is dict else c)]
    return False
