"""Benchmark validate() on a large, realistic pack, beside reading and hashing the same bytes.

    .venv/bin/python bench/validate.py [--files 200] [--megabytes 20] [--runs 5] [--quick]

Generates a deterministic pack (Mosaic form XML, SQL extracts, CSV lookups, Markdown guidance,
a few Word and Excel files; no personal data), writes it as a folder and as a .zip, and times
`registry.packs.validate.validate()` on each. The reference reads the same files (inflating
the zip entries) and hashes them with SHA-256: the least any validation must do. Target: the
median validate() of the zip under one second.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import statistics
import string
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import yaml
from _server import machine  # bench/ is on the path

from registry.packs.archive import read_pack
from registry.packs.build import build_zip
from registry.packs.scan import scan_files
from registry.packs.validate import validate

TARGET_SECONDS = 1.0
MB = 1_000_000

# Words and phrases of children's and adults' social care configuration, for realistic text.
TERMS = (
    "strategy discussion",
    "section 47 enquiry",
    "initial child protection conference",
    "review child protection conference",
    "core group",
    "child in need plan",
    "contact",
    "referral",
    "assessment",
    "single assessment",
    "MASH triage",
    "early help",
    "looked after review",
    "pathway plan",
    "care leaver",
    "independent reviewing officer",
    "placement",
    "legal planning meeting",
    "pre-proceedings",
    "public law outline",
    "family group conference",
    "signs of safety",
    "danger statement",
    "safety goal",
    "scaling question",
    "three conversations",
    "strengths-based practice",
    "carers assessment",
    "deprivation of liberty safeguards",
    "liberty protection safeguards",
    "best interests",
    "mental capacity assessment",
    "safeguarding adults enquiry",
    "making safeguarding personal",
    "outcome",
    "timescale",
    "manager oversight",
    "team manager authorisation",
    "case note",
    "chronology",
    "genogram",
    "episode",
    "workflow step",
    "next action",
    "form section",
)
VERBS = ("records", "routes", "opens", "closes", "requires", "authorises", "updates", "checks")
STEPS = ("CONTACT", "REFERRAL", "ASSESS", "S47", "ICPC", "RCPC", "CINP", "LAC", "PATHWAY", "DOLS")


def sentence(rng: random.Random) -> str:
    """One plausible sentence of guidance."""
    a, b = rng.sample(TERMS, 2)
    return (
        f"The {a} step {rng.choice(VERBS)} the {b} and {rng.choice(VERBS)} the {rng.choice(TERMS)}."
    )


def fill(rng: random.Random, size: int, make: Callable[[random.Random, int], str]) -> bytes:
    """Text of about size bytes made of chunks from make(rng, i)."""
    parts, total, i = [], 0, 0
    while total < size:
        chunk = make(rng, i)
        parts.append(chunk)
        total += len(chunk)
        i += 1
    return "".join(parts).encode()


def form_xml(rng: random.Random, i: int) -> str:
    """A section of a Mosaic-style form definition."""
    questions = "".join(
        f'    <question id="Q{i}_{q}" type="{rng.choice(("text", "date", "choice", "yesno"))}"'
        f' mandatory="{rng.choice(("true", "false"))}">\n'
        f"      <label>{rng.choice(TERMS).capitalize()}</label>\n"
        f"      <help>{sentence(rng)}</help>\n"
        f"    </question>\n"
        for q in range(rng.randint(3, 8))
    )
    return f'  <section id="S{i}" title="{rng.choice(TERMS).title()}">\n{questions}  </section>\n'


# One query of a statutory return extract, as text of a .sql file in the pack (never run).
SQL_QUERY = string.Template(
    """-- $note
WITH step_$i AS (
    SELECT w.workflow_step_id, w.subject_compound_id, w.started_on, w.completed_on
    FROM mo_workflow_steps w
    JOIN mo_workflow_step_types t ON t.workflow_step_type_id = w.workflow_step_type_id
    WHERE t.description = '$step' AND w.step_status IN ('COMPLETED', 'INCOMING')
)
SELECT s.subject_compound_id, COUNT(*) AS steps_$i, MIN(s.started_on) AS first_start
FROM step_$i s
GROUP BY s.subject_compound_id
HAVING COUNT(*) > $least;

