"""The worst upload the default limits allow, and a process that measures uploading it.

`write_worst_case_zip(path, version)` (or `write_worst_case_tar_gz`) writes a zip of well under a megabyte that unpacks to
about 190 MiB of configuration text: one 120 MiB CSV extract and 1,990 form files of 36 KiB,
within the 200 MiB and 2,000-file limits. Nothing in it is personal data, so the upload is
accepted (201) and goes all the way through reading, scanning and storing. Members are
compressed once per process and reused, so writing several archives costs little.

`python -m tests.worstcase ARCHIVE ...` (from the repository root) starts a registry on a fresh
instance, uploads a small pack to warm it up, then uploads every ARCHIVE at once through the
Flask test client, one thread each, and prints JSON: the resident memory before, its peak
during the uploads, the seconds they took and the status of each. `--reference` instead only
reads each archive's bytes (and inflates its members, throwing the output away), measured the
same way. The test suite and `bench/upload.py` both use it.
"""

from __future__ import annotations

import functools
import gc
import gzip
import io
import json
import resource
import struct
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

import yaml

MiB = 1024 * 1024
BIG_FILE_BYTES = 120 * MiB
FORMS = 1990
FORM_BYTES = 36 * 1024
PUBLISHER = "hertfordshire"
NAME = "worst-case-extract"

# Lines of a case management extract: codes, descriptions and dates, no people.
EXTRACT_LINES = [
    b"CIN01,Child in need plan review,Locality team North,open,2024-04-01,weekly\n",
    b"CP02,Initial child protection conference,Conference service,closed,2023-11-15,once\n",
    b"LAC03,Looked after review,Independent reviewing service,open,2024-01-09,6 months\n",
    b"EH04,Early help assessment,Family support hub,open,2024-02-20,monthly\n",
    b"S47,Section 47 enquiry,MASH,open,2024-03-12,within 15 working days\n",
    b"PLO5,Pre-proceedings meeting,Legal planning,closed,2022-07-30,as needed\n",
]


@functools.cache
def _deflated(data: bytes, repeat: int = 1) -> tuple[bytes, int, int]:
    """Raw deflate, CRC-32 and size of data repeated, computed without holding the repeats."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    pieces, crc = [], 0
    for _ in range(repeat):
        pieces.append(compressor.compress(data))
        crc = zlib.crc32(data, crc)
    pieces.append(compressor.flush())
    return b"".join(pieces), crc, len(data) * repeat


def _form(number: int) -> bytes:
    """One form file of FORM_BYTES, different from every other."""
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<form id="assessment-%04d">\n' % number
    line = b'  <question code="Q%04d" type="text">Strengths, worries and next steps</question>\n'
    body = b"".join(line % (i % 16) for i in range(FORM_BYTES // len(line)))
    return (head + body)[: FORM_BYTES - 8] + b"</form>\n"


def manifest(version: str) -> bytes:
    """A valid manifest for the worst-case pack."""
    return yaml.safe_dump(
        {
            "name": NAME,
            "publisher": PUBLISHER,
            "version": version,
            "title": "Worst-case extract",
            "summary": "A large extract of case management lookups.",
            "licence": "OGL-UK-3.0",
            "supplier": "system-c",
            "products": [{"id": "lcs"}],
            "service_areas": ["childrens-social-care"],
            "kinds": ["report"],
            "maintainers": [{"name": "CSC Systems Team", "email": "csc-systems@example.gov.uk"}],
        },
        sort_keys=False,
    ).encode()


def _members(version: str) -> list[tuple[str, bytes, int, int]]:
    """(name, raw deflate, CRC-32, size) of every member."""
    block = b"".join(EXTRACT_LINES) * 64
    members = [
        ("cmspack.yaml", *_deflated(manifest(version))),
        ("README.md", *_deflated(b"# Worst-case extract\n\nImport config/ into LCS.\n")),
        ("config/extract.csv", *_deflated(block, BIG_FILE_BYTES // len(block))),
    ]
    members += [(f"config/forms/form-{i:04}.xml", *_deflated(_form(i))) for i in range(FORMS)]
    return members


def write_worst_case_zip(path: Path, version: str = "1.0.0") -> int:
    """Write the worst-case pack as a zip at path; return the bytes it unpacks to."""
    directory, total = [], 0
    with path.open("wb") as out:
        for name, raw, crc, size in _members(version):
            encoded = name.encode()
            fields = (0, 8, 0, 0x21, crc, len(raw), size, len(encoded))  # deflate, 1980-01-01
            offset = out.tell()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *fields, 0) + encoded + raw)
            mode = 0o100644 << 16
            record = struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 0x314, 20, *fields, 0, 0, 0, 0, mode, offset
            )
            directory.append(record + encoded)
            total += size
        start = out.tell()
        out.write(b"".join(directory))
        count, size = len(directory), out.tell() - start
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))
    return total


def write_worst_case_tar_gz(path: Path, version: str = "1.0.0") -> int:
    """Write the worst-case pack as a tar.gz at path; return the bytes it unpacks to."""
    zipped = path.with_suffix(".zip-source")
    total = write_worst_case_zip(zipped, version)
    with (
        zipfile.ZipFile(zipped) as source,
        path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        for info in source.infolist():
            member = tarfile.TarInfo(info.filename)
            member.size, member.mode = info.file_size, 0o644
            with source.open(info) as data:
                tar.addfile(member, data)
    zipped.unlink()
    return total


# --- Measuring, in a process of its own ---------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    """Start the peak resident size afresh (Linux: clear_refs 5); False where that fails."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Peak:
    """Resident memory now, and its peak from now on."""

    def __init__(self) -> None:
        gc.collect()
        self.reset = _reset_peak()
        self.before = _status_kib("VmRSS")
        self._maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def extra_kib(self) -> int:
        """How far above the starting size resident memory rose."""
        peak = (
            _status_kib("VmHWM")
            if self.reset
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        )
        return max(0, peak - self.before)


