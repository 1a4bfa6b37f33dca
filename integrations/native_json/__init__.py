"""The hub's own JSON push schema, for any PBX or middleware that can send HTTP."""
from .parser import MAX_EVENTS, parse_native_push

__all__ = ["MAX_EVENTS", "parse_native_push"]
