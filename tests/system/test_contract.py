"""The API keeps its OpenAPI contract under generated input: schemathesis against a real server.

A seeded registry is served by `cmsreg-server serve`; schemathesis reads /api/v1/openapi.json
and sends what the schema allows and what it forbids, with a publisher's token and then a
moderator's, within a time budget. The run fails on any 5xx, any response whose status,
content type, headers or body the document does not describe, and any request the schema
forbids that is accepted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
SEED = 20261205
MAX_SECONDS = 75  # per token: the whole contract run stays within a few minutes
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    )
)


@pytest.mark.skipif(not shutil.which(SCHEMATHESIS), reason="schemathesis is not installed")
def test_the_api_keeps_its_openapi_contract(instance, tokens, server, tmp_path):
    instance.command("seed")
    server.start()
    summaries = []
    for who, token in (("publisher", tokens.publisher), ("moderator", tokens.moderator)):
        proc = subprocess.run(
            [
                SCHEMATHESIS,
                "--no-color",
                "run",
                f"{server.url}/api/v1/openapi.json",
                "--checks",
                CHECKS,
                "--header",
                f"Authorization: Bearer {token}",
                "--max-examples",
                "40",
                "--max-time",
                str(MAX_SECONDS),
                "--seed",
                str(SEED),
                "--workers",
                "2",
                "--suppress-health-check",
                "all",
                "--report-dir",
                str(tmp_path / f"report-{who}"),
            ],
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS * 4,
            check=False,
        )
        out = proc.stdout + proc.stderr
        summaries.append(f"{who}: " + _summary(out))
        assert proc.returncode == 0, f"schemathesis ({who}) found contract failures:\n{out[-8000:]}"
    print("\n" + "\n".join(summaries))


def _summary(out: str) -> str:
    lines = [line.strip() for line in out.splitlines() if "generated" in line or "passed" in line]
    return "; ".join(lines[-3:])