def _registry(folder: Path):
    from registry import create_app
    from registry.services import accounts

    app = create_app({"INSTANCE": str(folder / "instance"), "TESTING": True})
    reg = app.extensions["cmsreg"]
    reg.init()
    accounts.create_org(reg, PUBLISHER, "Hertfordshire", "county")
    accounts.create_user(reg, "publisher", PUBLISHER)
    token = accounts.create_token(reg, "publisher", ["publish"])
    return app, {"Authorization": f"Bearer {token}"}


def _post(client, headers: dict, path: Path) -> int:
    with path.open("rb") as archive:
        response = client.post(
            "/api/v1/submissions",
            data={"archive": (archive, path.name)},
            headers=headers,
            content_type="multipart/form-data",
        )
    return response.status_code


def _warm_up(client, headers: dict, folder: Path) -> None:
    """A small upload first: imports, connections and git readers are then already there."""
    small = folder / "warm-up.zip"
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cmspack.yaml", manifest("0.0.1"))
        zf.writestr("README.md", b"# Warm-up\n\nA small pack.\n")
        zf.writestr("config/a.csv", b"".join(EXTRACT_LINES))
    status = _post(client, headers, small)
    if status != 201:
        raise SystemExit(f"the warm-up upload answered {status}")


def _reference(path: Path) -> None:
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            with zf.open(info) as member:
                while member.read(64 * 1024):
                    pass


def measure(archives: list[Path], reference: bool = False) -> dict:
    """Upload every archive at once (or only read them) and say what it cost."""
    with tempfile.TemporaryDirectory(prefix="cmsreg-worst-") as tmp:
        if reference:
            work = [lambda p=p: _reference(p) or 0 for p in archives]
        else:
            app, headers = _registry(Path(tmp))
            client = app.test_client()
            _warm_up(client, headers, Path(tmp))
            work = [lambda p=p: _post(app.test_client(), headers, p) for p in archives]
        statuses: list[int] = [0] * len(work)

        def run(i: int) -> None:
            statuses[i] = work[i]()

        peak = Peak()
        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        return {
            "baseline_kib": peak.before,
            "extra_kib": peak.extra_kib(),
            "peak_reset": peak.reset,
            "seconds": seconds,
            "statuses": statuses,
        }


def main(argv: list[str]) -> int:
    """Measure the archives named on the command line and print the figures as JSON."""
    reference = "--reference" in argv
    archives = [Path(a) for a in argv if a != "--reference"]
    print(json.dumps(measure(archives, reference)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
