"""What people type to name things: PUBLISHER/NAME[@VERSION], and a submission's ID or pack@version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import click

if TYPE_CHECKING:
    from cli.client import RegistryClient

# publisher/name with an optional @version; the registry checks the slugs themselves.
PACK_REF = re.compile(r"^(?P<publisher>[^/@\s]+)/(?P<name>[^/@\s]+)(?:@(?P<version>[^/@\s]+))?$")
EXAMPLE = "hertfordshire/family-safeguarding-cp-workflow"


@dataclass(frozen=True)
class PackRef:
    """PUBLISHER/NAME[@VERSION] as typed; version None when it was left out."""

    publisher: str
    name: str
    version: str | None = None

    @property
    def path(self) -> str:
        """The pack's path under /api/v1/packs."""
        return f"/api/v1/packs/{quote(self.publisher, safe='')}/{quote(self.name, safe='')}"

    @property
    def version_path(self) -> str:
        """The version's path under /api/v1/packs."""
        return f"{self.path}/versions/{quote(self.version or 'latest', safe='')}"

    def __str__(self) -> str:
        at = f"@{self.version}" if self.version else ""
        return f"{self.publisher}/{self.name}{at}"


def parse_pack(value: str, *, version: str = "optional") -> PackRef:
    """Read PUBLISHER/NAME[@VERSION]; version is "optional", "required" (exact) or "none".

    Anything else is a usage error (exit 2).
    """
    match = PACK_REF.match(value)
    shape = {"optional": "PUBLISHER/NAME[@VERSION]", "required": "PUBLISHER/NAME@VERSION"}.get(
        version, "PUBLISHER/NAME"
    )
    wrong = not match or (version == "none" and match["version"])
    if wrong or (version == "required" and not match["version"]):
        example = EXAMPLE + ("" if version == "none" else "@1.2.0")
        raise click.BadParameter(f"'{value}' is not {shape}, e.g. {example}.", param_hint=shape)
    if version == "required" and match["version"] == "latest":
        raise click.BadParameter(
            "name the exact version (e.g. @1.2.0), not @latest: `latest` moves.", param_hint=shape
        )
    return PackRef(match["publisher"], match["name"], match["version"])


class SubmissionRef(click.ParamType):
    """A submission's ID, or the PUBLISHER/NAME@VERSION it submitted."""

    name = "ID|PUBLISHER/NAME@VERSION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """An int for an ID, a PackRef for a version."""
        if isinstance(value, int | PackRef):
            return value
        text = str(value).strip()
        if text.isdigit() and int(text) > 0:
            return int(text)
        if "/" in text:
            try:
                return parse_pack(text, version="required")
            except click.BadParameter as exc:
                self.fail(exc.message, param, ctx)
        self.fail(
            f"'{text}' is neither a submission ID (a number such as 23) nor PUBLISHER/NAME@VERSION.",
            param,
            ctx,
        )


def submission_id(client: RegistryClient, ref: int | PackRef) -> int:
    """The ID of the submission ref names: the newest of that version you may see, pending first."""
    from cli.client import ClientError

    if isinstance(ref, int):
        return ref
    found = client.get(
        "/api/v1/submissions",
        publisher=ref.publisher,
        name=ref.name,
        version=ref.version,
        per_page=20,
    )
    if not found:
        raise ClientError(
            f"No submission of {ref} that you may see: `cmsreg review list` (moderators) or "
            "`cmsreg submissions` (publishers) list them."
        )
    open_ = [s for s in found if s["status"] in ("pending", "approving")]
    return (open_ or found)[0]["id"]
