"""Finding a file again by its identity after a restart, a rename or a copy-truncate."""

from __future__ import annotations

import os
import stat as stat_mode
from pathlib import Path
from typing import Callable

from .identity import FileIdentity, head_matches, is_same_file

Sibling = tuple[Path, os.stat_result]


def open_regular(path: str | os.PathLike[str]) -> int | None:
    """An fd on the regular file at `path`, or None if there is none (yet)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat_mode.S_ISREG(os.fstat(fd).st_mode):
        return fd
    os.close(fd)
    return None


def find_file(path: Path, identity: FileIdentity, min_size: int) -> int | None:
    """Open the file `identity` names, wherever it is now, or return None.

    In order: at `path`; renamed to any name in the same directory (same dev, ino and head);
    then by content alone, the newest file named like `path` with the same head and at least
    `min_size` bytes: a copy left by a copy-truncate rotation, or the file itself if its
    (dev, ino) changed (a network share remounted, a device renumbered at boot).
    """
    fd = _open_if(path, lambda fd: is_same_file(fd, identity))
    if fd is not None:
        return fd
    siblings = _siblings(path)
    for candidate, stat in siblings:
        if candidate != path and identity.same_inode(stat):
            fd = _open_if(candidate, lambda fd: is_same_file(fd, identity))
            if fd is not None:
                return fd
    return find_copy(path, identity, min_size, siblings)


def find_copy(
    path: Path, identity: FileIdentity, min_size: int, siblings: list[Sibling] | None = None
) -> int | None:
    """The newest file named like `path`, on another inode, starting with the head `identity`
    fingerprinted."""
    if identity.fp_len == 0:
        # An empty fingerprint matches every file: there is nothing to recognise a copy by.
        return None
    stem = path.name.split(".")[0]
    candidates = [
        (stat.st_mtime_ns, candidate)
        for candidate, stat in (siblings if siblings is not None else _siblings(path))
        if candidate.name.startswith(stem)
        and not identity.same_inode(stat)
        and stat.st_size >= max(min_size, identity.fp_len)
    ]
    for _, candidate in sorted(candidates, reverse=True):
        fd = _open_if(candidate, lambda fd: head_matches(fd, identity))
        if fd is not None:
            return fd
    return None


def _open_if(path: Path, accept: Callable[[int], bool]) -> int | None:
    fd = open_regular(path)
    if fd is None or accept(fd):
        return fd
    os.close(fd)
    return None


def _siblings(path: Path) -> list[Sibling]:
    """Regular files in the directory of `path` (`path` included) with their stat."""
    found: list[Sibling] = []
    try:
        entries = list(os.scandir(path.parent))
    except FileNotFoundError:
        return found
    for entry in entries:
        try:
            if entry.is_file():
                found.append((Path(entry.path), entry.stat()))
        except FileNotFoundError:
            continue  # rotated away between listing and stat
    return found
