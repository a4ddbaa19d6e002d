"""The API keeps its OpenAPI contract under generated input: schemathesis against a real server.

A seeded registry is served by `cmsreg-server serve`; schemathesis reads /api/v1/openapi.json
and sends what the schema allows and what it forbids, with a publisher's token and then a
moderator's, within a time budget. The run fails on any 5xx, any response whose status,
content type, headers or body the document does not describe, and any request the schema
forbids that is accepted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.system.conftest import PUBLISHER, approve, small_pack, submit

pytestmark = pytest.mark.slow

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
SEED = 20261205
MAX_SECONDS = 20  # per token: the whole contract run stays within a minute or two
# Requests the schema forbids may also be refused by the HTTP server itself, before the app:
# a query over the request-line limit (414) or too many headers (431) is a refusal too.
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 422, 428, 429, 431]
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


def _config(path: Path, pending: int) -> Path:
    """Real identifiers for half the generated path parameters, so requests reach the data."""
    half = ", probability = 0.5 }"
    path.write_text(
        f"""
[checks.negative_data_rejection]
expected-statuses = {REFUSALS}

[dictionaries.publishers]
values = ["{PUBLISHER}"]
[dictionaries.names]
values = ["cp-workflow"]
[dictionaries.versions]
values = ["1.0.0", "1.1.0", "latest"]
[dictionaries.paths]
values = ["README.md", "config/steps.xml", "cmspack.yaml"]
[dictionaries.submissions]
values = [{pending}]

[parameters]
"path.publisher" = {{ dictionary = "publishers"{half}
"path.name" = {{ dictionary = "names"{half}
"path.version" = {{ dictionary = "versions"{half}
"path.path" = {{ dictionary = "paths"{half}
"path.submission_id" = {{ dictionary = "submissions"{half}
"query.from" = {{ dictionary = "versions"{half}
"query.to" = {{ dictionary = "versions"{half}
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.skipif(not Path(SCHEMATHESIS).exists(), reason="schemathesis is not installed")
def test_the_api_keeps_its_openapi_contract(instance, tokens, server, tmp_path):
    instance.command("seed")
    server.start()
    # A pack with two versions and a pending third, so diffs, files and decisions have data.
    with server.client(tokens.publisher) as pub, server.client(tokens.moderator) as mod:
        for version in ("1.0.0", "1.1.0"):
            r = submit(pub, small_pack("cp-workflow", version))
            assert r.status_code == 201, r.text
            assert approve(mod, r.json()["id"]).status_code == 200
        r = submit(pub, small_pack("cp-workflow", "1.2.0"))
        assert r.status_code == 201, r.text
    config = _config(tmp_path / "schemathesis.toml", r.json()["id"])
    summaries = []
    for who, token in (("publisher", tokens.publisher), ("moderator", tokens.moderator)):
        proc = subprocess.run(
            [
                SCHEMATHESIS,
                "--no-color",
                "--config-file",
                str(config),
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
                # One worker: Python 3.11.7's ast.parse, which hypothesis calls to describe a
                # strategy, is not safe in two threads at once (SystemError: AST recursion depth).
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--report-dir",
                str(tmp_path / f"report-{who}"),
            ],
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS * 4,
            check=False,
            cwd=tmp_path,
        )
        out = proc.stdout + proc.stderr
        summaries.append(f"{who}: " + _summary(out))
        assert proc.returncode == 0, f"schemathesis ({who}) found contract failures:\n{out[-8000:]}"
    print("\n" + "\n".join(summaries))


def _summary(out: str) -> str:
    wanted = ("generated", "passed", "Test cases", "API Operations", "Tested")
    lines = [line.strip() for line in out.splitlines() if any(w in line for w in wanted)]
    return "; ".join(lines[-4:])
