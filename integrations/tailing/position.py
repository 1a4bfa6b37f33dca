"""The values a caller stores and receives: a position, and a chunk of bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .identity import FileIdentity


@dataclass(frozen=True)
class FilePosition:
    """"Everything before `offset` in the file `identity` has been consumed."

    Store `to_dict()` (plain JSON) in the same transaction as what was consumed.
    """

    identity: FileIdentity
    offset: int

    def to_dict(self) -> dict[str, Any]:
        return {"identity": self.identity.to_dict(), "offset": self.offset}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FilePosition:
        offset = data["offset"]
        if type(offset) is not int or offset < 0:
            raise ValueError(f"bad file offset: {offset!r}")
        return cls(identity=FileIdentity.from_dict(data["identity"]), offset=offset)


@dataclass(frozen=True)
class Chunk:
    """Bytes `[start, end)` of the file `identity`.

    `final` means the file has been rotated away and `end` is its end: it will never grow, so
    the caller must consume all of it, an unterminated last line included, before the tailer
    moves on to the next file.
    """

    data: bytes
    start: int
    end: int
    identity: FileIdentity
    final: bool = False

    def position(self, consumed: int) -> FilePosition:
        """The position after consuming the first `consumed` bytes of this chunk."""
        if not 0 <= consumed <= len(self.data):
            raise ValueError(f"consumed {consumed} of a {len(self.data)}-byte chunk")
        return FilePosition(self.identity, self.start + consumed)
