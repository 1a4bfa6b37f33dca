"""One open file the tailer is following, held by fd so renames and unlinks cannot lose it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .identity import FINGERPRINT_SIZE, FileIdentity, head_matches, identify, read_exact


@dataclass(eq=False)
class TrackedFile:
    fd: int
    identity: FileIdentity
    # End of the bytes handed out by poll() so far: a commit may not go past it.
    offered: int = 0
    # Every identity given out for this file (the fingerprint lengthens as the file grows, and
    # a copy answers to the identity of the original), so a commit naming any of them lands here.
    aliases: set[FileIdentity] = field(default_factory=set)

    @classmethod
    def from_fd(cls, fd: int, offered: int = 0, alias: FileIdentity | None = None) -> TrackedFile:
        identity = identify(fd)
        aliases = {identity} | ({alias} if alias else set())
        return cls(fd=fd, identity=identity, offered=offered, aliases=aliases)

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def same_inode(self, stat: os.stat_result) -> bool:
        return self.identity.same_inode(stat)

    def still_same(self, consumed: int) -> bool:
        """False if the content we knew is gone: shorter than consumed, or a different head.

        While the file is unchanged its fingerprint is lengthened, so that a later truncation
        is recognised even if the file was empty or short when first opened.
        """
        if self.size() < consumed or not head_matches(self.fd, self.identity):
            return False
        self._reidentify()
        return True

    def read(self, start: int, end: int) -> bytes:
        data = read_exact(self.fd, end - start, start)
        self._reidentify()
        return data

    def _reidentify(self) -> None:
        if self.identity.fp_len < FINGERPRINT_SIZE:
            self.identity = identify(self.fd)
            self.aliases.add(self.identity)

    def close(self) -> None:
        os.close(self.fd)