"""
)


def sql_extract(rng: random.Random, i: int) -> str:
    """A query of a statutory return extract."""
    return SQL_QUERY.substitute(
        note=sentence(rng), i=i, step=rng.choice(STEPS), least=rng.randint(1, 9)
    )


def csv_lookup(rng: random.Random, i: int) -> str:
    """A row of a code table."""
    header = "code,description,category,active,sort_order\n" if i == 0 else ""
    return (
        f"{header}{rng.choice(STEPS)}{i},{rng.choice(TERMS).capitalize()},"
        f"{rng.choice(('CIN', 'CP', 'LAC', 'ASC', 'EH'))},{rng.choice(('Y', 'N'))},{i % 500}\n"
    )


def markdown(rng: random.Random, i: int) -> str:
    """A section of installation or practice guidance."""
    if i % 6 == 0:
        return f"\n## {rng.choice(TERMS).capitalize()}\n\n"
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5))) + "\n\n"


def docx(rng: random.Random, size: int) -> bytes:
    """A small but valid Word document of about size bytes of XML."""
    body = fill(
        rng,
        size,
        lambda r, i: f"<w:p><w:r><w:t>{sentence(r)}</w:t></w:r></w:p>",
    ).decode()
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + body
        + "</w:body></w:document>",
    }
    return _office_zip(parts)


def xlsx(rng: random.Random, rows: int) -> bytes:
    """A small but valid Excel workbook: one sheet of a code table with inline strings."""
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{rng.choice(STEPS)}{r}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>{rng.choice(TERMS)}</t></is></c>'
        f'<c r="C{r}"><v>{r % 97}</v></c></row>'
        for r in range(1, rows + 1)
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Codes" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + cells
        + "</sheetData></worksheet>",
    }
    return _office_zip(parts)


def _office_zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


MANIFEST = {
    "name": "cp-workflow-and-forms",
    "publisher": "hertfordshire",
    "version": "3.1.0",
    "title": "Child protection workflow, forms and statutory return extracts",
    "summary": "Mosaic workflow steps, forms, CIN census extracts and guidance for child protection.",
    "licence": "OGL-UK-3.0",
    "supplier": "access-group",
    "products": [{"id": "mosaic", "versions": ">=2023.1"}],
    "service_areas": ["childrens-social-care"],
    "practice_models": ["signs-of-safety"],
    "organisation_structures": ["locality-teams", "mash"],
    "kinds": ["workflow", "form", "report"],
    "keywords": ["child protection", "section 47", "CIN census"],
    "maintainers": [{"name": "CSC Systems Team", "email": "csc-systems@example.gov.uk"}],
}


def make_pack(files: int, megabytes: float, seed: int = 20240) -> dict[str, bytes]:
    """A deterministic pack of files files and about megabytes MB of content."""
    rng = random.Random(seed)
    pack = {
        "cmspack.yaml": yaml.safe_dump(MANIFEST, sort_keys=False).encode(),
        "README.md": fill(rng, 8_000, markdown),
    }
    for i in range(3):
        pack[f"templates/letter-{i}.docx"] = docx(rng, 120_000)
    for i in range(2):
        pack[f"lookups/codes-{i}.xlsx"] = xlsx(rng, 2_000)
    kinds = [
        ("forms", "xml", form_xml, 0.4),
        ("reports", "sql", sql_extract, 0.2),
        ("lookups", "csv", csv_lookup, 0.2),
        ("docs", "md", markdown, 0.2),
    ]
    text_files = files - len(pack)
    counts = [round(text_files * share) for *_, share in kinds[:-1]]
    counts.append(text_files - sum(counts))
    # Sizes vary from file to file but add up to what is left of the budget.
    weights = [rng.uniform(0.5, 1.5) for _ in range(text_files)]
    budget = megabytes * MB - sum(len(v) for v in pack.values())
    sizes = iter(int(budget * w / sum(weights)) for w in weights)
    for (folder, ext, make, _), count in zip(kinds, counts, strict=True):
        for i in range(count):
            data = fill(rng, next(sizes), make)
            if ext == "xml":
                data = b'<?xml version="1.0" encoding="utf-8"?>\n<form>\n' + data + b"</form>\n"
            pack[f"{folder}/{folder[:-1]}-{i:03d}.{ext}"] = data
    return pack


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    """Seconds of each of runs calls of fn, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def read_and_hash_zip(path: Path) -> int:
    """The reference: inflate every entry of the zip and hash it."""
    total = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            hashlib.sha256(data).digest()
            total += len(data)
    return total


def read_and_hash_folder(root: Path) -> int:
    """The reference: read every file of the folder and hash it."""
    total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            data = (Path(dirpath) / name).read_bytes()
            hashlib.sha256(data).digest()
            total += len(data)
    return total


def row(name: str, *cells: str) -> str:
    """One table row."""
    return f"{name:<30}" + "".join(f"{c:>14}" for c in cells)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="two runs")
    args = parser.parse_args(argv)
    runs = 2 if args.quick else args.runs

    files = make_pack(args.files, args.megabytes)
    size = sum(len(v) for v in files.values())
    with tempfile.TemporaryDirectory(prefix="cmsreg-bench-") as tmp:
        root = Path(tmp)
        folder = root / "pack"
        for path, data in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
        archive = root / "pack.zip"
        archive.write_bytes(build_zip(files).data)
        zipped = archive.stat().st_size

        zip_times, report = timed(lambda: validate(archive), runs)
        dir_times, _ = timed(lambda: validate(folder), runs)
        ref_zip, _ = timed(lambda: read_and_hash_zip(archive), runs)
        ref_dir, _ = timed(lambda: read_and_hash_folder(folder), runs)
        read_times, _ = timed(lambda: read_pack(archive), runs)
        scan_times, _ = timed(lambda: scan_files(files), runs)

    print(
        f"pack: {len(files)} files, {size / MB:.1f} MB unpacked, {zipped / MB:.1f}"
        f" MB zipped; median of {runs} runs; {machine()}"
    )
    print(
        f"report: {len(report.problems)} problems, {len(report.findings)} findings"
        + (" (expected none: the generator writes no personal data)" if not report.ok else "")
    )
    print(row("", "median (ms)", "MB/s", "x reference"))
    med = statistics.median
    for name, times, ref in (
        ("validate(.zip)", zip_times, ref_zip),
        ("validate(folder)", dir_times, ref_dir),
        ("  of which read_pack(.zip)", read_times, ref_zip),
        ("  of which scan_files", scan_times, ref_dir),
        ("reference: inflate + SHA-256", ref_zip, ref_zip),
        ("reference: read + SHA-256", ref_dir, ref_dir),
    ):
        print(
            row(
                name,
                f"{med(times) * 1000:.0f}",
                f"{size / MB / med(times):.1f}",
                f"{med(times) / med(ref):.1f}",
            )
        )
    verdict = "PASS" if med(zip_times) < TARGET_SECONDS else "MISS"
    print(f"target: validate(.zip) under {TARGET_SECONDS:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
