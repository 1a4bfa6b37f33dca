"""Which file is this? (dev, ino) plus a fingerprint of its first bytes.

Inode numbers are reused as soon as a file is deleted, and an in-place truncation keeps the
inode, so (dev, ino) alone cannot tell "the file we were reading" from "a file that now
occupies its inode". The fingerprint closes that gap: it hashes the first `fp_len` bytes, where
`fp_len` is `min(size, FINGERPRINT_SIZE)` at the time the identity was taken. A file shorter
than FINGERPRINT_SIZE gets a shorter fingerprint that is lengthened on later polls.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

FINGERPRINT_SIZE = 256


@dataclass(frozen=True)
class FileIdentity:
    dev: int
    ino: int
    fp_len: int
    fp_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"dev": self.dev, "ino": self.ino, "fp_len": self.fp_len, "fp_hash": self.fp_hash}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileIdentity:
        ints = [data["dev"], data["ino"], data["fp_len"]]
        if not all(type(value) is int and value >= 0 for value in ints):
            raise ValueError(f"bad file identity: {data!r}")
        if not isinstance(data["fp_hash"], str):
            raise ValueError(f"bad file identity: {data!r}")
        return cls(dev=ints[0], ino=ints[1], fp_len=ints[2], fp_hash=data["fp_hash"])

    def same_inode(self, stat: os.stat_result) -> bool:
        return (self.dev, self.ino) == (stat.st_dev, stat.st_ino)


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_exact(fd: int, length: int, offset: int) -> bytes:
    """pread until `length` bytes or EOF: one pread may return less than asked for."""
    parts: list[bytes] = []
    while length > 0:
        part = os.pread(fd, length, offset)
        if not part:
            break
        parts.append(part)
        length -= len(part)
        offset += len(part)
    return b"".join(parts)


def identify(fd: int) -> FileIdentity:
    stat = os.fstat(fd)
    head = read_exact(fd, FINGERPRINT_SIZE, 0)
    return FileIdentity(stat.st_dev, stat.st_ino, len(head), _hash(head))


def head_matches(fd: int, identity: FileIdentity) -> bool:
    """True if the file still starts with the bytes `identity` fingerprinted."""
    head = read_exact(fd, identity.fp_len, 0)
    return len(head) == identity.fp_len and _hash(head) == identity.fp_hash


def is_same_file(fd: int, identity: FileIdentity) -> bool:
    return identity.same_inode(os.fstat(fd)) and head_matches(fd, identity)
