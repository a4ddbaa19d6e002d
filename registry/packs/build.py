"""Deterministic archives: the same files always give the same bytes, and so the same SHA-256.

`cmsreg build` and the registry's downloads use these functions, so a contributor can check that
the archive the registry serves is byte for byte the one they built.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

# 1980-01-01 is the earliest time a zip entry can carry; a fixed time makes the bytes repeatable.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


@dataclass(frozen=True)
class BuiltArchive:
    """Archive bytes and their SHA-256 (hex)."""

    data: bytes
    sha256: str


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of data as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def write_zip(files: Mapping[str, bytes], out: BinaryIO) -> None:
    """Write the zip `build_zip` builds to a seekable file, holding one file's bytes at a time."""
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so external_attr carries the permission bits
            info.external_attr = (0o100000 | FILE_MODE) << 16
            zf.writestr(info, files[path], compresslevel=9)


def build_zip(files: Mapping[str, bytes]) -> BuiltArchive:
    """Build a zip of files (relative POSIX paths) with sorted entries and fixed metadata."""
    buf = io.BytesIO()
    write_zip(files, buf)
    data = buf.getvalue()
    return BuiltArchive(data, sha256_hex(data))


def build_tar_gz(files: Mapping[str, bytes]) -> BuiltArchive:
    """Build a tar.gz of files with sorted entries, zero times and owners, no gzip name."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for path in sorted(files):
            content = files[path]
            info = tarfile.TarInfo(path)
            info.size = len(content)
            info.mode = FILE_MODE
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tf.addfile(info, io.BytesIO(content))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    data = out.getvalue()
    return BuiltArchive(data, sha256_hex(data))
