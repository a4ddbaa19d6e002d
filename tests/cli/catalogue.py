"""Packs published and approved through the API, for the finding and downloading commands."""

from __future__ import annotations

from dataclasses import dataclass

from tests.api.test_flow import publish_and_approve
from tests.packs.manifests import manifest_bytes, pack_files

CP = "hertfordshire/family-safeguarding-cp-workflow"
SOS = "essex/signs-of-safety-assessment-and-planning-forms-for-mosaic-teams"

STEPS_13 = b"<steps><step code='CP1'>Strategy discussion (S47)</step><step code='CP2'>ICPC</step></steps>\n"
LOOKUPS = b"code,description\nCP1,Strategy discussion\n"


def cp_files(version: str) -> dict[str, bytes]:
    """The Family Safeguarding pack: 1.3.0 changes steps.xml, drops install.md, adds a CSV."""
    files = pack_files(version=version, depends=...)
    if version != "1.2.0":
        files["config/steps.xml"] = STEPS_13
        del files["docs/install.md"]
        files["config/lookups.csv"] = LOOKUPS
    return files


def sos_files() -> dict[str, bytes]:
    """A Signs of Safety pack for Mosaic with a long title and name (the 80-column test)."""
    return {
        **pack_files(),
        "cmspack.yaml": manifest_bytes(
            publisher="essex",
            name=SOS.split("/")[1],
            version="1.0.0",
            title="Signs of Safety assessment and planning forms for Mosaic, with danger "
            "statements, safety goals and scaling questions",
            summary="Assessment forms built around the Signs of Safety practice framework.",
            supplier="access-group",
            products=[{"id": "mosaic", "versions": ">=24.1"}],
            practice_models=["signs-of-safety"],
            organisation_structures=["mash", "integrated-front-door", "locality-teams"],
            kinds=["form", "document-template"],
            keywords=["danger statements", "safety goals"],
            depends={CP: ">=1.2.0"},
        ),
    }


@dataclass
class Catalogue:
    """What was published: tokens to publish more."""

    herts: str
    essex: str
    lcs_moderator: str
    mosaic_moderator: str


def publish_catalogue(client, accounts) -> Catalogue:
    """CP 1.2.0 and 1.3.0 (System C, LCS) and one Signs of Safety pack (Access, Mosaic)."""
    made = Catalogue(
        herts=accounts.token("herts", "hertfordshire"),
        essex=accounts.token("essex-admin", "essex"),
        lcs_moderator=accounts.token(
            "lcs-mod", "lcs-user-group", ("moderate",), moderates=("system-c",)
        ),
        mosaic_moderator=accounts.token(
            "mosaic-mod", "mosaic-user-group", ("moderate",), moderates=("access-group",)
        ),
    )
    publish_and_approve(client, made.herts, made.lcs_moderator, cp_files("1.2.0"))
    publish_and_approve(client, made.herts, made.lcs_moderator, cp_files("1.3.0"))
    publish_and_approve(client, made.essex, made.mosaic_moderator, sos_files())
    return made
