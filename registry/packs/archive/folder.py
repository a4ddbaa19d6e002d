"""Reading a pack folder on disk (`cmsreg validate DIR`) without following links."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..limits import Limits
from ..spool import Spool
from .assemble import SPECIAL_FILE, SYMLINK, Entry
from .meter import Meter, counted_chunks
from .paths import is_git_name, is_junk


@dataclass
class _Walk:
    meter: Meter
    limits: Limits
    spool: Spool
    entries: list[Entry]


def read_folder(root: Path, meter: Meter, limits: Limits, spool: Spool) -> list[Entry]:
    """Every entry below root, each file spooled, within the limits."""
    walk = _Walk(meter, limits, spool, [])
    _walk(walk, root, "", 1)
    return walk.entries


def _walk(walk: _Walk, folder: Path, prefix: str, depth: int) -> None:
    """Add a folder's entries without following links; past max_depth a folder is not entered."""
    with os.scandir(folder) as listing:
        items = sorted(listing, key=lambda item: item.name)
    meter, entries = walk.meter, walk.entries
    for item in items:
        name = prefix + item.name
        if is_junk(name) or is_git_name(item.name):  # a checkout's own files
            continue
        if item.is_symlink():
            meter.entry(is_file=True)
            entries.append(Entry(name, refusal=SYMLINK))
        elif item.is_dir(follow_symlinks=False):
            meter.entry(is_file=False)
            entries.append(Entry(name, is_dir=True))
            if depth <= walk.limits.max_depth:  # deeper folders are reported once, not walked
                _walk(walk, Path(item.path), name + "/", depth + 1)
        elif item.is_file(follow_symlinks=False):
            meter.entry(is_file=True)
            entries.append(_folder_file(walk, Path(item.path), name))
        else:
            meter.entry(is_file=True)
            entries.append(Entry(name, refusal=SPECIAL_FILE))


def _folder_file(walk: _Walk, path: Path, name: str) -> Entry:
    # Opened without following a link and without waiting on a pipe, then checked again, in case
    # the file was swapped for either since the folder was listed.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        if path.is_symlink():
            return Entry(name, refusal=SYMLINK)
        raise  # unreadable (permissions): the contributor needs to see why
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return Entry(name, refusal=SPECIAL_FILE)
        return Entry(name, content=walk.spool.write(counted_chunks(file, walk.meter)))
