"""This machine's pip configuration, made usable inside `buildah bud` (see deploy/image/build).

    pip config list | python3 pip_config.py DIRECTORY MOUNT

Writes DIRECTORY/pip.conf, in which every local path the configuration names (an index, a
wheel directory, a constraint or certificate file) is replaced by a mount point MOUNT/N, makes
those mount points in DIRECTORY, and prints the `-v HOST:MOUNT/N:ro` options that fill them, one
word a line. DIRECTORY itself is to be mounted at MOUNT, so the image keeps no path of this
machine, only that one empty mount point.
"""
from __future__ import annotations

import os
import shlex
import sys

# A key set in several places keeps the value pip itself would use.
PRECEDENCE = {":env:": 0, "site": 1, "user": 2, "global": 3}


def effective(lines: list[str]) -> dict[str, str]:
    """`pip config list` lines (`where.key='value'`) -> {key: the value pip uses}."""
    chosen: dict[str, tuple[int, str]] = {}
    for line in lines:
        where_key, _, quoted = line.rstrip("\n").partition("=")
        where, _, key = where_key.rpartition(".")
        value = shlex.split(quoted)[0] if quoted.strip() else ""
        rank = PRECEDENCE.get(where, len(PRECEDENCE))
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, value)
    return {key: value for key, (_, value) in chosen.items()}


def local_root(word: str) -> str | None:
    """The host path a config word needs inside the build, or None for a remote URL or flag."""
    path = word.removeprefix("file://").rstrip("/")
    if not (path.startswith("/") and os.path.exists(path)):
        return None
    # A PEP 503 index's pages link to files beside simple/, so the index's root must be there.
    return os.path.dirname(path) if os.path.basename(path) == "simple" else path


def main(*, directory: str, mount: str) -> None:
    config = effective(sys.stdin.readlines())
    roots = sorted({root for value in config.values() for word in value.split() if (root := local_root(word))})
    inside = {root: f"{mount}/{n}" for n, root in enumerate(roots)}

    def moved(word: str) -> str:
        root = local_root(word)
        return word if root is None else word.replace(root, inside[root], 1)

    with open(os.path.join(directory, "pip.conf"), "w") as conf:
        conf.write("[global]\n")
        for key, value in sorted(config.items()):
            conf.write(f"{key} = {' '.join(moved(word) for word in value.split())}\n")
    for root, target in inside.items():
        point = os.path.join(directory, os.path.basename(target))
        if os.path.isdir(root):
            os.mkdir(point)
        else:
            open(point, "w").close()
        print("-v")
        print(f"{root}:{target}:ro")


if __name__ == "__main__":
    main(directory=sys.argv[1], mount=sys.argv[2])
